// TLP markings on the way in and out of STIX 2.1: a bundle's marked relationships and reports are
// imported with their markings (a relationship is marked at least as the objects it joins), are
// invisible to callers below them on every path (GraphQL, the STIX downloads, TAXII), and come back out
// with object_marking_refs (granular ones for aliases) and the TLP 2.0 marking definitions, per caller;
// the marked export passes the OASIS STIX validator. Marked records are hidden on every path, and
// nobody imports markings above their own clearance.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { projectRoot } from './helpers/process.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
const TLP1_AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82';
const ids = {
  set: 'intrusion-set--3f0a3f4e-1b7e-4c55-9c34-7e1b9b0d4a11',
  malware: 'malware--9d3e1a5c-0b7a-4f0e-8d3c-2a6b5c7d8e12',
  victim: 'identity--5b8c2d1e-3f4a-4b6c-9d7e-8f9a0b1c2d13',
  uses: 'relationship--7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e14',
  targets: 'relationship--8d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f15',
  report: 'report--9e3f4a5b-6c7d-4e8f-8a9b-1c2d3e4f5a16',
};
const t = '2024-03-01T00:00:00.000Z';
const bundle = (objects: object[]) =>
  JSON.stringify({ type: 'bundle', id: 'bundle--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c17', objects });
const base = [
  { type: 'intrusion-set', spec_version: '2.1', id: ids.set, created: t, modified: t, name: 'Marking Test Set' },
  {
    type: 'malware',
    spec_version: '2.1',
    id: ids.malware,
    created: t,
    modified: t,
    name: 'Marking Test Malware',
    is_family: true,
  },
  {
    type: 'identity',
    spec_version: '2.1',
    id: ids.victim,
    created: t,
    modified: t,
    name: 'Marking Test Exchange',
    identity_class: 'organization',
  },
  {
    type: 'relationship',
    spec_version: '2.1',
    id: ids.uses,
    created: t,
    modified: t,
    relationship_type: 'uses',
    source_ref: ids.set,
    target_ref: ids.malware,
    description: 'Seen in the red incident',
    object_marking_refs: [RED],
    // The same address as a CLEAR source that may be there already: the claim stays marked all the same.
    external_references: [{ source_name: 'Public write-up', url: 'https://example.org/public-write-up' }],
  },
  {
    type: 'relationship',
    spec_version: '2.1',
    id: ids.targets,
    created: t,
    modified: t,
    relationship_type: 'targets',
    source_ref: ids.set,
    target_ref: ids.victim,
    granular_markings: [{ marking_ref: TLP1_AMBER, selectors: ['description'] }],
    description: 'Amber targeting',
  },
  {
    type: 'report',
    spec_version: '2.1',
    id: ids.report,
    created: t,
    modified: t,
    name: 'Amber incident report',
    published: t,
    object_refs: [ids.targets],
    object_marking_refs: [AMBER],
  },
];

let server: TestServer;
let redAdmin: string;
let redReader: string;
let amberReader: string;
const importAs = (key: string, content: string) =>
  server.raw<any>(
    'mutation($c: String!, $f: String!) { importDocument(content: $c, filename: $f) { format counts } }',
    { c: content, f: 'marked.json' },
    key,
  );

beforeAll(async () => {
  server = await startTestServer();
  redAdmin = await server.key('ADMIN', 'RED');
  redReader = await server.key('READER', 'RED');
  amberReader = await server.key('READER', 'AMBER');
  await server.query(
    'mutation { createSource(input: { title: "Public write-up", kind: ARTICLE, url: "https://example.org/public-write-up" }) { id } }',
    {},
    redAdmin,
  );
  const imported = await importAs(redAdmin, bundle(base));
  if (imported.errors) throw new Error(JSON.stringify(imported.errors));
}, 180_000);
afterAll(() => server?.stop());

const usage = '{ tool(name: "Marking Test Malware") { usedBy(first: 10) { totalCount nodes { note tlp } } } }';
const targeting =
  '{ actor(name: "Marking Test Set") { targetings(first: 10) { totalCount nodes { note tlp victim { name } } } victims(first: 10) { totalCount } } }';
