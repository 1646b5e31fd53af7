// Reads on a real PostgreSQL streaming replica (DATABASE_REPLICA_URLS), writes on the primary: queries are
// answered by the replica, a caller reads its own writes at once, a paused (lagging) or stopped replica
// is skipped and used again when it is back. The clusters are the test's own (helpers/replica.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { onPostgres } from './helpers/database.js';
import { clusterTools, type ReplicatedClusters, seededReplicatedClusters } from './helpers/replica.js';

type Answer = { data?: any; errors?: { message: string }[] };

describe.runIf(onPostgres && clusterTools)('reads on a streaming replica', () => {
  let clusters: ReplicatedClusters;
  let app: App;
  let analyst: string;
  let apt38: string;

  const post = async (query: string, variables: object = {}, key?: string) =>
    (await (
      await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as Answer;
  const routed = async () => {
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const count = (target: string) =>
      Number(new RegExp(`db_reads_routed_total\\{target="${target}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    return { replica: count('replica'), primary: count('primary') };
  };
  const ready = async () =>
    (await (await fetch(`${app.url}/ready`)).json()) as {
      status: string;
      replicas?: { healthy: boolean; replayed: boolean }[];
    };
  const until = async (ok: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!(await ok()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return ok();
  };
  const byId = 'query($id: ID!) { node(id: $id) { ... on Actor { description version } } }';
  const edit = async (description: string) => {
    const { version } = (await post(byId, { id: apt38 })).data.node;
    const res = await post(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { description } }',
      { i: { id: apt38, expectedVersion: version, description } },
      analyst,
    );
    expect(res.errors).toBeUndefined();
  };

  beforeAll(async () => {
    ({ clusters, analyst, apt38 } = await seededReplicatedClusters('replicated'));
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      SEED_ON_START: 'false',
      DATABASE_URL: clusters.primaryUrl,
      DATABASE_REPLICA_URLS: clusters.replicaUrl,
      REPLICA_CHECK_MS: '100',
    });
    app = await startApp(config);
  }, 180_000);

  afterAll(async () => {
    await app?.stop().catch(() => {});
    clusters?.drop();
  });

  it('answers queries from the replica once it has replayed the primary', async () => {
    expect(await until(async () => (await ready()).replicas?.[0].replayed === true)).toBe(true);
    const before = await routed();
    const answer = await post('{ campaign(name: "CryptoCore") { name attributions { totalCount } } }');
    expect(answer.data.campaign).toEqual({ name: 'CryptoCore', attributions: { totalCount: 3 } });
    expect((await routed()).replica).toBe(before.replica + 1);
  });

  it('a caller reads its own write at once, every time (the write goes to the primary)', async () => {
    for (let i = 0; i < 10; i++) {
      await edit(`Read-your-writes check ${i}.`);
      expect((await post(byId, { id: apt38 })).data.node.description).toBe(`Read-your-writes check ${i}.`);
    }
    // Between writes, the replica catches up and answers again.
    expect(await until(async () => (await ready()).replicas?.[0].replayed === true)).toBe(true);
    const before = await routed();
    await post(byId, { id: apt38 });
    expect((await routed()).replica).toBe(before.replica + 1);
  });

  it('skips a lagging replica (replay paused) and uses it again once it has caught up', async () => {
    await clusters.onReplica('SELECT pg_wal_replay_pause()');
    try {
      await edit('Written while the replica lags.');
      await new Promise((r) => setTimeout(r, 500)); // several checks: the replica is still behind
      const before = await routed();
      expect((await post(byId, { id: apt38 })).data.node.description).toBe('Written while the replica lags.');
      expect((await routed()).primary).toBe(before.primary + 1);
      expect((await ready()).replicas?.[0].replayed).toBe(false);
    } finally {
      await clusters.onReplica('SELECT pg_wal_replay_resume()');
    }
    expect(await until(async () => (await ready()).replicas?.[0].replayed === true)).toBe(true);
    const before = await routed();
    expect((await post(byId, { id: apt38 })).data.node.description).toBe('Written while the replica lags.');
    expect((await routed()).replica).toBe(before.replica + 1);
  });

  it('skips a stopped replica (ready: degraded) and uses it again when it is back', async () => {
    clusters.stopReplica();
    try {
      expect(await until(async () => (await ready()).status === 'degraded')).toBe(true);
      const answer = await post('{ campaign(name: "CryptoCore") { name } }');
      expect(answer.data.campaign.name).toBe('CryptoCore');
      await edit('Written while the replica is down.');
      expect((await post(byId, { id: apt38 })).data.node.description).toBe('Written while the replica is down.');
    } finally {
      clusters.startReplica();
    }
    expect(await until(async () => (await ready()).replicas?.[0].replayed === true, 30_000)).toBe(true);
    expect((await ready()).status).toBe('ready');
    const before = await routed();
    expect((await post(byId, { id: apt38 })).data.node.description).toBe('Written while the replica is down.');
    expect((await routed()).replica).toBe(before.replica + 1);
  });
});
