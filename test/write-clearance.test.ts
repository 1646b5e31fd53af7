// Clearance on the way in: a caller can change, delete, supersede, cite, name, merge and split only
// what they can see, and a record above their clearance answers every mutation exactly as an unknown
// one (NOT_FOUND, before any version is compared) and is left as it was. Collisions with hidden facts
// (a name, a key) do not reveal them. The audit log, merges and page cursors hold the same rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
let green: string; // an analyst cleared for TLP:GREEN
let red: string; // an analyst cleared for TLP:RED
let clearAdmin: string;
let redAdmin: string;
const ids: Record<string, string> = {};
const UNKNOWN_SOURCE = Buffer.from('Source:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64');

const create = async (mutation: string, input: Record<string, unknown>, key = red) => {
  const field = mutation.replace(/^(\w)/, (c) => c.toLowerCase());
  const result = await server.raw<any>(
    `mutation($i: ${mutation.replace(/^./, (c) => c.toUpperCase())}Input!) { ${field}(input: $i) { id } }`,
    { i: input },
    key,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data[field].id as string;
};

beforeAll(async () => {
  server = await inProcess();
  green = await server.key('ANALYST', 'GREEN');
  red = await server.key('ANALYST', 'RED');
  clearAdmin = await server.key('ADMIN', 'CLEAR');
  redAdmin = await server.key('ADMIN', 'RED');
  ids.lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
  ids.redSource = await create('createSource', {
    title: 'Red report',
    kind: 'REPORT',
    tlp: 'RED',
    note: 'red note',
    key: 'red-report',
  });
  ids.greenSource = await create('createSource', { title: 'Green report', kind: 'REPORT', tlp: 'GREEN' });
  ids.redName = await create('addName', {
    owner: ids.lazarus,
    value: 'Crimson Kettle',
    sources: [{ source: ids.redSource }],
  });
  ids.victim = await create('createVictim', { name: 'Write Test Bank', kind: 'ORGANIZATION' });
  ids.redTargeting = await create('recordTargeting', {
    by: ids.lazarus,
    victim: ids.victim,
    sources: [{ source: ids.redSource }],
  });
  ids.campaign = await create('createCampaign', { name: 'Write Test Campaign' });
  ids.redAttribution = await create('recordAttribution', {
    subject: ids.campaign,
    actor: ids.lazarus,
    sources: [{ source: ids.redSource }],
  });
}, 180_000);
afterAll(() => server?.stop());

/** The error an answer carries, as a caller sees it (code and message). */
const errorOf = (r: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => ({
  code: r.errors?.[0]?.extensions?.code,
  message: r.errors?.[0]?.message,
});

describe(`clearance on writes (${databaseLabel})`, () => {
  it('a hidden source answers update and delete as an unknown one, whatever version is sent, and is left as it was', async () => {
    const mutations = [
      ['mutation($id: ID!) { updateSource(input: { id: $id, expectedVersion: 1, tlp: GREEN }) { title note tlp } }'],
      ['mutation($id: ID!) { updateSource(input: { id: $id, expectedVersion: 7, title: "x" }) { title } }'],
      ['mutation($id: ID!) { deleteSource(id: $id, expectedVersion: 1) { id } }'],
      ['mutation($id: ID!) { deleteSource(id: $id, expectedVersion: 3) { id } }'],
    ];
    for (const [m] of mutations) {
      const hidden = await server.raw<any>(m, { id: ids.redSource }, green);
      const unknown = await server.raw<any>(m, { id: UNKNOWN_SOURCE }, green);
      expect(hidden.data).toBeNull();
      expect(errorOf(hidden)).toEqual(errorOf(unknown));
      expect(errorOf(hidden).code).toBe('NOT_FOUND');
      expect(JSON.stringify(hidden)).not.toMatch(/Red report|red note|currentVersion/);
    }
    const still = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Source { title tlp version } } }',
      { id: ids.redSource },
      red,
    );
    expect(still.node).toEqual({ title: 'Red report', tlp: 'RED', version: 1 });
    // The name it alone supports stays hidden from GREEN.
    const names = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Actor { names(first: 100) { nodes { value } } } } }',
      { id: ids.lazarus },
      green,
    );
    expect(names.node.names.nodes.map((n: any) => n.value)).not.toContain('Crimson Kettle');
  });

  it('hidden names and claims: update, delete, remove and supersede answer as unknown ones', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['mutation($id: ID!) { removeName(id: $id, expectedVersion: 1) { id } }', { id: ids.redName }],
      [
        'mutation($id: ID!) { updateTargeting(input: { id: $id, expectedVersion: 1, tlp: CLEAR }) { id note } }',
        { id: ids.redTargeting },
      ],
      ['mutation($id: ID!) { deleteTargeting(id: $id, expectedVersion: 2) { id } }', { id: ids.redTargeting }],
      [
        'mutation($id: ID!) { updateAttribution(input: { id: $id, expectedVersion: 1, status: RETRACTED }) { id } }',
        { id: ids.redAttribution },
      ],
      [
        'mutation($id: ID!, $s: ID!) { supersedeAttribution(input: { id: $id, expectedVersion: 1, actor: null, attributedToDescription: "x", sources: [{ source: $s }] }) { id } }',
        { id: ids.redAttribution, s: ids.greenSource },
      ],
    ];
    for (const [m, v] of cases) {
      const hidden = await server.raw<any>(m, v, green);
      const type = Buffer.from(String(v.id), 'base64').toString().split(':')[0];
      const unknown = await server.raw<any>(
        m,
        { ...v, id: Buffer.from(`${type}:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01`).toString('base64') },
        green,
      );
      expect(errorOf(hidden).code).toBe('NOT_FOUND');
      expect(errorOf(hidden)).toEqual(errorOf(unknown));
    }
    const after = await server.query(
      'query($n: ID!, $t: ID!, $a: ID!) { n: node(id: $n) { ... on Name { version } } t: node(id: $t) { ... on Targeting { version tlp } } a: node(id: $a) { ... on Attribution { version status } } }',
      { n: ids.redName, t: ids.redTargeting, a: ids.redAttribution },
      red,
    );
    expect(after).toEqual({ n: { version: 1 }, t: { version: 1, tlp: 'CLEAR' }, a: { version: 1, status: 'CURRENT' } });
  });

  it('a claim cannot cite a hidden source (answered as an unknown one)', async () => {
    const m =
      'mutation($a: ID!, $v: ID!, $s: ID!) { recordTargeting(input: { by: $a, victim: $v, sources: [{ source: $s }] }) { id } }';
    const hidden = await server.raw<any>(m, { a: ids.lazarus, v: ids.victim, s: ids.redSource }, green);
    const unknown = await server.raw<any>(m, { a: ids.lazarus, v: ids.victim, s: UNKNOWN_SOURCE }, green);
    expect(errorOf(hidden).code).toBe('NOT_FOUND');
    expect(errorOf(hidden)).toEqual(errorOf(unknown));
  });

  it("adding a name that only a hidden record holds records the caller's own beside it", async () => {
    const added = await server.raw<any>(
      'mutation($o: ID!, $s: ID!) { addName(input: { owner: $o, value: "crimson-kettle", sources: [{ source: $s }] }) { value tlp } }',
      { o: ids.lazarus, s: ids.greenSource },
      green,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data.addName).toEqual({ value: 'crimson-kettle', tlp: 'CLEAR' });
    const seen = (key: string) =>
      server.query(
        'query($id: ID!) { node(id: $id) { ... on Actor { names(first: 100) { nodes { value } } } } }',
        { id: ids.lazarus },
        key,
      );
    expect(
      (await seen(green)).node.names.nodes.map((n: any) => n.value).filter((v: string) => /kettle/i.test(v)),
    ).toEqual(['crimson-kettle']);
    expect(
      (await seen(red)).node.names.nodes
        .map((n: any) => n.value)
        .filter((v: string) => /kettle/i.test(v))
        .sort(),
    ).toEqual(['Crimson Kettle', 'crimson-kettle']);
    // A name the caller can see is a duplicate.
    const again = await server.raw<any>(
      'mutation($o: ID!) { addName(input: { owner: $o, value: "Crimson Kettle" }) { id } }',
      { o: ids.lazarus },
      green,
    );
    expect(errorOf(again).code).toBe('ALREADY_EXISTS');
  });

  it('a key held by a hidden record does not refuse a new one (it gets another key); a visible one does', async () => {
    const made = await server.raw<any>(
      'mutation { createSource(input: { title: "Mine", kind: REPORT, key: "red-report" }) { key title } }',
      {},
      green,
    );
    expect(made.errors).toBeUndefined();
    expect(made.data.createSource.key).toMatch(/^red-report-[0-9a-f]{8}$/);
    const visible = await server.raw<any>(
      'mutation { createSource(input: { title: "Mine again", kind: REPORT, key: "red-report" }) { key } }',
      {},
      red,
    );
    expect(errorOf(visible).code).toBe('ALREADY_EXISTS');
  });

  it("markings: none above the caller's clearance, on records and claims", async () => {
    const r = await server.raw<any>(
      'mutation { createSource(input: { title: "Too high", kind: REPORT, tlp: AMBER }) { id } }',
      {},
      green,
    );
    expect(errorOf(r).code).toBe('BAD_USER_INPUT');
    expect(errorOf(r).message).toContain('input.tlp');
  });
});

