// The change log: every write (mutations and imports, through the one write layer) appends typed events
// that `changes` pages in commit order and `history(of:)` gathers per record, with who made each change
// and the sources a claim gained or lost. A reader resuming from a cursor misses nothing and sees
// nothing twice; a caller's clearance hides the events about what it may not see, counts included,
// even when the record was marked after the event was written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';

let server: InProcess;
let green: string;
let red: string;
beforeAll(async () => {
  server = await inProcess();
  green = await server.key('ANALYST', 'GREEN');
  red = await server.key('ANALYST', 'RED');
}, 180_000);
afterAll(() => server?.stop());

const eventFields = `cursor at kind entityType entityId fields operation by
  entity { __typename ... on Actor { name } ... on Targeting { status } ... on Campaign { name } ... on Name { value } }
  sourcesAdded { title } sourcesWithdrawn { title }`;
const changesQuery = `query($after: String, $since: DateTime, $types: [ChangeKind!], $entity: ID, $first: Int) {
  changes(after: $after, since: $since, types: $types, entity: $entity, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${eventFields} } } }`;
const historyQuery = `query($of: ID!, $after: String, $first: Int) {
  history(of: $of, after: $after, first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { ${eventFields} } } }`;

const changes = async (variables: Record<string, unknown>, key?: string) => {
  const r = await server.raw<any>(changesQuery, variables, key);
  expect(r.errors).toBeUndefined();
  return r.data.changes;
};
const history = async (of: string, key?: string, first = 100) => {
  const r = await server.raw<any>(historyQuery, { of, first }, key);
  expect(r.errors).toBeUndefined();
  return r.data.history;
};
/** The cursor after which only what the test does next is in the log. */
const lastCursor = async () => {
  let page = await changes({ first: 100 }, red);
  let cursor = page.pageInfo.endCursor;
  while (page.pageInfo.hasNextPage) {
    page = await changes({ first: 100, after: cursor }, red);
    cursor = page.pageInfo.endCursor;
  }
  return cursor as string;
};

