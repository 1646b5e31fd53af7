// The live change feed over HTTP (Server-Sent Events): a subscriber receives each committed change, a
// mutation's and an import's (on PostgreSQL, an import by another process, heard by NOTIFY), exactly
// once and in commit order; a caller never receives what its clearance hides; a subscriber that
// reconnects with its last cursor receives exactly what it missed.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { databaseLabel, onPostgres } from './helpers/database.js';
import { runTool } from './helpers/process.js';
import { actorSeedFile } from './helpers/seed-files.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { subscribe } from './helpers/sse.js';

let server: TestServer;
let dir: string;
let red: string;
let green: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(path.join(tmpdir(), 'feed-'));
  red = await server.key('ANALYST', 'RED');
  green = await server.key('ANALYST', 'GREEN');
}, 180_000);
afterAll(() => server?.stop());

const feed = `subscription($after: String, $types: [ChangeKind!]) {
  changes(after: $after, types: $types) { cursor kind entityType entity { __typename ... on Actor { name } ... on Source { title } ... on Name { value } } } }`;
type Event = { data: { changes: { cursor: string; kind: string; entityType: string; entity: any } } };
const seq = (e: Event) => BigInt(Buffer.from(e.data.changes.cursor, 'base64').toString().split(':')[1]);
const summary = (events: Event[]) =>
  events.map(({ data: { changes: c } }) =>
    `${c.kind} ${c.entityType} ${c.entity?.name ?? c.entity?.title ?? c.entity?.value ?? ''}`.trim(),
  );

async function createActor(name: string, key = red) {
  const r = await server.raw<any>(
    'mutation($i: CreateActorInput!) { createActor(input: $i) { id } }',
    { i: { name } },
    key,
  );
  expect(r.errors).toBeUndefined();
  return r.data.createActor.id as string;
}

/** A source marked RED, made by the RED analyst (what a GREEN subscriber must not receive). */
async function redSource(title: string) {
  const r = await server.raw<any>(
    'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
    { i: { title, kind: 'REPORT', tlp: 'RED' } },
    red,
  );
  expect(r.errors).toBeUndefined();
}

/** An import of one actor with its source: in another process on PostgreSQL, through this one's write layer otherwise. */
async function importActor(name: string) {
  const file = await actorSeedFile(dir, name, 'feed-test');
  if (onPostgres) {
    const url = (server.app.database.target as { url: string }).url;
    const run = runTool('src/cli/import.ts', [file], { DATABASE_URL: url });
    expect(await run.exited, run.output()).toBe(0);
  } else await loadSeeds(server.app.prisma, [file]);
}

