// MISP galaxy import, rule by rule, with the shipped clusters, merged with the curated seeds and
// MITRE ATT&CK the way the default first start does it.
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles } from '../src/config.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { isAssignedCountry } from '../src/write/countries.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers and the write layer in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
let dir: string;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
  dir = await mkdtemp(path.join(tmpdir(), 'misp-'));
});
afterAll(() => server?.stop());

const [tools, threatActors] = datasetFiles['misp-galaxy'];
const counts = async () => {
  const p = server.prisma;
  return Promise.all([
    p.actor.count(),
    p.tool.count(),
    p.name.count(),
    p.source.count(),
    p.citation.count(),
    p.targeting.count(),
    p.victim.count(),
    p.externalId.count(),
    p.organization.count(),
  ]);
};

describe(`MISP galaxy import (${databaseLabel})`, () => {
  it('stores countries as assigned ISO codes: France FR, the United Kingdom GB, Serbia RS, never FX, UK or YU', async () => {
    const victims = await server.prisma.victim.findMany({
      where: { kind: 'COUNTRY' },
      select: { country: true, name: true },
    });
    const reserved = victims.filter((v) => !v.country || !isAssignedCountry(v.country));
    expect(reserved).toEqual([]);
    const q = `query($c: String!) { victims(filter: { country: $c }) { nodes { name kind targetedBy { totalCount } } } }`;
    for (const [code, name] of [
      ['FR', 'France'],
      ['GB', 'United Kingdom'],
      ['RS', 'Serbia'],
    ]) {
      const found = (await server.query(q, { c: code })).victims.nodes.filter((v: any) => v.kind === 'COUNTRY');
      expect(
        found.map((v: any) => v.name),
        code,
      ).toEqual([name]);
      expect(found[0].targetedBy.totalCount, code).toBeGreaterThan(0);
    }
    // The United Kingdom's targetings are under one victim (34 MISP claims were under "UK" beside the curated GB).
    expect((await server.query(q, { c: 'GB' })).victims.nodes[0].targetedBy.totalCount).toBeGreaterThanOrEqual(34);
  });

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
    expect(sourcesOf('Guardians of Peace')).toEqual(
      expect.arrayContaining(['attack-g0032-lazarus-group', 'us-cert-ta17-164a']),
    );
    expect(sourcesOf('Guardians of Peace')).not.toContain('dataset-misp-galaxy-threat-actor');
    // Both datasets give ZINC: one name, cited by both.
    expect(sourcesOf('ZINC')).toEqual(
      expect.arrayContaining(['attack-g0032-lazarus-group', 'dataset-misp-galaxy-threat-actor']),
    );
    // name-attribution names who coined an alias, through producer.json.
    expect(names.get('Citrine Sleet').coinedBy.name).toBe('Microsoft');
    // One Microsoft: MISP's producer is the curated publisher of the same name.
    expect(await server.prisma.organization.count({ where: { name: 'Microsoft' } })).toBe(1);
    expect(names.get('Diamond Sleet').coinedBy.name).toBe('Microsoft');
    expect(names.get('TA404').coinedBy.name).toBe('Proofpoint');
    // ATT&CK ids that MISP lists as synonyms are identifiers, not names.
    expect(names.has('G0032')).toBe(false);
  });

  it('never merges on a bare name: MISP’s "CryptoCore" (UNC1069) stays apart from the curated campaign', async () => {
    const data = await server.query(
      `{ resolveName(name: "CryptoCore") { entity { __typename ... on Actor { name dataset originCountry } ... on Campaign { name dataset } } } }`,
    );
    expect(data.resolveName.map((r: any) => r.entity)).toEqual(
      expect.arrayContaining([
        { __typename: 'Campaign', name: 'CryptoCore', dataset: 'curated' },
        { __typename: 'Actor', name: 'UNC1069', dataset: 'misp-galaxy', originCountry: 'KP' },
      ]),
    );
  });

  it('parses cfr-suspected-victims into countries, regions and organisations, and target categories into sectors', async () => {
    const data = await server.query(
      `{ actor(name: "Lazarus Group") { targetings(first: 100) { totalCount nodes { confidence victim { name kind country sector } } } } }`,
    );
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
    const japan = await server.query(
      `{ victims(filter: { country: "JP", kind: COUNTRY }) { totalCount nodes { name targetedBy(first: 100) { nodes { by { ... on Campaign { name } ... on Actor { name } } } } } } }`,
    );
    expect(japan.victims.totalCount).toBe(1);
    const by = japan.victims.nodes[0].targetedBy.nodes.map((t: any) => t.by.name);
    expect(by).toEqual(expect.arrayContaining(['CryptoCore', 'Lazarus Group']));
  });

  it('matches tools through MISP’s `similar` links to ATT&CK software', async () => {
    const data = await server.query(
      `{ tool(name: "Korplug") { name dataset externalIds { nodes { system value } } names(first: 50) { nodes { value } } } }`,
    );
    expect(data.tool.name).toBe('PlugX');
    expect(data.tool.dataset).toBe('mitre-attack');
    expect(data.tool.externalIds.nodes).toEqual(
      expect.arrayContaining([
        { system: 'stix', value: 'malware--64fa0de0-6240-41f4-8638-f4ca7ed528fd' },
        { system: 'misp', value: 'f4b159ea-97e5-483b-854b-c48a78d562aa' },
      ]),
    );
  });

  it('maps `uses` links to tool usages, with the estimative words and their confidence', async () => {
    const data = await server.query(
      `{ actors(filter: {}, first: 5, includeRevoked: false) { totalCount } tool(name: "Torn RAT") { usedBy { nodes { confidence confidenceLabel by { ... on Actor { name dataset } } citations { nodes { source { key } } } } } } }`,
    );
    const usage = data.tool.usedBy.nodes.find((u: any) => u.by.dataset === 'misp-galaxy');
    expect(usage).toMatchObject({ confidenceLabel: 'likely', confidence: 70, by: { name: 'APT14' } });
    expect(usage.citations.nodes.map((c: any) => c.source.key)).toEqual(['dataset-misp-galaxy-threat-actor']);
  });

  it('maps `linked-to`, `overlaps` and in-galaxy `similar` links to association claims, stated once, never merges', async () => {
    const ends = (a: any) => [a.from.name, a.to.name].sort();
    const data =
      await server.query(`{ actor(name: "Lazarus Group") { associations(first: 50) { totalCount nodes { kind symmetric confidence confidenceLabel
      from { ... on Actor { name } } to { ... on Actor { name } } citations { nodes { source { key } } } } } } }`);
    const links = data.actor.associations.nodes;
    expect(data.actor.associations.totalCount).toBe(links.length);
    // MISP states "Lazarus Group linked-to APT37" under both clusters: one claim.
    const linked = links.filter((l: any) => l.kind === 'LINKED_TO');
    expect(linked.map(ends)).toEqual([['APT37', 'Lazarus Group']]);
    expect(linked[0]).toMatchObject({ symmetric: true, confidenceLabel: 'likely', confidence: 70 });
    expect(linked[0].citations.nodes.map((c: any) => c.source.key)).toEqual(['dataset-misp-galaxy-threat-actor']);
    // `similar` to another cluster of the galaxy is a claim between two records, not one record.
    expect(links.filter((l: any) => l.kind === 'SIMILAR').map(ends)).toEqual(
      expect.arrayContaining([['Lazarus Group', 'TraderTraitor']]),
    );
    const both = await server.query(
      `{ a: actors(first: 1, filter: {}) { totalCount } t: resolveName(name: "TraderTraitor") { entity { ... on Actor { name } } } }`,
    );
    expect(both.t.map((r: any) => r.entity.name)).toEqual(['TraderTraitor']);

    // RedGolf overlaps APT41 (a MISP cluster that MISP's own `similar` link makes one with an ATT&CK record).
    const overlaps = await server.query(
      `{ actor(name: "RedGolf") { associations(kind: [OVERLAPS]) { totalCount nodes { id from { ... on Actor { name } } to { ... on Actor { id externalIds { nodes { value } } } } } } } }`,
    );
    expect(overlaps.actor.associations.totalCount).toBe(1);
    const [claim] = overlaps.actor.associations.nodes;
    expect(claim.from.name).toBe('RedGolf');
    expect(claim.to.externalIds.nodes.map((x: any) => x.value)).toContain('9c124874-042d-48cd-b72b-ccdc51ecbbd6');
    // From the other end, the same claim.
    const other = await server.query(
      `query ($id: ID!) { node(id: $id) { ... on Actor { associations(kind: [OVERLAPS], first: 50) { nodes { id } } } } }`,
      { id: claim.to.id },
    );
    expect(other.node.associations.nodes).toContainEqual({ id: claim.id });
  });

  it('maps `part-of` to an attribution of the subgroup, matched by uuid (Kimsuky, not the revoked Stolen Pencil)', async () => {
    const data = await server.query(
      `{ actor(name: "TA406") { attributions { nodes { confidenceLabel actor { name dataset revoked } subject { ... on Actor { name } } } } } }`,
    );
    expect(data.actor.attributions.nodes).toEqual([
      {
        confidenceLabel: 'likely',
        actor: { name: 'Kimsuky', dataset: 'mitre-attack', revoked: false },
        subject: { name: 'TA406' },
      },
    ]);
    const kimsuky = await server.query(
      `{ actor(name: "Velvet Chollima") { name externalIds { nodes { system value } } } }`,
    );
    expect(kimsuky.actor.name).toBe('Kimsuky');
    expect(kimsuky.actor.externalIds.nodes).toEqual(
      expect.arrayContaining([
        { system: 'misp', value: 'bcaaad6f-0597-4b89-b69b-84a6be2b7bc3' },
        { system: 'mitre-attack', value: 'G0094' },
      ]),
    );
  });

  it('maps tool `variant-of` links to directed associations', async () => {
    const rows = await server.prisma.association.findMany({
      where: { kind: 'VARIANT_OF' },
      include: { fromTool: { include: { records: { select: { dataset: true } } } }, toTool: true },
    });
    expect(rows.length).toBeGreaterThan(0);
    // The link is MISP's: the tool it starts from holds a MISP record (it may have joined an ATT&CK tool).
    for (const r of rows)
      expect([
        r.fromActorId,
        r.toActorId,
        r.fromTool?.records.some((x) => x.dataset === 'misp-galaxy'),
        r.toTool == null,
      ]).toEqual([null, null, true, false]);
    const first = rows[0];
    const data = await server.query(
      `query ($id: ID!) { node(id: $id) { ... on Tool { associations(kind: [VARIANT_OF]) { nodes { symmetric from { ... on Tool { name } } to { ... on Tool { name } } } } } } }`,
      {
        id: Buffer.from(`Tool:${first.fromToolId}`).toString('base64'),
      },
    );
    expect(data.node.associations.nodes).toContainEqual({
      symmetric: false,
      from: { name: first.fromTool!.name },
      to: { name: first.toTool!.name },
    });
  });

  it('exports associations as STIX relationships named after their kind', async () => {
    const data = await server.query(`{ actor(name: "Lazarus Group") { stixBundle(depth: 1) } }`);
    const objects = data.actor.stixBundle.objects;
    const apt37 = objects.find((o: any) => o.type === 'intrusion-set' && o.name === 'APT37');
    const lazarus = objects.find((o: any) => o.type === 'intrusion-set' && o.name === 'Lazarus Group');
    const rel = objects.find((o: any) => o.type === 'relationship' && o.relationship_type === 'linked-to');
    expect([rel.source_ref, rel.target_ref].sort()).toEqual([apt37.id, lazarus.id].sort());
    expect(rel.confidence).toBe(70);
  });

  it('importing the clusters again changes nothing', async () => {
    const before = await counts();
    const result = await loadSeeds(server.prisma, [threatActors, tools]);
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
    await expect(loadSeeds(server.prisma, [file])).rejects.toThrow(
      `values[10] (${galaxy.values[10].value}): uuid: expected a uuid`,
    );
    expect(await counts()).toEqual(before);
  });
});