describe(`the audit log by clearance (${databaseLabel})`, () => {
  it("entries about records above the admin's clearance are not listed, counted or reachable by id", async () => {
    const q =
      'query($r: ID!) { auditLog(record: $r, first: 50) { totalCount nodes { id operation visibility before after } } }';
    const cleared = await server.query(q, { r: ids.redSource }, redAdmin);
    expect(cleared.auditLog.nodes.map((n: any) => n.operation)).toEqual(['createSource']);
    expect(cleared.auditLog.nodes[0].visibility).toBe('RED');
    const uncleared = await server.query(q, { r: ids.redSource }, clearAdmin);
    expect(uncleared.auditLog).toEqual({ totalCount: 0, nodes: [] });
    const byId = await server.raw<any>(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: cleared.auditLog.nodes[0].id },
      clearAdmin,
    );
    expect(errorOf(byId).code).toBe('NOT_FOUND');
    // Over the whole log: what the CLEAR admin sees holds no RED or GREEN data, and the counts agree.
    const all = await server.query(
      '{ auditLog(first: 100) { totalCount nodes { visibility before after } } }',
      {},
      clearAdmin,
    );
    expect(all.auditLog.nodes.every((n: any) => n.visibility === 'CLEAR')).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/Red report|Crimson Kettle|Green report/);
    const everything = await server.query('{ auditLog(first: 100) { totalCount } }', {}, redAdmin);
    expect(everything.auditLog.totalCount).toBeGreaterThan(all.auditLog.totalCount);
  });
});