describe(`change log (${databaseLabel})`, () => {
  it("the seed is in the log: CryptoCore's history holds its creation, its names and its attributions with their sources", async () => {
    const { campaign } = await server.query('{ campaign(name: "CryptoCore") { id } }');
    const h = await history(campaign.id);
    const kinds = h.nodes.map((e: any) => e.kind);
    expect(kinds).toContain('ENTITY_CREATED');
    expect(kinds).toContain('NAME_ADDED');
    expect(kinds).toContain('CLAIM_RECORDED');
    expect(h.totalCount).toBe(h.nodes.length);
    const created = h.nodes.find((e: any) => e.kind === 'ENTITY_CREATED');
    expect(created).toMatchObject({ entityType: 'Campaign', entityId: campaign.id, operation: 'seed' });
    expect(created.entity).toEqual({ __typename: 'Campaign', name: 'CryptoCore' });
    const names = h.nodes.filter((e: any) => e.kind === 'NAME_ADDED').map((e: any) => e.entity.value);
    expect(names).toEqual(expect.arrayContaining(['Dangerous Password', 'Leery Turtle', 'CryptoMimic']));
    const attributions = h.nodes.filter((e: any) => e.entityType === 'Attribution');
    expect(attributions.length).toBeGreaterThanOrEqual(2);
    for (const a of attributions) expect(a.sourcesAdded.length).toBeGreaterThan(0);
    // In commit order.
    const seqs = h.nodes.map((e: any) => Buffer.from(e.cursor, 'base64').toString());
    expect(seqs.map((s: string) => BigInt(s.split(':')[1]))).toEqual(
      [...seqs.map((s: string) => BigInt(s.split(':')[1]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it("a mutation's changes are events with the fields it changed, who made them and the sources added or withdrawn", async () => {
    const from = await lastCursor();
    const m = mutator(server, red);
    const source = await m('createSource', { title: 'Change log report', kind: 'REPORT' });
    await m('createSource', { title: 'Change log second report', kind: 'REPORT' });
    const actor = await m('createActor', { name: 'Change Log Actor' });
    const victim = await m('createVictim', { name: 'Change Log Bank', kind: 'ORGANIZATION' });
    const targeting = await m('recordTargeting', { by: actor, victim, sources: [{ source }] });
    const read = async (id: string, type: string) =>
      (await server.raw<any>(`query($id: ID!) { node(id: $id) { ... on ${type} { version } } }`, { id }, red)).data.node
        .version;
    const edited = await server.raw<any>(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
      { i: { id: actor, expectedVersion: await read(actor, 'Actor'), description: 'Seen in the change log test.' } },
      red,
    );
    expect(edited.errors).toBeUndefined();
    const retracted = await server.raw<any>(
      'mutation($i: UpdateTargetingInput!) { updateTargeting(input: $i) { status } }',
      { i: { id: targeting, expectedVersion: await read(targeting, 'Targeting'), status: 'RETRACTED' } },
      red,
    );
    expect(retracted.errors).toBeUndefined();
    const page = await changes({ after: from, first: 50 }, red);
    const summary = page.nodes.map((e: any) => [e.kind, e.entityType, e.operation]);
    expect(summary).toEqual([
      ['SOURCE_ADDED', 'Source', 'createSource'],
      ['SOURCE_ADDED', 'Source', 'createSource'],
      ['ENTITY_CREATED', 'Actor', 'createActor'],
      ['NAME_ADDED', 'Name', 'createActor'],
      ['ENTITY_CREATED', 'Victim', 'createVictim'],
      ['CLAIM_RECORDED', 'Targeting', 'recordTargeting'],
      ['ENTITY_UPDATED', 'Actor', 'updateActor'],
      ['CLAIM_RETRACTED', 'Targeting', 'updateTargeting'],
    ]);
    expect(page.totalCount).toBe(page.nodes.length);
    const [recorded] = page.nodes.filter((e: any) => e.kind === 'CLAIM_RECORDED');
    expect(recorded.sourcesAdded).toEqual([{ title: 'Change log report' }]);
    expect(recorded.entity).toEqual({ __typename: 'Targeting', status: 'RETRACTED' });
    const updated = page.nodes.find((e: any) => e.kind === 'ENTITY_UPDATED');
    expect(updated.fields).toEqual(['description']);
    expect(updated.by).toMatch(/./);
    expect(page.nodes.find((e: any) => e.kind === 'CLAIM_RETRACTED').fields).toContain('status');

    // The actor's history: its creation, its edit and its targeting claim, recorded then retracted.
    const h = await history(actor, red);
    expect(h.nodes.map((e: any) => e.kind)).toEqual([
      'ENTITY_CREATED',
      'NAME_ADDED',
      'CLAIM_RECORDED',
      'ENTITY_UPDATED',
      'CLAIM_RETRACTED',
    ]);

    // A deleted claim keeps its events; the record is null now.
    const deleted = await server.raw<any>(
      'mutation($id: ID!, $v: Int!) { deleteTargeting(id: $id, expectedVersion: $v) { id } }',
      { id: targeting, v: await read(targeting, 'Targeting') },
      red,
    );
    expect(deleted.errors).toBeUndefined();
    const after = await history(targeting, red);
    expect(after.nodes.at(-1)).toMatchObject({ kind: 'CLAIM_DELETED', entity: null, entityId: targeting });
    expect(after.nodes[0].entity).toBeNull();
  });

  it('paging from a cursor misses nothing and repeats nothing; the filters hold; a bad cursor is refused', async () => {
    const all: string[] = [];
    let after: string | null = null;
    let total: number | null = null;
    do {
      const page: any = await changes({ after, first: 97 });
      total ??= page.totalCount as number; // without a cursor: the whole log
      all.push(...page.nodes.map((e: any) => e.cursor));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(all.length).toBe(total);
    expect(new Set(all).size).toBe(total);
    const names = await changes({ types: ['NAME_ADDED'], first: 5 });
    expect(names.totalCount).toBeGreaterThan(5);
    for (const e of names.nodes) expect(e.kind).toBe('NAME_ADDED');
    const future = await changes({ since: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future).toMatchObject({ totalCount: 0, nodes: [] });
    // A page's statements do not grow with its size: the page and its count, the sources of the whole
    // page, and at most two reads per type of record on it (the rows, and what their fields select).
    for (const first of [5, 50, 100]) {
      const answer = await server.raw<any>(changesQuery, { first }, red);
      const types = new Set(answer.data.changes.nodes.map((e: any) => e.entityType)).size;
      expect(answer.extensions?.sqlStatements).toBeLessThanOrEqual(3 + 2 * types);
    }
    const bad = await server.raw<any>('{ changes(after: "garbage") { totalCount } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_PAGE_ARGUMENT');
    const badOf = await server.raw<any>('{ history(of: "garbage") { totalCount } }');
    expect(badOf.errors?.[0]?.extensions?.code).toBe('INVALID_ID');
  });

  it('clearance: events about what a caller may not see are not in its log, counts agree, even for a record marked later', async () => {
    const from = await lastCursor();
    const m = mutator(server, red);
    const redSource = await m('createSource', { title: 'Change log red report', kind: 'REPORT', tlp: 'RED' });
    const actor = await m('createActor', { name: 'Change Log Later Red' });
    const victim = await m('createVictim', { name: 'Change Log Hidden Victim', kind: 'ORGANIZATION' });
    await m('recordTargeting', { by: actor, victim, sources: [{ source: redSource }] });
    const version = (
      await server.raw<any>('query($id: ID!) { node(id: $id) { ... on Actor { version } } }', { id: actor }, red)
    ).data.node.version;
    const marked = await server.raw<any>(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { tlp } }',
      { i: { id: actor, expectedVersion: version, tlp: 'RED' } },
      red,
    );
    expect(marked.errors).toBeUndefined();
    const forRed = await changes({ after: from, first: 50 }, red);
    const forGreen = await changes({ after: from, first: 50 }, green);
    expect(forRed.nodes.map((e: any) => e.kind)).toEqual([
      'SOURCE_ADDED',
      'ENTITY_CREATED',
      'NAME_ADDED',
      'ENTITY_CREATED',
      'CLAIM_RECORDED',
      'ENTITY_UPDATED',
    ]);
    // GREEN sees the victim's creation only: not the red source, not the claim it supports, and not the
    // actor or its name, created CLEAR but RED now.
    expect(forGreen.nodes.map((e: any) => [e.kind, e.entityType])).toEqual([['ENTITY_CREATED', 'Victim']]);
    expect(forGreen.totalCount).toBe(forGreen.nodes.length);
    // A hidden record's history answers as an unknown one's: empty.
    const hidden = await history(actor, green);
    const unknown = await history(Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64'), green);
    expect(hidden).toEqual(unknown);
    expect(hidden.totalCount).toBe(0);
    expect((await history(actor, red)).totalCount).toBe(4);
    // The whole log's counts agree with its pages for both.
    const totalRed = (await changes({ first: 0 }, red)).totalCount;
    const totalGreen = (await changes({ first: 0 }, green)).totalCount;
    expect(totalRed - totalGreen).toBeGreaterThanOrEqual(4);
  });

  it('stateAt: a record, its names and claims as stored at a moment, from the change log', async () => {
    const m = mutator(server, red);
    const source = await m('createSource', { title: 'State report', kind: 'REPORT' });
    const actor = await m('createActor', { name: 'State Test Actor', description: 'Before.' });
    const victim = await m('createVictim', { name: 'State Test Bank', kind: 'ORGANIZATION' });
    const targeting = await m('recordTargeting', { by: actor, victim, sources: [{ source }] });
    await new Promise((r) => setTimeout(r, 20));
    const then = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const read = async (id: string, type: string) =>
      (await server.raw<any>(`query($id: ID!) { node(id: $id) { ... on ${type} { version } } }`, { id }, red)).data.node
        .version;
    await server.query(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { id } }',
      { i: { id: actor, expectedVersion: await read(actor, 'Actor'), description: 'After.' } },
      red,
    );
    await m('addName', { owner: actor, value: 'State Test Alias', sources: [{ source }] });
    await server.query(
      'mutation($id: ID!, $v: Int!) { deleteTargeting(id: $id, expectedVersion: $v) { id } }',
      { id: targeting, v: await read(targeting, 'Targeting') },
      red,
    );
    const stateAt = `query($of: ID!, $asOf: DateTime!) { stateAt(of: $of, asOf: $asOf) {
      record { type id state } names { state } claims { type id state } merges { id } } }`;
    const past = (await server.query(stateAt, { of: actor, asOf: then }, red)).stateAt;
    expect(past.record).toMatchObject({
      type: 'Actor',
      id: actor,
      state: { description: 'Before.', name: 'State Test Actor' },
    });
    expect(past.names.map((n: any) => n.state.value)).toEqual(['State Test Actor']);
    expect(past.claims.map((c: any) => [c.type, c.id])).toEqual([['Targeting', targeting]]);
    const now = (await server.query(stateAt, { of: actor, asOf: new Date(Date.now() + 1000).toISOString() }, red))
      .stateAt;
    expect(now.record.state.description).toBe('After.');
    expect(now.names.map((n: any) => n.state.value).sort()).toEqual(['State Test Actor', 'State Test Alias']);
    expect(now.claims).toEqual([]);
    // Before it was created: nothing.
    const before = (await server.query(stateAt, { of: actor, asOf: '2000-01-01T00:00:00Z' }, red)).stateAt;
    expect(before).toEqual({ record: null, names: [], claims: [], merges: [] });
    // Clearance: a RED claim stored then is not in a GREEN caller's view of that moment.
    const redSource = await m('createSource', { title: 'State red report', kind: 'REPORT', tlp: 'RED' });
    await m('recordTargeting', { by: actor, victim, sources: [{ source: redSource }] });
    const later = new Date(Date.now() + 1000).toISOString();
    expect((await server.query(stateAt, { of: actor, asOf: later }, red)).stateAt.claims).toHaveLength(1);
    const forGreen = (await server.query(stateAt, { of: actor, asOf: later }, green)).stateAt;
    expect(forGreen.claims).toEqual([]);
    expect(JSON.stringify(forGreen)).not.toContain('State red report');
  });

  it("a merge and its split: the moved names and claims are changes of the survivor's, then of the absorbed record's again", async () => {
    const m = mutator(server, red);
    const source = await m('createSource', { title: 'Merge log report', kind: 'REPORT' });
    const survivor = await m('createActor', { name: 'Merge Log Survivor' });
    const absorbed = await m('createActor', { name: 'Merge Log Absorbed' });
    const victim = await m('createVictim', { name: 'Merge Log Bank', kind: 'ORGANIZATION' });
    const claim = await m('recordTargeting', { by: absorbed, victim, sources: [{ source }] });
    const version = async (id: string) =>
      (await server.raw<any>('query($id: ID!) { node(id: $id) { ... on Actor { version } } }', { id }, red)).data.node
        .version;
    const merged = await server.raw<any>(
      'mutation($i: MergeRecordsInput!) { mergeRecords(input: $i) { id } }',
      { i: { survivor, absorbed, survivorVersion: await version(survivor), absorbedVersion: await version(absorbed) } },
      red,
    );
    expect(merged.errors).toBeUndefined();
    const kinds = async (of: string) =>
      (await history(of, red)).nodes.map((e: any) => `${e.kind} ${e.entityType} ${e.fields.join(',')}`);
    const afterMerge = await kinds(survivor);
    expect(afterMerge.some((k: string) => k.startsWith('ENTITY_MERGED Merge '))).toBe(true);
    expect(afterMerge.filter((k: string) => k.startsWith('ENTITY_UPDATED'))).toEqual([]); // a version bump is no event
    expect(afterMerge).toContain('NAME_UPDATED Name actorId');
    expect(afterMerge).toContain('CLAIM_UPDATED Targeting actorId');
    const at = new Date(Date.now() + 1000).toISOString();
    const state = (
      await server.query(
        'query($of: ID!, $asOf: DateTime!) { stateAt(of: $of, asOf: $asOf) { names { state } claims { id } } }',
        { of: survivor, asOf: at },
        red,
      )
    ).stateAt;
    expect(state.names.map((n: any) => n.state.value).sort()).toEqual(['Merge Log Absorbed', 'Merge Log Survivor']);
    expect(state.claims.map((c: any) => c.id)).toEqual([claim]);
    const split = await server.raw<any>(
      'mutation($id: ID!) { splitMerge(merge: $id) { splitAt } }',
      { id: merged.data.mergeRecords.id },
      red,
    );
    expect(split.errors).toBeUndefined();
    const afterSplit = await kinds(absorbed);
    expect(afterSplit.some((k: string) => k.startsWith('ENTITY_SPLIT Merge '))).toBe(true);
    expect(afterSplit.filter((k: string) => k === 'CLAIM_UPDATED Targeting actorId')).toHaveLength(2);
  });
});
