// MISP galaxy import, rule by rule, with the shipped clusters, merged with the curated seeds and
// MITRE ATT&CK the way the default first start does it.
import { readFile, writeFile, mkdtemp, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles } from '../src/config.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { countryCode } from '../src/ingest/misp.js';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
  dir = await mkdtemp(path.join(tmpdir(), 'misp-'));
});
afterAll(() => server?.stop());

const [tools, threatActors] = datasetFiles['misp-galaxy'];
const counts = async () => {
  const p = server.app.prisma;
  return Promise.all([p.actor.count(), p.tool.count(), p.name.count(), p.source.count(), p.citation.count(), p.targeting.count(), p.victim.count(), p.externalId.count(), p.organization.count()]);
};

describe('country names', () => {
  it('maps the names MISP uses to ISO codes', () => {
    expect(['United States', 'South Korea', 'Russia', 'Iran', 'Taiwan', 'Hong Kong', 'Czech Republic', 'Vietnam', 'Germany'].map(countryCode)).toEqual(['US', 'KR', 'RU', 'IR', 'TW', 'HK', 'CZ', 'VN', 'DE']);
    expect(countryCode('Bangladesh Bank')).toBeUndefined();
  });
});

describe(`MISP galaxy import (${databaseLabel})`, () => {
  it('starts with about a thousand real actors', async () => {
    const data = await server.query(`{ actors { totalCount } tools { totalCount } }`);
    expect(data.actors.totalCount).toBeGreaterThan(1000);
    expect(data.tools.totalCount).toBeGreaterThan(1000);
  });

  it('Lazarus Group from ATT&CK and MISP is one actor, with both datasets’ names, each with its origin', async () => {
    const data = await server.query(`{ actor(name: "Lazarus Group") { name dataset
      externalIds { nodes { system value } }
      names(first: 100) { totalCount nodes { value coinedBy { name } citations { nodes { source { key title } } } } } } }`);
    const a = data.actor;
    expect(a.externalIds.nodes.map((x: any) => x.system).sort()).toEqual(['misp', 'mitre-attack', 'stix']);
    const names = new Map<string, any>(a.names.nodes.map((n: any) => [n.value, n]));
    const sourcesOf = (value: string) => names.get(value).citations.nodes.map((c: any) => c.source.key);
    // A name only MISP gives cites the MISP cluster; one only ATT&CK and the seeds give cites those.
    expect(sourcesOf('Andariel')).toEqual(['dataset-misp-galaxy-threat-actor']);
    expect(sourcesOf('Guardians of Peace')).toEqual(expect.arrayContaining(['attack-g0032-lazarus-group', 'us-cert-ta17-164a']));
    expect(sourcesOf('Guardians of Peace')).not.toContain('dataset-misp-galaxy-threat-actor');
    // Both datasets give ZINC: one name, cited by both.
    expect(sourcesOf('ZINC')).toEqual(expect.arrayContaining(['attack-g0032-lazarus-group', 'dataset-misp-galaxy-threat-actor']));
    // name-attribution names who coined an alias, through producer.json.
    expect(names.get('Citrine Sleet').coinedBy.name).toBe('Microsoft');
    // One Microsoft: MISP's producer is the curated publisher of the same name.
    expect(await server.app.prisma.organization.count({ where: { name: 'Microsoft' } })).toBe(1);
    expect(names.get('Diamond Sleet').coinedBy.name).toBe('Microsoft');
    expect(names.get('TA404').coinedBy.name).toBe('Proofpoint');
    // ATT&CK ids that MISP lists as synonyms are identifiers, not names.
    expect(names.has('G0032')).toBe(false);
  });

  it('never merges on a bare name: MISP’s "CryptoCore" (UNC1069) stays apart from the curated campaign', async () => {
    const data = await server.query(`{ resolveName(name: "CryptoCore") { entity { __typename ... on Actor { name dataset originCountry } ... on Campaign { name dataset } } } }`);
    expect(data.resolveName.map((r: any) => r.entity)).toEqual(
      expect.arrayContaining([
        { __typename: 'Campaign', name: 'CryptoCore', dataset: 'curated' },
        { __typename: 'Actor', name: 'UNC1069', dataset: 'misp-galaxy', originCountry: 'KP' },
      ]),
    );
  });

  it('parses cfr-suspected-victims into countries, regions and organisations, and target categories into sectors', async () => {
    const data = await server.query(`{ actor(name: "Lazarus Group") { targetings(first: 100) { totalCount nodes { confidence victim { name kind country sector } } } } }`);
    const victims = data.actor.targetings.nodes.map((t: any) => t.victim);
    expect(victims).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'COUNTRY', country: 'KR' }),
        expect.objectContaining({ kind: 'COUNTRY', country: 'BD' }),
        expect.objectContaining({ name: 'Bangladesh Bank', kind: 'ORGANIZATION' }),
        expect.objectContaining({ name: 'Sony Pictures Entertainment', kind: 'ORGANIZATION' }),
        expect.objectContaining({ name: 'Government', kind: 'SECTOR', sector: 'government' }),
      ]),
    );
    // attribution-confidence 50 is the confidence of the cluster's claims.
    expect(new Set(data.actor.targetings.nodes.map((t: any) => t.confidence))).toEqual(new Set([50]));
    // Countries are shared with the curated seeds: one Japan, targeted by both.
    const japan = await server.query(`{ victims(filter: { country: "JP", kind: COUNTRY }) { totalCount nodes { name targetedBy(first: 100) { nodes { by { ... on Campaign { name } ... on Actor { name } } } } } } }`);
    expect(japan.victims.totalCount).toBe(1);
    const by = japan.victims.nodes[0].targetedBy.nodes.map((t: any) => t.by.name);
    expect(by).toEqual(expect.arrayContaining(['CryptoCore', 'Lazarus Group']));
  });

  it('matches tools through MISP’s `similar` links to ATT&CK software', async () => {
    const data = await server.query(`{ tool(name: "Korplug") { name dataset externalIds { nodes { system value } } names(first: 50) { nodes { value } } } }`);
    expect(data.tool.name).toBe('PlugX');
    expect(data.tool.dataset).toBe('mitre-attack');
    expect(data.tool.externalIds.nodes).toEqual(expect.arrayContaining([{ system: 'stix', value: 'malware--64fa0de0-6240-41f4-8638-f4ca7ed528fd' }, { system: 'misp', value: 'f4b159ea-97e5-483b-854b-c48a78d562aa' }]));
  });

  it('maps `uses` links to tool usages, with the estimative words and their confidence', async () => {
    const data = await server.query(`{ actors(filter: {}, first: 5, includeRevoked: false) { totalCount } tool(name: "Torn RAT") { usedBy { nodes { confidence confidenceLabel user { ... on Actor { name dataset } } citations { nodes { source { key } } } } } } }`);
    const usage = data.tool.usedBy.nodes.find((u: any) => u.user.dataset === 'misp-galaxy');
    expect(usage).toMatchObject({ confidenceLabel: 'likely', confidence: 70, user: { name: 'APT14' } });
    expect(usage.citations.nodes.map((c: any) => c.source.key)).toEqual(['dataset-misp-galaxy-threat-actor']);
  });

  it('importing the clusters again changes nothing', async () => {
    const before = await counts();
    const result = await loadSeeds(server.app.prisma, [threatActors, tools]);
    for (const [type, c] of Object.entries(result.counts)) expect(c, type).toMatchObject({ created: 0, updated: 0 });
    expect(await counts()).toEqual(before);
  });

  it('refuses a file with one broken cluster whole, naming it', async () => {
    const galaxy = JSON.parse(await readFile(threatActors, 'utf8'));
    galaxy.values[10].uuid = 'not-a-uuid';
    galaxy.values.push({ value: 'Would Be New', uuid: '12345678-1234-4234-8234-123456789abc' });
    const file = path.join(dir, 'threat-actor.json');
    await writeFile(file, JSON.stringify(galaxy));
    await copyFile(path.join(path.dirname(threatActors), 'producer.json'), path.join(dir, 'producer.json'));
    const before = await counts();
    await expect(loadSeeds(server.app.prisma, [file])).rejects.toThrow(`values[10] (${galaxy.values[10].value}): uuid: expected a uuid`);
    expect(await counts()).toEqual(before);
  });
});