describe(`merges by clearance (${databaseLabel})`, () => {
  it('a merge that moves marked facts takes their marking: hidden from callers below it, split refused as unknown', async () => {
    const survivor = await create('createTool', { name: 'Merge Survivor', kind: 'MALWARE' }, red);
    const absorbed = await create('createTool', { name: 'Merge Absorbed', kind: 'MALWARE' }, red);
    await create('addName', { owner: absorbed, value: 'Red Alias', sources: [{ source: ids.redSource }] }, red);
    const merged = await server.query(
      'mutation($s: ID!, $a: ID!) { mergeRecords(input: { survivor: $s, survivorVersion: 1, absorbed: $a, absorbedVersion: 1, note: "red evidence" }) { id tlp movedRows } }',
      { s: survivor, a: absorbed },
      red,
    );
    expect(merged.mergeRecords.tlp).toBe('RED');
    expect(merged.mergeRecords.movedRows['Name.toolId']).toBe(2);
    const list = (key?: string) =>
      server.raw<any>(
        'query($r: ID!) { merges(record: $r) { totalCount nodes { note movedRows } } }',
        { r: survivor },
        key,
      );
    expect((await list(red)).data.merges.totalCount).toBe(1);
    expect((await list()).data.merges).toEqual({ totalCount: 0, nodes: [] });
    expect((await list(green)).data.merges).toEqual({ totalCount: 0, nodes: [] });
    const split = await server.raw<any>(
      'mutation($m: ID!) { splitMerge(merge: $m) { id } }',
      { m: merged.mergeRecords.id },
      green,
    );
    const unknown = await server.raw<any>(
      'mutation($m: ID!) { splitMerge(merge: $m) { id } }',
      { m: Buffer.from('Merge:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64') },
      green,
    );
    expect(errorOf(split).code).toBe('NOT_FOUND');
    expect(errorOf(split)).toEqual(errorOf(unknown));
  });

  it('a merge of visible facts lists only the moved rows the caller may see', async () => {
    const survivor = await create('createTool', { name: 'Count Survivor', kind: 'MALWARE' }, green);
    const absorbed = await create('createTool', { name: 'Count Absorbed', kind: 'MALWARE' }, green);
    const merged = await server.query(
      'mutation($s: ID!, $a: ID!) { mergeRecords(input: { survivor: $s, survivorVersion: 1, absorbed: $a, absorbedVersion: 1, note: "same hash" }) { id tlp movedRows } }',
      { s: survivor, a: absorbed },
      green,
    );
    expect(merged.mergeRecords).toMatchObject({ tlp: 'CLEAR', movedRows: { 'Name.toolId': 1 } });
    expect(
      (await server.query('query($r: ID!) { merges(record: $r) { nodes { note movedRows } } }', { r: survivor })).merges
        .nodes,
    ).toEqual([{ note: 'same hash', movedRows: { 'Name.toolId': 1 } }]);
  });
});