const stixOf = async (key?: string) =>
  (await (
    await fetch(`${server.url}/stix/bundle.json`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
  ).json()) as { objects: Record<string, any>[] };
const taxiiOf = async (key?: string) => {
  const res = await fetch(
    `${server.url}/taxii2/api/collections/2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01/objects/?limit=5000`,
    { headers: { accept: 'application/taxii+json;version=2.1', ...(key ? { authorization: `Bearer ${key}` } : {}) } },
  );
  return ((await res.json()) as { objects?: Record<string, any>[] }).objects ?? [];
};

describe(`STIX markings (${databaseLabel})`, () => {
  it('a marked relationship is imported with its marking and hidden below it, even citing a CLEAR source', async () => {
    const hidden = await server.query(usage);
    expect(hidden.tool.usedBy).toEqual({ totalCount: 0, nodes: [] });
    const shown = await server.query(usage, {}, redReader);
    expect(shown.tool.usedBy).toEqual({ totalCount: 1, nodes: [{ note: 'Seen in the red incident', tlp: 'RED' }] });
    expect((await server.query(usage, {}, amberReader)).tool.usedBy.totalCount).toBe(0);
  });

  it('a granular TLP 1.0 marking marks the claim; the victim made for it is reached only through it', async () => {
    expect((await server.query(targeting)).actor).toEqual({
      targetings: { totalCount: 0, nodes: [] },
      victims: { totalCount: 0 },
    });
    // The victim was made only for that claim: it takes its marking.
    const listed = async (key?: string) =>
      (await server.query('{ victims(first: 100) { nodes { name tlp } } }', {}, key)).victims.nodes.filter(
        (v: any) => v.name === 'Marking Test Exchange',
      );
    expect(await listed()).toEqual([]);
    expect(await listed(amberReader)).toEqual([{ name: 'Marking Test Exchange', tlp: 'AMBER' }]);
    const amber = await server.query(targeting, {}, amberReader);
    expect(amber.actor.targetings.nodes).toEqual([
      { note: 'Amber targeting', tlp: 'AMBER', victim: { name: 'Marking Test Exchange' } },
    ]);
    expect(amber.actor.victims.totalCount).toBe(1);
  });

  it('exports carry object_marking_refs and the marking definitions, per caller; anonymous exports hold neither the claims nor the markings', async () => {
    const anonymous = await stixOf();
    const anonymousIds = new Set(anonymous.objects.map((o) => o.id));
    expect(anonymousIds.has(ids.uses)).toBe(false);
    expect(anonymousIds.has(ids.targets)).toBe(false);
    expect(anonymous.objects.some((o) => o.type === 'marking-definition')).toBe(false);
    const red = await stixOf(redReader);
    const uses = red.objects.find((o) => o.id === ids.uses)!;
    expect(uses.object_marking_refs).toEqual([RED]);
    expect(red.objects.find((o) => o.id === ids.targets)!.object_marking_refs).toEqual([AMBER]);
    const definitions = red.objects.filter((o) => o.type === 'marking-definition');
    expect(definitions.map((d) => d.id).sort()).toEqual([AMBER, RED].sort());
    expect(definitions.find((d) => d.id === RED)!.name).toBe('TLP:RED');
    const amber = await stixOf(amberReader);
    expect(amber.objects.some((o) => o.id === ids.uses)).toBe(false);
    expect(amber.objects.find((o) => o.id === ids.targets)!.object_marking_refs).toEqual([AMBER]);
  });

  it('TAXII collections hold the marked objects only for callers cleared for them', async () => {
    expect((await taxiiOf()).some((o) => o.id === ids.uses || o.id === ids.targets)).toBe(false);
    const red = await taxiiOf(redReader);
    expect(red.find((o) => o.id === ids.uses)?.object_marking_refs).toEqual([RED]);
  });

  it('the marked export round-trips: imported again, nothing changes and the markings stay', async () => {
    const red = await stixOf(redReader);
    const again = await importAs(
      redAdmin,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c18',
        objects: red.objects.filter(
          (o) =>
            [ids.set, ids.malware, ids.victim, ids.uses, ids.targets].includes(o.id) || o.type === 'marking-definition',
        ),
      }),
    );
    expect(again.errors).toBeUndefined();
    expect((await server.query(usage, {}, redReader)).tool.usedBy.nodes).toEqual([
      { note: 'Seen in the red incident', tlp: 'RED' },
    ]);
    expect((await server.query(usage)).tool.usedBy.totalCount).toBe(0);
  });

  it.runIf(existsSync(path.join(projectRoot, '../shared/tools/stix-clients/stix-validate')))(
    'the OASIS STIX validator accepts the marked export',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'stix-markings-'));
      const file = path.join(dir, 'red.json');
      await writeFile(file, JSON.stringify(await stixOf(redReader)));
      const run = await promisify(execFile)(path.join(projectRoot, '../shared/tools/stix-clients/stix-validate'), [
        file,
      ]).catch((e) => e);
      expect(run.code ?? 0, `${run.stdout}\n${run.stderr}`).toBe(0);
    },
  );

  it('a marked record is imported with its marking and hidden below it on every path, reads and writes', async () => {
    const secret = {
      ...base[0],
      id: 'intrusion-set--4a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c19',
      name: 'Secret Set',
      aliases: ['Hidden Heron'],
      description: 'quietly exfiltrating wallets',
      object_marking_refs: [RED],
    };
    const uses = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--4b1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c21',
      created: t,
      modified: t,
      relationship_type: 'uses',
      source_ref: secret.id,
      target_ref: ids.malware,
    };
    const r = await importAs(redAdmin, bundle([secret, base[1], uses]));
    expect(r.errors).toBeUndefined();
    const probes: [string, (d: any) => unknown][] = [
      [
        '{ actors(first: 100, filter: {}) { totalCount nodes { name } } }',
        (d) => d.actors.nodes.some((n: any) => n.name === 'Secret Set'),
      ],
      ['{ resolveName(name: "hidden heron") { entity { __typename } } }', (d) => d.resolveName.length > 0],
      [
        '{ search(query: "hidden heron", first: 50) { nodes { ... on Actor { name } } } }',
        (d) => d.search.nodes.some((n: any) => n.name === 'Secret Set'),
      ],
      [
        '{ search(query: "quietly exfiltrating", first: 50) { nodes { ... on Actor { name } } } }',
        (d) => d.search.nodes.some((n: any) => n.name === 'Secret Set'),
      ],
      [
        '{ tool(name: "Marking Test Malware") { usedBy(first: 10) { nodes { by { ... on Actor { name } } } } } }',
        (d) => d.tool.usedBy.nodes.some((n: any) => n.by?.name === 'Secret Set'),
      ],
    ];
    for (const [q, holds] of probes) {
      const red = await server.query(q, {}, redReader);
      expect(holds(red), q).toBeTruthy();
      const anonymous = await server.raw<any>(q);
      expect(anonymous.errors, q).toBeUndefined();
      expect(holds(anonymous.data), q).toBeFalsy();
    }
    const lookup = await server.raw<any>('{ actor(name: "Secret Set") { id } }');
    expect(lookup.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const id = (await server.query('{ actor(name: "Secret Set") { id tlp } }', {}, redReader)).actor;
    expect(id.tlp).toBe('RED');
    for (const key of [undefined, amberReader])
      expect(
        (await server.raw<any>('query($id: ID!) { node(id: $id) { id } }', { id: id.id }, key)).errors?.[0].extensions
          ?.code,
      ).toBe('NOT_FOUND');
    // Writes: an AMBER analyst cannot change it, name it or claim about it (answered as unknown).
    const amberAnalyst = await server.key('ANALYST', 'AMBER');
    const update = await server.raw<any>(
      'mutation($id: ID!) { updateActor(input: { id: $id, expectedVersion: 1, tlp: CLEAR }) { id } }',
      { id: id.id },
      amberAnalyst,
    );
    expect(update.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const named = await server.raw<any>(
      'mutation($id: ID!) { addName(input: { owner: $id, value: "Exposed" }) { id } }',
      { id: id.id },
      amberAnalyst,
    );
    expect(named.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // Exports: the SDO carries its marking for the RED caller; nobody else gets it, nor the relationship.
    const red = await stixOf(redReader);
    expect(red.objects.find((o) => o.id === secret.id)?.object_marking_refs).toEqual([RED]);
    const anonymousIds = new Set((await stixOf()).objects.map((o) => o.id));
    expect(anonymousIds.has(secret.id) || anonymousIds.has(uses.id)).toBe(false);
    expect((await taxiiOf(amberReader)).some((o) => o.id === secret.id)).toBe(false);
  });

  it('a record marked through the API is hidden below its marking; lowering it shows it and its facts again', async () => {
    const made = await server.query(
      'mutation { createActor(input: { name: "Amber Heron", tlp: AMBER }) { id tlp version } }',
      {},
      redAdmin,
    );
    expect(made.createActor.tlp).toBe('AMBER');
    expect((await server.raw<any>('{ actor(name: "Amber Heron") { id } }')).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await server.query('{ actor(name: "Amber Heron") { id } }', {}, amberReader)).actor.id).toBe(
      made.createActor.id,
    );
    await server.query(
      'mutation($id: ID!) { updateActor(input: { id: $id, expectedVersion: 1, tlp: CLEAR }) { id } }',
      { id: made.createActor.id },
      redAdmin,
    );
    expect((await server.query('{ actor(name: "Amber Heron") { id names { totalCount } } }')).actor).toEqual({
      id: made.createActor.id,
      names: { totalCount: 1 },
    });
  });

  it('an alias more marked than its record is exported with a granular marking, and comes back marked', async () => {
    const actor = (
      await server.query('mutation { createActor(input: { name: "Granular Heron" }) { id } }', {}, redAdmin)
    ).createActor.id;
    await server.query(
      'mutation($o: ID!) { addName(input: { owner: $o, value: "Red Heron", tlp: RED }) { id } }',
      { o: actor },
      redAdmin,
    );
    const sdo = (
      await (
        await fetch(`${server.url}/stix/${actor}?depth=1`, { headers: { authorization: `Bearer ${redReader}` } })
      ).json()
    ).objects.find((o: any) => o.name === 'Granular Heron');
    expect(sdo.object_marking_refs).toBeUndefined();
    expect(sdo.granular_markings).toEqual([
      { marking_ref: RED, selectors: [`aliases.[${sdo.aliases.indexOf('Red Heron')}]`] },
    ]);
    const anonymousSdo = (await (await fetch(`${server.url}/stix/${actor}?depth=1`)).json()).objects.find(
      (o: any) => o.name === 'Granular Heron',
    );
    expect(anonymousSdo.aliases ?? []).not.toContain('Red Heron');
    // Imported elsewhere (a fresh key in this database: a new record), the alias keeps its marking.
    const copy = {
      ...sdo,
      id: 'intrusion-set--6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c22',
      name: 'Granular Heron Copy',
      external_references: undefined,
    };
    const definitions = (await stixOf(redReader)).objects.filter((o) => o.type === 'marking-definition');
    expect((await importAs(redAdmin, bundle([copy, ...definitions]))).errors).toBeUndefined();
    expect(
      (await server.query('{ resolveName(name: "red heron") { entity { ... on Actor { name } } } }')).resolveName,
    ).toEqual([]);
    expect(
      (
        await server.query(
          '{ resolveName(name: "red heron") { entity { ... on Actor { name } } names { tlp } } }',
          {},
          redReader,
        )
      ).resolveName
        .map((r: any) => r.entity.name)
        .sort(),
    ).toEqual(['Granular Heron', 'Granular Heron Copy']);
  });

  it.runIf(existsSync(path.join(projectRoot, '../shared/tools/stix-clients/taxii-check')))(
    'the OASIS TAXII client walks the marked collections for a cleared and an uncleared caller',
    async () => {
      const check = (args: string[]) =>
        promisify(execFile)(path.join(projectRoot, '../shared/tools/stix-clients/taxii-check'), [
          `${server.url}/taxii2/`,
          ...args,
        ]).catch((e) => e);
      for (const args of [[], ['--header', `Authorization: Bearer ${redReader}`]]) {
        const run = await check(args);
        expect(run.code ?? 0, `${run.stdout}\n${run.stderr}`).toBe(0);
      }
    },
  );

  it('an admin cannot import markings above their own clearance', async () => {
    const amberAdmin = await server.key('ADMIN', 'AMBER');
    const r = await importAs(
      amberAdmin,
      bundle(
        base.map((o) => (o.id === ids.uses ? { ...o, id: 'relationship--5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c20' } : o)),
      ),
    );
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toContain('above this key');
  });

  it('the import is audited at its highest marking', async () => {
    const clearAdmin = await server.key('ADMIN', 'CLEAR');
    const q = '{ auditLog(operation: "importDocument", first: 10) { totalCount nodes { visibility } } }';
    expect((await server.query(q, {}, clearAdmin)).auditLog.totalCount).toBe(0);
    expect((await server.query(q, {}, redAdmin)).auditLog.nodes.map((n: any) => n.visibility)).toContain('RED');
  });
});
