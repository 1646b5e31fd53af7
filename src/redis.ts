// Redis (REDIS_URL): what several API processes share so that they answer as one — the response cache,
// the rate limits (rate-limiter-flexible's Redis limiter, in limits.ts) and the kept STIX / TAXII
// exports. Every process still hears every change from PostgreSQL (NOTIFY) and drops from Redis what the
// change touched, so a process whose own connection to Redis failed cannot leave stale answers behind.
//
// Redis unreachable: commands fail at once (no offline queue), the caches are bypassed (answers come
// from the database), the rate limits fall back to each process's own (the insurance limiter), and
// `/ready` says degraded. When Redis is back, what it kept is dropped if a change may have been missed.
import { Redis } from 'ioredis';
import { knownSize } from './limits.js';
import type { Logger } from './log.js';
import type { ResponseCacheStore } from './response-cache.js';

const PREFIX = 'threat-actor-intel:';

export type RedisConnection = {
  client: Redis;
  /** Connected and answering. */
  ready(): boolean;
  /** Calls `f` each time the connection is (re)established after being lost. */
  onReconnect(f: () => void): void;
  close(): Promise<void>;
};

export function connectRedis(url: string, log: Logger): RedisConnection {
  const client = new Redis(url, {
    // A command while disconnected fails at once instead of waiting in a queue: the API answers from
    // the database meanwhile.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000),
  });
  let lost = false;
  const reconnected: (() => void)[] = [];
  client.on('error', (error) => {
    if (!lost) log.warn({ err: error }, 'Redis does not answer: caches bypassed, rate limits per process');
    lost = true;
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info('Redis answers again: caches and shared rate limits back');
    for (const f of reconnected) f();
  });
  client.on('end', () => {
    lost = true;
  });
  return {
    client,
    ready: () => client.status === 'ready',
    onReconnect: (f) => reconnected.push(f),
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Deletes every key under a prefix, a batch at a time (SCAN, never KEYS: Redis keeps serving meanwhile). */
async function deleteUnder(client: Redis, prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await client.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * Everything under `prefix` goes when Redis is back after a change could not be applied to it (an
 * invalidation that failed may have left a stale answer). Returns what to call when one fails.
 */
function clearedAfterMissedChange(redis: RedisConnection, prefix: string): () => void {
  let missedChange = false;
  redis.onReconnect(() => {
    if (!missedChange) return;
    missedChange = false;
    void deleteUnder(redis.client, prefix).catch(() => {
      missedChange = true;
    });
  });
  return () => {
    missedChange = true;
  };
}

/**
 * The response cache in Redis. Each answer is a key with the answer's TTL; each entity it holds (and each
 * type) is a set of the answers holding it, expiring with them, so that a write drops exactly those.
 * (@envelop/response-cache-redis does the same but keeps its sets forever, unprefixed, and drops a type
 * with KEYS, which blocks Redis: not usable on a Redis shared with others.)
 */
export function redisResponseStore(redis: RedisConnection): ResponseCacheStore {
  const { client } = redis;
  const prefix = `${PREFIX}response:`;
  const answerKey = (id: string) => `${prefix}answer:${id}`;
  const entityKey = (e: { typename: string; id?: string | number }) =>
    e.id === undefined ? `${prefix}type:${e.typename}` : `${prefix}entity:${e.typename}:${e.id}`;
  const failed = clearedAfterMissedChange(redis, prefix);
  return {
    available: () => redis.ready(),
    async get(id) {
      try {
        const text = await client.get(answerKey(id));
        return text ? { ...JSON.parse(text), [knownSize]: text.length } : undefined;
      } catch {
        return undefined;
      }
    },
    async set(id, data, entities, ttl) {
      const ms = Number.isFinite(ttl) ? Math.max(1, Math.round(ttl)) : 86_400_000;
      const tx = client.multi().set(answerKey(id), JSON.stringify(data), 'PX', ms);
      const sets = new Set<string>();
      for (const entity of entities) {
        sets.add(entityKey(entity));
        sets.add(entityKey({ typename: entity.typename }));
      }
      for (const key of sets) tx.sadd(key, id).pexpire(key, ms);
      await tx.exec().catch(() => {});
    },
    async invalidate(entities) {
      try {
        const keys = [...new Set([...entities].map(entityKey))];
        if (!keys.length) return;
        const members = await client.pipeline(keys.map((k) => ['smembers', k])).exec();
        const answers = new Set<string>();
        for (const [error, ids] of members ?? []) {
          if (error) throw error;
          for (const id of ids as string[]) answers.add(answerKey(id));
        }
        await client.unlink(...keys, ...answers);
      } catch {
        failed();
      }
    },
    async clear() {
      await deleteUnder(client, prefix).catch(failed);
    },
  };
}

/** Kept exports (STIX bundles, TAXII collections) in Redis, as text, until the graph changes. */
export function redisKeptStore(redis: RedisConnection) {
  const { client } = redis;
  const prefix = `${PREFIX}kept:`;
  const failed = clearedAfterMissedChange(redis, prefix);
  return {
    get: (key: string) => (redis.ready() ? client.get(prefix + key).catch(() => null) : Promise.resolve(null)),
    set: async (key: string, text: string) => {
      // An hour at most: a safety net, not the rule (a change drops them at once).
      if (redis.ready()) await client.set(prefix + key, text, 'PX', 3_600_000).catch(() => {});
    },
    clear: async () => {
      await deleteUnder(client, prefix).catch(failed);
    },
  };
}

export type KeptStore = ReturnType<typeof redisKeptStore>;

/**
 * The highest primary WAL position written through any process, for a minute: a process reads it before
 * answering a query from a replica, so a change made through another process is read at once (the
 * replica must have replayed it). Kept as 16 hex digits, so that Redis compares them as text.
 */
export function sharedWalFloor(redis: RedisConnection) {
  const { client } = redis;
  const key = `${PREFIX}wal-floor`;
  const raise = `local c = redis.call('GET', KEYS[1])
if (not c) or ARGV[1] > c then redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000) end
return 1`;
  return {
    async publish(lsn: bigint) {
      if (!redis.ready()) return;
      await client.eval(raise, 1, key, lsn.toString(16).padStart(16, '0')).catch(() => {});
    },
    /** Null while Redis does not answer: this process's own floor still holds. */
    async read(): Promise<bigint | null> {
      if (!redis.ready()) return null;
      const value = await client.get(key).catch(() => null);
      return value ? BigInt(`0x${value}`) : null;
    },
  };
}
