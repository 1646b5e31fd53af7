// Records and resolution on the default seeded database (curated + ATT&CK + MISP): every object kept
// whole, one entity per real actor with the evidence that joined its records, what was left apart
// listed for review, and feeds that update whatever their files are called.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles } from '../src/config.js';
import { sharedDisplayNames } from '../src/data-quality.js';
import { encodeId } from '../src/global-id.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { normalizeName } from '../src/write/rules.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

let server: InProcess;
let dir: string;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
  dir = await mkdtemp(path.join(tmpdir(), 'records-'));
});
afterAll(() => server?.stop());

const [attackFile] = datasetFiles['mitre-attack'];
const mispActorsFile = datasetFiles['misp-galaxy'].find((f) => f.endsWith('threat-actor.json'))!;
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

/** Display names (normalised) that more than one current entity of a type shows, with their ids. */
const sharedNames = async (model: 'actor' | 'campaign' | 'tool') =>
  (await sharedDisplayNames(server.prisma, model)).shared.map(([name, entities]) => [name, entities.map((e) => e.id)]);

describe(`records and resolution (${databaseLabel})`, () => {
  it('keeps every object of the shipped ATT&CK file whole, property by property', async () => {
    const bundle = await readJson(attackFile);
    const records = await server.prisma.datasetRecord.findMany({
      where: { dataset: 'mitre-attack' },
      select: { identifier: true, original: true },
    });
    const byId = new Map(records.map((r) => [r.identifier, r.original]));
    const different = bundle.objects.filter((o: { id: string }) => !isDeepStrictEqual(byId.get(o.id), o));
    expect(different.map((o: { id: string }) => o.id)).toEqual([]);
    expect(byId.size).toBe(bundle.objects.length); // 2,314: groups, campaigns, software, relationships, identity, marking
  });

  it('no display name is shown by two current actors or campaigns; the tools that share one are listed for review', async () => {
    expect(await sharedNames('actor')).toEqual([]);
    expect(await sharedNames('campaign')).toEqual([]);
    const tools = await sharedNames('tool');
    const listed = await server.query(
      `{ possibleDuplicates(type: TOOL, first: 100) { totalCount nodes { entities { ... on Tool { id name } } evidenceAgainst } } }`,
    );
    for (const [name, ids] of tools) {
      const pair = listed.possibleDuplicates.nodes.find((n: any) =>
        n.entities.every((e: any) => normalizeName(e.name) === name),
      );
      expect(pair, `${name} (${ids.length} tools) is listed`).toBeDefined();
      expect(pair.evidenceAgainst.length, `${name}: why it was not joined`).toBeGreaterThan(0);
    }
  });

  it('APT41 (G0096) and Winnti Group (G0044) are two actors; MISP’s APT41 cluster is a record of APT41, with its evidence', async () => {
    const q = `query($x: String!) { actor(externalId: $x) { id name
      records { nodes { dataset identifier joinRule joinEvidence } }
      associations(first: 50) { nodes { kind note from { ... on Actor { name } } to { ... on Actor { name } } } } } }`;
    const apt41 = (await server.query(q, { x: 'G0096' })).actor;
    const winnti = (await server.query(q, { x: 'G0044' })).actor;
    expect([apt41.name, winnti.name]).toEqual(['APT41', 'Winnti Group']);
    expect(apt41.id).not.toBe(winnti.id);
    const misp = apt41.records.nodes.find((r: any) => r.dataset === 'misp-galaxy');
    expect(misp).toMatchObject({ identifier: '9c124874-042d-48cd-b72b-ccdc51ecbbd6', joinRule: 'name' });
    // The evidence that pointed to Winnti Group is kept, and the two are linked for review.
    expect(JSON.stringify(misp.joinEvidence)).toContain('G0044');
    expect(winnti.records.nodes.map((r: any) => r.dataset)).toEqual(['mitre-attack']);
    const link = apt41.associations.nodes.find((a: any) => [a.from.name, a.to.name].includes('Winnti Group'));
    expect(link).toMatchObject({ kind: 'SIMILAR' });
    expect(link.note).toContain('Not joined');
  });

  it('answers a famous name with one actor where there was ambiguity (Mustang Panda, Scattered Spider, APT5, GALLIUM)', async () => {
    for (const name of ['Mustang Panda', 'Scattered Spider', 'APT5', 'Fox Kitten', 'GALLIUM']) {
      const res = await server.raw(
        `query($n: String!) { actor(name: $n) { name records { nodes { dataset joinRule } } } }`,
        {
          n: name,
        },
      );
      expect(res.errors, name).toBeUndefined();
      const datasets = (res.data as any).actor.records.nodes.map((r: any) => r.dataset).sort();
      expect(datasets, name).toEqual(['misp-galaxy', 'mitre-attack']);
    }
  });

  it('a newer version of an ATT&CK group, in a file of any name, updates the actor; an older one is kept as a version only', async () => {
    const bundle = await readJson(attackFile);
    const group = bundle.objects.find((o: any) => o.type === 'intrusion-set' && o.name === 'Mustang Panda');
    const newer = {
      ...group,
      modified: '2026-12-01T00:00:00.000Z',
      description: 'Mustang Panda, as ATT&CK v19 describes it.',
    };
    const file = path.join(dir, 'feed-update.json');
    await writeFile(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--2f4a1a77-6e69-4b0a-9d7e-0c1f5a7d1a01', objects: [newer] }),
    );
    const pause = () => new Promise((r) => setTimeout(r, 20));
    await pause();
    const beforeUpdate = new Date().toISOString();
    await pause();
    const { counts, warnings } = await loadSeeds(server.prisma, [file]);
    expect(counts.Actor).toMatchObject({ updated: 1 });
    expect(counts.DatasetRecord).toMatchObject({ created: 0, updated: 1 });
    const q = `{ actor(externalId: "G0129") { description dataset records { nodes { dataset modifiedAt versions { modifiedAt } } } } }`;
    const after = (await server.query(q)).actor;
    expect(after.description).toBe(newer.description);
    const attack = after.records.nodes.find((r: any) => r.dataset === 'mitre-attack');
    expect(attack.modifiedAt).toBe('2026-12-01T00:00:00.000Z');
    expect(attack.versions.map((v: any) => v.modifiedAt)).toEqual([group.modified]);

    await pause();
    const betweenImports = new Date().toISOString();
    await pause();
    const older = { ...group, modified: '2019-01-01T00:00:00.000Z', description: 'An old description.' };
    await writeFile(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--2f4a1a77-6e69-4b0a-9d7e-0c1f5a7d1a02', objects: [older] }),
    );
    const second = await loadSeeds(server.prisma, [file]);
    expect(second.counts.Actor).toMatchObject({ updated: 0 });
    expect(second.warnings.join('\n')).toContain('kept as a version only');
    const kept = (await server.query(q)).actor;
    expect(kept.description).toBe(newer.description);
    expect(
      kept.records.nodes.find((r: any) => r.dataset === 'mitre-attack').versions.map((v: any) => v.modifiedAt),
    ).toEqual([group.modified, '2019-01-01T00:00:00.000Z']);
    expect(warnings).toEqual([]);

    // asOf: the record with the content and the versions it had at each moment.
    const at = `query($asOf: DateTime) { actor(externalId: "G0129", asOf: $asOf) { description
      records { nodes { dataset modifiedAt original versions { modifiedAt replaced } } } } }`;
    const attackAt = async (asOf: string) => {
      const a = (await server.query(at, { asOf })).actor;
      return { description: a.description, ...a.records.nodes.find((r: any) => r.dataset === 'mitre-attack') };
    };
    const before = await attackAt(beforeUpdate);
    expect(before.description).toBe(group.description);
    expect(before.modifiedAt).toBe(new Date(group.modified).toISOString());
    expect(before.original).toEqual(group);
    expect(before.versions).toEqual([]);
    const middle = await attackAt(betweenImports);
    expect(middle.description).toBe(newer.description);
    expect(middle.modifiedAt).toBe('2026-12-01T00:00:00.000Z');
    expect(middle.versions).toEqual([{ modifiedAt: new Date(group.modified).toISOString(), replaced: true }]);
  });

  it('a changed MISP cluster, in a file of any name, updates the actor it made', async () => {
    const galaxy = await readJson(mispActorsFile);
    // A cluster that made its own actor (no ATT&CK or curated record above it).
    const record = await server.prisma.datasetRecord.findFirstOrThrow({
      where: { dataset: 'misp-galaxy', joinRule: 'created', actorId: { not: null }, type: 'threat-actor' },
      orderBy: { identifier: 'asc' },
    });
    const cluster = galaxy.values.find((c: any) => c.uuid.toLowerCase() === record.identifier);
    const changed = { ...cluster, description: 'Described anew by the MISP community.' };
    const file = path.join(dir, 'my-clusters.json');
    await writeFile(file, JSON.stringify({ ...galaxy, values: [changed] }));
    const { counts } = await loadSeeds(server.prisma, [file]);
    expect(counts.Actor).toMatchObject({ updated: 1 });
    const actor = await server.prisma.actor.findUniqueOrThrow({ where: { id: record.actorId! } });
    expect(actor.description).toBe(changed.description);
  });

  it('a join made by inference is a recorded merge: an analyst splits it, and the split survives a re-import', async () => {
    const analyst = await server.key('ANALYST', 'RED');
    const absorbed = await server.prisma.actor.findUniqueOrThrow({
      where: { key: 'misp-threat-actor--9c124874-042d-48cd-b72b-ccdc51ecbbd6' },
    });
    expect(absorbed.revoked).toBe(true); // merged into APT41, kept
    const merge = await server.prisma.merge.findFirstOrThrow({ where: { absorbedId: absorbed.id, splitAt: null } });
    expect(merge.note).toContain('"name"');
    const split = await server.raw(
      `mutation($id: ID!) { splitMerge(merge: $id) { splitAt } }`,
      { id: encodeId('Merge', merge.id) },
      analyst,
    );
    expect(split.errors).toBeUndefined();
    const whose = async () =>
      (
        await server.query(
          `{ actor(externalId: "9c124874-042d-48cd-b72b-ccdc51ecbbd6") { id name revoked records { nodes { dataset } } } }`,
        )
      ).actor;
    const apart = await whose();
    expect(apart).toMatchObject({ name: 'APT41', revoked: false, records: { nodes: [{ dataset: 'misp-galaxy' }] } });
    const before = await server.prisma.merge.count();
    await loadSeeds(server.prisma, [mispActorsFile]);
    expect(await whose()).toEqual(apart); // the record stays with the entity the split gave back
    expect(await server.prisma.merge.count()).toBe(before); // and is not joined again
    const attackApt41 = (await server.query(`{ actor(externalId: "G0096") { records { nodes { dataset } } } }`)).actor;
    expect(attackApt41.records.nodes.map((r: any) => r.dataset)).toEqual(['mitre-attack']);
  });
});
