// Filters and orderings of the top-level lists, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
});
afterAll(() => server?.stop());

const names = (conn: { nodes: { name?: string; title?: string }[] }) => conn.nodes.map((n) => n.name ?? n.title);

describe(`filters (${databaseLabel})`, () => {
  it('actors by origin country (case-insensitive code), motivation and activity range', async () => {
    const data = await server.query(`{
      kp: actors(filter: { originCountry: "kp" }) { totalCount nodes { name } }
      ru: actors(filter: { originCountry: "RU" }) { totalCount }
      espionage: actors(filter: { motivation: "espionage" }) { nodes { name } }
      early: actors(filter: { activeTo: "2010-12-31" }) { nodes { name } }
      later: actors(filter: { activeFrom: "2015-01-01", activeTo: "2015-12-31" }) { nodes { name } }
    }`);
    expect(data.kp.totalCount).toBe(2);
    expect(names(data.kp)).toEqual(['APT38', 'Lazarus Group']);
    expect(data.ru.totalCount).toBe(0);
    expect(names(data.espionage)).toEqual(['Lazarus Group']);
    expect(names(data.early)).toEqual(['Lazarus Group']); // first seen 2009; APT38 2014
    expect(names(data.later)).toEqual(['APT38', 'Lazarus Group']);
  });

  it('actors ordered by first seen, both ways', async () => {
    const data = await server.query(`{
      asc: actors(orderBy: { field: FIRST_SEEN }) { nodes { name } }
      desc: actors(orderBy: { field: FIRST_SEEN, direction: DESC }) { nodes { name } }
    }`);
    expect(names(data.asc)).toEqual(['Lazarus Group', 'APT38']);
    expect(names(data.desc)).toEqual(['APT38', 'Lazarus Group']);
  });

  it('campaigns by targeted country and sector, and by activity range', async () => {
    const data = await server.query(`{
      israel: campaigns(filter: { targetedCountry: "IL" }) { totalCount nodes { name } }
      russia: campaigns(filter: { targetedCountry: "RU" }) { nodes { name } }
      japan: campaigns(filter: { targetedCountry: "JP" }) { nodes { name } }
      china: campaigns(filter: { targetedCountry: "CN" }) { nodes { name } }
      crypto: campaigns(filter: { targetedSector: "cryptocurrency" }) { nodes { name } }
      before2018: campaigns(filter: { activeTo: "2017-12-31" }) { nodes { name } }
      since2019: campaigns(filter: { activeFrom: "2019-01-01" }) { nodes { name } }
      since2019orUnknown: campaigns(filter: { activeFrom: "2019-01-01", includeUndated: true }) { nodes { name } }
    }`);
    expect(names(data.israel)).toEqual(['CryptoCore']);
    expect(names(data.russia)).toEqual(['SnatchCrypto']);
    expect(names(data.japan)).toEqual(['CryptoCore']);
    expect(names(data.china)).toEqual(['CryptoCore', 'SnatchCrypto']);
    expect(names(data.crypto)).toEqual(['CryptoCore', 'SnatchCrypto']);
    // SnatchCrypto has no first- or last-seen date in the seeds: its activity is unknown, listed only on request.
    expect(names(data.before2018)).toEqual([]);
    expect(names(data.since2019)).toEqual(['CryptoCore']);
    expect(names(data.since2019orUnknown)).toEqual(['CryptoCore', 'SnatchCrypto']);
  });

  it('tools by kind, platform and malware type', async () => {
    const data = await server.query(`{
      malware: tools(filter: { kind: MALWARE }) { totalCount nodes { name } }
      tool: tools(filter: { kind: TOOL }) { nodes { name } }
      windows: tools(filter: { platform: "Windows" }) { totalCount }
      mac: tools(filter: { platform: "macOS" }) { totalCount }
      dumpers: tools(filter: { malwareType: "credential-dumper" }) { nodes { name } }
      desc: tools(orderBy: { field: NAME, direction: DESC }, first: 1) { nodes { name } }
    }`);
    expect(data.malware.totalCount).toBe(3);
    expect(names(data.tool)).toEqual(['Mimikatz']);
    expect(data.windows.totalCount).toBe(4);
    expect(data.mac.totalCount).toBe(0);
    expect(names(data.dumpers)).toEqual(['Mimikatz']);
    expect(names(data.desc)).toEqual(['SnatchCrypto']);
  });

  it('victims by kind, country and sector', async () => {
    const data = await server.query(`{
      regions: victims(filter: { kind: REGION }) { nodes { name } }
      us: victims(filter: { country: "US" }) { nodes { name kind } }
      sectors: victims(filter: { sector: "cryptocurrency" }) { totalCount }
      countries: victims(filter: { kind: COUNTRY }) { totalCount }
    }`);
    expect(names(data.regions)).toEqual(['Europe', 'Middle East']);
    expect(data.us.nodes).toEqual([{ name: 'United States', kind: 'COUNTRY' }]);
    expect(data.sectors.totalCount).toBe(2);
    expect(data.countries.totalCount).toBe(12);
  });

  it('sources by publisher, kind, language and date range, newest first by default', async () => {
    const org = await server.query(`{ organizations(country: "IL") { nodes { id name } } }`);
    expect(names(org.organizations)).toEqual(['ClearSky Cyber Security']);
    const data = await server.query(
      `query($p: ID!) {
        clearsky: sources(filter: { publisher: $p }) { totalCount nodes { title publishedOn } }
        oldest: sources(filter: { publisher: $p }, direction: ASC) { nodes { publishedOn } }
        y2020: sources(filter: { publishedFrom: "2020-01-01", publishedTo: "2020-12-31", kind: REPORT }) { nodes { key } }
        japanese: sources(filter: { language: "ja" }) { nodes { key } }
      }`,
      { p: org.organizations.nodes[0].id },
    );
    expect(data.clearsky.totalCount).toBe(2);
    expect(data.clearsky.nodes.map((s: any) => s.publishedOn)).toEqual(['2021-05-24', '2020-06-24']);
    expect(data.oldest.nodes.map((s: any) => s.publishedOn)).toEqual(['2020-06-24', '2021-05-24']);
    expect(data.y2020.nodes.map((s: any) => s.key).sort()).toEqual([
      'clearsky-2020-cryptocore',
      'fsecure-2020-lazarus-cryptocurrency',
      'strangerealintel-2020-dangerous-password',
      'threatbook-dangerouspassword',
    ]);
    expect(data.japanese.nodes.map((s: any) => s.key)).toEqual(['jpcert-2023-dangerouspassword']);
  });

  it('refuses a publisher ID of another type', async () => {
    const actor = await server.query(`{ actor(name: "ZINC") { id } }`);
    const res = await server.raw(`query($p: ID!) { sources(filter: { publisher: $p }) { totalCount } }`, {
      p: actor.actor.id,
    });
    expect(res.errors![0].extensions!.code).toBe('INVALID_ID');
  });
});