describe(`change feed over Server-Sent Events (${databaseLabel})`, () => {
  it("receives a mutation's and an import's changes in commit order, exactly once; hidden ones only where cleared", async () => {
    const forRed = await subscribe<Event>(server.url, feed, {}, red);
    const forGreen = await subscribe<Event>(server.url, feed, {}, green);
    await new Promise((r) => setTimeout(r, 300)); // both listening
    await createActor('Feed Mutation Actor');
    await importActor('Feed Import Actor');
    await redSource('Feed red report');
    await createActor('Feed Last Actor');

    const received = await forRed.take(8);
    expect(summary(received)).toEqual([
      'ENTITY_CREATED Actor Feed Mutation Actor',
      'NAME_ADDED Name Feed Mutation Actor',
      'SOURCE_ADDED Source Test source for Feed Import Actor',
      'ENTITY_CREATED Actor Feed Import Actor',
      'NAME_ADDED Name Feed Import Actor',
      'SOURCE_ADDED Source Feed red report',
      'ENTITY_CREATED Actor Feed Last Actor',
      'NAME_ADDED Name Feed Last Actor',
    ]);
    const seqs = received.map(seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i] > seqs[i - 1]).toBe(true);
    const seen = await forGreen.take(7);
    expect(summary(seen)).toEqual(summary(received).filter((s) => !s.includes('Feed red report')));
    // Nothing twice, nothing else.
    expect(await forRed.drain(500)).toEqual([]);
    expect(await forGreen.drain(100)).toEqual([]);
    forRed.close();
    forGreen.close();
  });

  it('a subscriber that reconnects with its last cursor receives exactly what it missed, then what comes next', async () => {
    const first = await subscribe<Event>(server.url, feed, { types: ['ENTITY_CREATED'] }, red);
    await new Promise((r) => setTimeout(r, 300));
    await createActor('Feed Before Disconnect');
    const [last] = await first.take(1);
    expect(last.data.changes.entity.name).toBe('Feed Before Disconnect');
    first.close();

    // While it is away: a mutation and an import.
    await createActor('Feed Missed One');
    await importActor('Feed Missed Import');
    const again = await subscribe<Event>(
      server.url,
      feed,
      { after: last.data.changes.cursor, types: ['ENTITY_CREATED'] },
      red,
    );
    const missed = await again.take(2);
    expect(summary(missed)).toEqual([
      'ENTITY_CREATED Actor Feed Missed One',
      'ENTITY_CREATED Actor Feed Missed Import',
    ]);
    await createActor('Feed After Reconnect');
    expect(summary(await again.take(1))).toEqual(['ENTITY_CREATED Actor Feed After Reconnect']);
    expect(await again.drain(300)).toEqual([]);
    // The same events as the paged log gives from that cursor.
    const paged = await server.query(
      'query($after: String) { changes(after: $after, types: [ENTITY_CREATED]) { nodes { cursor } } }',
      { after: last.data.changes.cursor },
      red,
    );
    expect(paged.changes.nodes.map((n: any) => n.cursor)).toEqual([
      ...missed.map((e) => e.data.changes.cursor),
      expect.any(String),
    ]);
    again.close();
  });

  it('a bad cursor is refused with a code', async () => {
    const r = await server.raw<any>('subscription { changes(after: "garbage") { cursor } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_PAGE_ARGUMENT');
  });

  it("the same feed over WebSockets (graphql-ws): a mutation's events, hidden ones only where cleared, a bad key refused", async () => {
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
    const client = (key: string) =>
      createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
        retryAttempts: 0,
      });
    const listen = (key: string) => {
      const c = client(key);
      const events: Event['data']['changes'][] = [];
      const done = new Promise<void>((resolve, reject) =>
        c.subscribe<Event['data']>(
          { query: feed, variables: { types: ['ENTITY_CREATED', 'SOURCE_ADDED'] } },
          { next: (r) => void (r.data && events.push(r.data.changes)), error: reject, complete: resolve },
        ),
      );
      return { c, events, done };
    };
    const forRed = listen(red);
    const forGreen = listen(green);
    await new Promise((r) => setTimeout(r, 500)); // both subscribed
    await createActor('Socket Feed Actor');
    await redSource('Socket red report');
    await createActor('Socket Feed Last');
    for (let i = 0; i < 100 && (forRed.events.length < 3 || forGreen.events.length < 2); i++)
      await new Promise((r) => setTimeout(r, 100));
    const names = (events: any[]) => events.map((e) => `${e.kind} ${e.entity?.name ?? e.entity?.title}`);
    expect(names(forRed.events)).toEqual([
      'ENTITY_CREATED Socket Feed Actor',
      'SOURCE_ADDED Socket red report',
      'ENTITY_CREATED Socket Feed Last',
    ]);
    expect(names(forGreen.events)).toEqual(['ENTITY_CREATED Socket Feed Actor', 'ENTITY_CREATED Socket Feed Last']);
    await forRed.c.dispose();
    await forGreen.c.dispose();
    // A key that is not one: the socket is closed with 4403 and the reason.
    const refused = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer tai_not_a_key' } })),
      );
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(refused.code).toBe(4403);
    expect(refused.reason).toMatch(/key/i);
    // Subscriptions left open do not keep the server from stopping (afterAll stops it with these open).
    await subscribe<Event>(server.url, feed, {}, red);
    const open = client(red);
    open.subscribe({ query: feed }, { next: () => {}, error: () => {}, complete: () => {} });
  });
});
