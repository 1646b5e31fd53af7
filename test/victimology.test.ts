// Victimology on the seeded database (curated + ATT&CK + MISP): counts per country checked against the
// shipped MISP galaxy (cfr-suspected-victims) and against the per-victim path; an actor's roll-up across
// its campaigns; years from observed dates, else sources' dates, else unknown; and each grouping counted
// within the caller's clearance (an AMBER claim moves exactly its bucket by one, and only for AMBER).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/database/migrations.js';
import { countryCodeOfName } from '../src/write/countries.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';

const galaxy = JSON.parse(
  readFileSync(path.join(projectRoot, 'seeds/datasets/misp-galaxy/threat-actor.json'), 'utf8'),
) as { values: { uuid: string; value: string; meta?: Record<string, unknown> }[] };
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

let server: InProcess;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
}, 300_000);
afterAll(() => server?.stop());

const byCountry = `query($of: ID!) { victimology(of: $of, groupBy: [COUNTRY], direct: true) {
  victimCount claimCount buckets { country victimCount claimCount } } }`;

describe(`victimology (${databaseLabel})`, () => {
  it('counts an actor’s victims per country as the MISP galaxy lists them (cfr-suspected-victims)', async () => {
    let checked = 0;
    for (const cluster of galaxy.values) {
      const victims = list(cluster.meta?.['cfr-suspected-victims']);
      const countries = new Set(victims.map(countryCodeOfName).filter((c): c is string => !!c));
      if (countries.size < 3 || list(cluster.meta?.['cfr-target-category']).length) continue;
      const { actor } = await server.query(
        `query($x: String!) { actor(externalId: $x) { id name records { nodes { dataset } } targetings { totalCount } } }`,
        { x: cluster.uuid },
      );
      // Only actors whose targeting is this one cluster's (another record would add its own).
      if (actor?.records.nodes.filter((r: any) => r.dataset === 'misp-galaxy').length !== 1) continue;
      if (actor.targetings.totalCount !== new Set(victims).size) continue;
      const { victimology } = await server.query(byCountry, { of: actor.id });
      const known = victimology.buckets.filter((b: any) => b.country !== null);
      expect(new Set(known.map((b: any) => b.country)), cluster.value).toEqual(countries);
      for (const b of known) expect([b.victimCount, b.claimCount], `${cluster.value} ${b.country}`).toEqual([1, 1]);
      expect(victimology.claimCount).toBe(actor.targetings.totalCount);
      if (++checked === 5) break;
    }
    expect(checked).toBe(5);
  });

  it('rolls up across the actors a filter selects, equal to their targetings victim by victim', async () => {
    const { actors } = await server.query(`{ actors(filter: { originCountry: "KP" }, first: 100) {
      nodes { targetings(first: 100) { nodes { victim { country } } } } } }`);
    const expected = new Map<string | null, number>();
    for (const a of actors.nodes)
      for (const t of a.targetings.nodes) expected.set(t.victim.country, (expected.get(t.victim.country) ?? 0) + 1);
    const { victimology } =
      await server.query(`{ victimology(groupBy: [COUNTRY], direct: true, filter: { originCountry: "KP" }) {
      claimCount buckets { country claimCount } } }`);
    expect(new Map(victimology.buckets.map((b: any) => [b.country, b.claimCount]))).toEqual(expected);
    expect(victimology.claimCount).toBeGreaterThan(20);
  });

  it('counts an actor’s campaigns’ targeting too unless direct; a campaign’s its own', async () => {
    const { actor, campaign } = await server.query(`{
      actor(name: "Lazarus Group") { id targetings { totalCount } }
      campaign(name: "CryptoCore") { id targetings(first: 100) { totalCount nodes { victim { country } } } }
    }`);
    const own = (await server.query(byCountry, { of: actor.id })).victimology;
    const all = (
      await server.query(`query($of: ID!) { victimology(of: $of, groupBy: [COUNTRY]) { claimCount } }`, {
        of: actor.id,
      })
    ).victimology;
    const cc = (await server.query(byCountry, { of: campaign.id })).victimology;
    expect(own.claimCount).toBe(actor.targetings.totalCount);
    expect(cc.claimCount).toBe(campaign.targetings.totalCount);
    expect(all.claimCount).toBe(own.claimCount + cc.claimCount); // CryptoCore is attributed to Lazarus (CURRENT)
    expect(new Set(cc.buckets.map((b: any) => b.country))).toEqual(
      new Set(campaign.targetings.nodes.map((t: any) => t.victim.country)),
    );
  });

  it('counts each grouping within the caller’s clearance; years from observed dates, else the sources’, else unknown', async () => {
    const analyst = await server.key('ANALYST', 'AMBER');
    const green = await server.key('READER', 'GREEN');
    const m = mutator(server, analyst);
    const { actor } = await server.query(`{ actor(name: "Kimsuky") { id } }`);
    const dated = await m('createSource', { title: 'A 2016 report (test)', kind: 'REPORT', publishedOn: '2016-03-01' });
    const undated = await m('createSource', { title: 'An undated note (test)', kind: 'REPORT' });
    const victim = await m('createVictim', {
      name: 'Test ministry (Iceland)',
      kind: 'ORGANIZATION',
      country: 'IS',
      sector: 'Government',
    });
    const region = await m('createVictim', { name: 'Northern Europe', kind: 'REGION' });
    await m('recordTargeting', {
      by: actor.id,
      victim,
      tlp: 'AMBER',
      firstObserved: '2019-05-01',
      sources: [{ source: undated }],
    });
    await m('recordTargeting', { by: actor.id, victim: region, tlp: 'AMBER', sources: [{ source: dated }] });
    await m('recordTargeting', { by: actor.id, victim: region, sources: [{ source: undated }] });
    const ask = (dimension: string) =>
      `query($of: ID!) { victimology(of: $of, groupBy: [${dimension}]) { claimCount buckets { country region sector year claimCount victimCount
        victims { totalCount nodes { name } } claims { totalCount } } } }`;
    const expectations: Record<string, [string, unknown][]> = {
      COUNTRY: [['country', 'IS']],
      REGION: [['region', 'northern-europe']],
      SECTOR: [['sector', 'government']],
      YEAR: [
        ['year', 2019],
        ['year', 2016],
      ],
    };
    for (const [dimension, keys] of Object.entries(expectations)) {
      const amber = (await server.query(ask(dimension), { of: actor.id }, analyst)).victimology;
      const seen = (await server.query(ask(dimension), { of: actor.id }, green)).victimology;
      expect(amber.claimCount - seen.claimCount, dimension).toBe(2);
      for (const [field, value] of keys) {
        const a = amber.buckets.find((b: any) => b[field] === value);
        const g = seen.buckets.find((b: any) => b[field] === value);
        expect(a, `${dimension} ${value}`).toBeDefined();
        // Exactly the AMBER claim of that group is hidden from GREEN.
        expect(a.claimCount - (g?.claimCount ?? 0), `${dimension} ${value}`).toBe(1);
        expect(a.claims.totalCount).toBe(a.claimCount);
        expect(a.victims.totalCount).toBe(a.victimCount);
        for (const b of seen.buckets)
          expect(b.victims.nodes.map((v: any) => v.name)).not.toContain('Test ministry (Iceland)');
      }
    }
    // The visible claim without a date cites only an undated source: the unknown year.
    const years = (await server.query(ask('YEAR'), { of: actor.id }, green)).victimology.buckets;
    const unknown = years.find((b: any) => b.year === null);
    expect(unknown.victims.nodes.map((v: any) => v.name)).toContain('Northern Europe');
  });

  it('refuses what it cannot answer, with a code', async () => {
    const { actor } = await server.query(`{ actor(name: "Kimsuky") { id } }`);
    const both = await server.raw(
      `query($of: ID!) { victimology(of: $of, groupBy: [YEAR], filter: { originCountry: "KP" }) { claimCount } }`,
      {
        of: actor.id,
      },
    );
    expect(both.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await server.raw(`query($of: ID!) { victimology(of: $of, groupBy: [YEAR]) { claimCount } }`, {
      of: Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64'),
    });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