describe(`page cursors are checked like ids (${databaseLabel})`, () => {
  it('a cursor naming a hidden row pages as one naming no row; a crafted one is refused with a code', async () => {
    const q =
      'query($id: ID!, $after: String) { node(id: $id) { ... on Actor { names(first: 3, after: $after) { totalCount edges { cursor node { value } } } } } }';
    const cursorOf = (id: string) => Buffer.from(`GPC:S:${id}`).toString('base64');
    const hiddenId = Buffer.from(ids.redName, 'base64').toString().split(':')[1];
    // The cursor format is Pothos' own: the RED caller's real cursors look like this one.
    const redPage = await server.query(q, { id: ids.lazarus }, red);
    expect(redPage.node.names.edges[0].cursor).toMatch(/^R1BDOlM6/); // "GPC:S:"
    const hidden = await server.raw<any>(q, { id: ids.lazarus, after: cursorOf(hiddenId) });
    const unknown = await server.raw<any>(q, {
      id: ids.lazarus,
      after: cursorOf('2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01'),
    });
    expect(hidden).toEqual(unknown);
    // The RED caller pages from it as from any of its names.
    const fromIt = await server.query(q, { id: ids.lazarus, after: cursorOf(hiddenId) }, red);
    expect(fromIt.node.names.edges.length).toBeGreaterThan(0);
    // Top-level lists too (sources).
    const sq = 'query($after: String) { sources(first: 2, after: $after) { edges { node { title } } } }';
    const redSourceId = Buffer.from(ids.redSource, 'base64').toString().split(':')[1];
    expect(await server.raw<any>(sq, { after: cursorOf(redSourceId) })).toEqual(
      await server.raw<any>(sq, { after: cursorOf('2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01') }),
    );
    const crafted = await server.raw<any>(q, { id: ids.lazarus, after: cursorOf('not-a-uuid') });
    expect(errorOf(crafted).code).toBe('INVALID_PAGE_ARGUMENT');
  });
});
