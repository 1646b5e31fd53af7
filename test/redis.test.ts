// Two API processes sharing Redis, a PostgreSQL primary and a streaming replica of it, as a platform runs
// several instances: an answer cached by one is served by the other, queries are read on the replica, a
// mutation through one is seen through the other at once (the shared answer dropped for both, the
// replica skipped until it has replayed it), the rate limit counts across both; with Redis gone, both
// keep answering from the database (/ready degraded, limits per process) and share again when it is
// back. Redis and both PostgreSQL clusters are the test's own (redis-server and helpers/replica.ts on
// free ports), so that they can be stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from './helpers/database.js';
import { freePort, type ServerProcess, startMain } from './helpers/process.js';
import { clusterTools, type ReplicatedClusters, seededReplicatedClusters } from './helpers/replica.js';

/** A redis-server of the test's own, keeping nothing on disk. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

type Answer = {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { responseCache?: { hit: boolean } };
};

async function ask(server: ServerProcess, query: string, variables: object = {}, key?: string) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Answer) };
}

const readiness = async (server: ServerProcess) =>
  ((await (await fetch(`${server.url}/ready`)).json()) as { status: string }).status;

async function until(ok: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await ok()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return ok();
}

describe.runIf(onPostgres && clusterTools)('two API processes sharing Redis, a primary and a replica', () => {
  const rateLimit = 100;
  let redisPort: number;
  let redis: ChildProcess;
  let clusters: ReplicatedClusters;
  let a: ServerProcess;
  let b: ServerProcess;
  let analyst: string;
  let apt38: string;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    ({ clusters, analyst, apt38 } = await seededReplicatedClusters('shared'));
    const env = {
      DATABASE_URL: clusters.primaryUrl,
      DATABASE_REPLICA_URLS: clusters.replicaUrl,
      REPLICA_CHECK_MS: '100',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      RESPONSE_CACHE: 'true',
      RATE_LIMIT_PER_MINUTE: String(rateLimit),
      SEED_ON_START: 'false',
    };
    [a, b] = await Promise.all([startMain(env), startMain(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a, b].map((s) => s?.child.exitCode === null && s.stop()));
    redis?.kill('SIGKILL');
    clusters?.drop();
  });

  const byId = 'query($id: ID!) { node(id: $id) { ... on Actor { name description version } } }';

  const replicaReads = async (server: ServerProcess) =>
    Number(
      /db_reads_routed_total\{target="replica"\} (\d+)/.exec(
        await (await fetch(`${server.url}/metrics`)).text(),
      )?.[1] ?? 0,
    );

  it('an answer cached by one process is served by the other; queries are read on the replica', async () => {
    expect(await until(async () => (await readiness(a)) === 'ready' && (await readiness(b)) === 'ready')).toBe(true);
    const first = await ask(a, byId, { id: apt38 });
    expect(first.extensions?.responseCache?.hit).toBe(false);
    const second = await ask(b, byId, { id: apt38 });
    expect(second.extensions?.responseCache?.hit).toBe(true);
    expect(second.data).toEqual(first.data);
    expect(await replicaReads(a)).toBeGreaterThanOrEqual(1);
  });

  it('a mutation through one is seen through the other at once, the shared answer dropped for both', async () => {
    const before = await ask(b, byId, { id: apt38 });
    expect(before.extensions?.responseCache?.hit).toBe(true);
    const edited = await ask(
      a,
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { description } }',
      { i: { id: apt38, expectedVersion: before.data.node.version, description: 'Edited through process A.' } },
      analyst,
    );
    expect(edited.errors).toBeUndefined();
    const throughB = await ask(b, byId, { id: apt38 });
    expect(throughB.extensions?.responseCache?.hit).toBe(false);
    expect(throughB.data.node.description).toBe('Edited through process A.');
    const throughA = await ask(a, byId, { id: apt38 });
    expect(throughA.data.node.description).toBe('Edited through process A.');
    // Again and again, through either process: never an answer older than the write just made.
    for (let i = 0; i < 10; i++) {
      const [writer, reader] = i % 2 ? [a, b] : [b, a];
      const { version } = (await ask(writer, byId, { id: apt38 })).data.node;
      await ask(
        writer,
        'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
        { i: { id: apt38, expectedVersion: version, description: `Round ${i}.` } },
        analyst,
      );
      expect((await ask(reader, byId, { id: apt38 })).data.node.description).toBe(`Round ${i}.`);
    }
  });

  it('the STIX bundle built by one is kept in Redis for both, and dropped at the next change', async () => {
    const client = new Redis(`redis://127.0.0.1:${redisPort}`);
    try {
      const bundle = async (server: ServerProcess) => (await fetch(`${server.url}/stix/bundle.json`)).text();
      const built = await bundle(a);
      expect(await client.keys('threat-actor-intel:kept:*')).toEqual(['threat-actor-intel:kept:stix-bundle:CLEAR']);
      expect(await bundle(b)).toBe(built);
      const version = (await ask(a, byId, { id: apt38 })).data.node.version;
      await ask(
        b,
        'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
        { i: { id: apt38, expectedVersion: version, description: 'Edited for the kept bundle.' } },
        analyst,
      );
      expect(await until(async () => (await client.keys('threat-actor-intel:kept:*')).length === 0)).toBe(true);
      expect(await bundle(a)).toContain('Edited for the kept bundle.');
    } finally {
      client.disconnect();
    }
  });

  it('the rate limit counts requests through both processes', async () => {
    const key = analyst;
    const statuses: number[] = [];
    for (let i = 0; i < rateLimit; i++) statuses.push((await ask(i % 2 ? a : b, '{ __typename }', {}, key)).status);
    // The analyst's key spent requests on the mutations above: the limit is reached within this loop.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    const over = await ask(a, '{ __typename }', {}, key);
    expect(over.status).toBe(429);
    expect((await ask(b, '{ __typename }', {}, key)).status).toBe(429);
    expect(over.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  it('with Redis gone both answer from the database (ready: degraded) and share again when it is back', async () => {
    redis.kill('SIGKILL');
    expect(await until(async () => (await readiness(a)) === 'degraded')).toBe(true);
    expect(await until(async () => (await readiness(b)) === 'degraded')).toBe(true);
    const during = await ask(b, byId, { id: apt38 });
    expect(during.data.node.name).toBe('APT38');
    expect(during.extensions?.responseCache).toBeUndefined(); // bypassed, not "missed"
    // Writes still reach the other process (PostgreSQL tells it; nothing stale is served).
    const edited = await ask(
      b,
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { description } }',
      { i: { id: apt38, expectedVersion: during.data.node.version, description: 'Edited while Redis was down.' } },
      // Rate limits are per process meanwhile: the key spent in the shared limit is not refused here.
      analyst,
    );
    expect(edited.errors).toBeUndefined();
    // The writer reads it at once; the other process as soon as PostgreSQL's NOTIFY reaches it (without
    // Redis it cannot learn of the write any sooner).
    expect((await ask(b, byId, { id: apt38 })).data.node.description).toBe('Edited while Redis was down.');
    expect(
      await until(
        async () => (await ask(a, byId, { id: apt38 })).data.node.description === 'Edited while Redis was down.',
        5_000,
      ),
    ).toBe(true);

    redis = await startRedis(redisPort);
    expect(await until(async () => (await readiness(a)) === 'ready')).toBe(true);
    expect(await until(async () => (await readiness(b)) === 'ready')).toBe(true);
    await ask(a, byId, { id: apt38 });
    const shared = await ask(b, byId, { id: apt38 });
    expect(shared.extensions?.responseCache?.hit).toBe(true);
    expect(shared.data.node.description).toBe('Edited while Redis was down.');
  });
});
