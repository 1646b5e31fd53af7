// The response cache (yoga's, @graphql-yoga/plugin-response-cache): a query's answer is kept until a write
// touches something it holds, until its TTL ends, or until newer answers push it out. Kept in this
// process (an LRU of RESPONSE_CACHE_MAX answers), or with REDIS_URL in Redis, shared by every instance.
//
// What a write drops (src/write/touched.ts): the answers holding an entity it touched (the cache records
// each answer's objects by type and global ID), and every answer to a list, a search or a lookup by name
// (tagged `listsTag` or `namesTag` here, see rootTags), whose membership writes may change. Answers to `node(id:)`,
// `actor(id:)` and the like stay unless they hold a touched entity: a steady import stream no longer
// empties the cache. A change whose reach is unknown (SQL by hand, a merge, a delete) drops everything.
import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { type Cache, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from './auth/principal.js';
import { cachesTrusted, type GraphChange, onGraphChange } from './database/graph-changes.js';
import type { Db } from './db.js';
import type { Metrics } from './metrics.js';
import { operationOf } from './operation.js';
import { type CacheEntity, listsTag, namesTag } from './write/touched.js';

export type ResponseCacheSettings = { ttlMs: number; max: number; reportHits: boolean };

/** A cache store that can also be emptied (a change whose reach is unknown). */
export type ResponseCacheStore = Cache & { clear(): Promise<void> | void; available(): boolean };

export function inMemoryStore(max: number): ResponseCacheStore {
  let inner = createInMemoryCache({ max });
  return {
    get: (id) => inner.get(id),
    set: (id, data, entities, ttl) => inner.set(id, data, entities, ttl),
    invalidate: (entities) => inner.invalidate(entities),
    clear: () => {
      inner = createInMemoryCache({ max });
    },
    available: () => true,
  };
}

const onlyById = new Set(['id', 'ids']);
/** Root fields that find by names and descriptions (namesTag), unless asked by ID alone. */
const byNames = new Set(['search', 'resolveName', 'actor', 'campaign', 'tool']);

/**
 * The tags an answer carries besides its entities: none when every root field is asked by ID alone
 * (`node(id:)`, `nodes(ids:)`, `actor(id:)`: such an answer changes only when an entity it holds does);
 * namesTag for a search or a lookup by name; listsTag for anything else (a list, a count, a fragment at
 * the root, a document without an operation to run).
 */
export function rootTags(document: string, operationName?: string | null): CacheEntity[] {
  const operation = operationOf(document, operationName);
  if (!operation) return [listsTag];
  const tags = new Set<CacheEntity>();
  for (const s of operation.selectionSet.selections) {
    if (s.kind !== Kind.FIELD) tags.add(listsTag);
    else if (s.name.value === '__typename') continue;
    else if (s.arguments?.length && s.arguments.every((a) => onlyById.has(a.name.value))) continue;
    else tags.add(byNames.has(s.name.value) ? namesTag : listsTag);
  }
  return [...tags];
}

const entityKey = (e: { typename: string; id?: string | number }) =>
  e.id === undefined ? e.typename : `${e.typename}:${e.id}`;

/** The last changes heard, numbered: what each touched (null: anything). */
export class ChangesHeard {
  private log: { seq: number; keys: Set<string> | null; types: Set<string> }[] = [];
  latest = 0;

  add(change: GraphChange) {
    this.latest++;
    const entities = change === 'everything' ? [] : change.entities;
    this.log.push({
      seq: this.latest,
      keys: change === 'everything' ? null : new Set(entities.map(entityKey)),
      types: new Set(entities.map((e) => e.typename)),
    });
    if (this.log.length > 1000) this.log.shift();
  }

  /** Whether a change heard after `since` touched any of these entities (or cannot be told: forgotten). */
  touchedSince(since: number, entities: { typename: string; id?: string | number }[]) {
    if (since === this.latest) return false;
    if (!this.log.length || this.log[0].seq > since + 1) return true;
    for (const change of this.log) {
      if (change.seq <= since) continue;
      if (!change.keys) return true;
      for (const e of entities)
        if (change.keys.has(entityKey(e)) || (e.id === undefined && change.types.has(e.typename))) return true;
    }
    return false;
  }
}

export function responseCache(
  prisma: Db,
  settings: ResponseCacheSettings,
  metrics: Metrics | null,
  store: ResponseCacheStore = inMemoryStore(settings.max),
): { plugins: Plugin[]; close(): void; settled(): Promise<void> } {
  // An answer computed while a write committed may predate it: it is stored only if no change heard
  // since the request missed the cache touched what it holds (with writes every 100 ms, refusing every
  // answer computed across any change would refuse most). Every process hears every change (NOTIFY)
  // and drops what it touched from the shared store too, so a stale answer stored by one process just
  // before it heard of the change is dropped when it does.
  const heard = new ChangesHeard();
  // Invalidations under way (a shared store answers over the network): a mutation's answer waits for
  // them, so that a client reading through another process next finds nothing stale.
  const pending = new Set<Promise<unknown>>();
  const off = onGraphChange(prisma, (change: GraphChange) => {
    heard.add(change);
    const done = Promise.resolve(change === 'everything' ? store.clear() : store.invalidate(change.entities))
      .catch(() => {})
      .finally(() => pending.delete(done));
    pending.add(done);
  });
  const missedAt = new Map<string, number>();
  const tagged = new Map<string, CacheEntity[]>();
  // While changes by other processes cannot be heard, or the shared store does not answer, nothing
  // kept is trusted (nor kept).
  const usable = () => cachesTrusted(prisma) && store.available();
  const cache: Cache = {
    async get(id) {
      const at = heard.latest;
      // yoga looks an answer up before parsing and the envelop plugin again before executing: a miss
      // moments ago, with no change heard since, is a miss still (one lookup of the store saved).
      if (missedAt.get(id) === at) return undefined;
      const hit = await store.get(id);
      if (hit) missedAt.delete(id);
      else {
        if (missedAt.size > 10_000) missedAt.clear(); // misses that errors kept from being stored
        missedAt.set(id, at);
      }
      return hit;
    },
    set(id, data, entities, ttl) {
      const seen = missedAt.get(id);
      missedAt.delete(id);
      const held = [...entities, ...(tagged.get(id) ?? [])];
      tagged.delete(id);
      if (seen === undefined || heard.touchedSince(seen, held)) return;
      return store.set(id, data, held, ttl);
    },
    invalidate: (entities) => store.invalidate(entities),
  };
  const plugin = useResponseCache({
    cache,
    // Answers depend on the caller's clearance: each key has its own answers, by its id (the key was
    // checked before yoga saw the request, so a revoked key reaches no answer), callers without one share
    // theirs.
    session: (_request, context) => {
      const { principal } = context as unknown as { principal: Principal };
      return principal.keyId ? `key:${principal.keyId}:${principal.clearance}` : `anonymous:${principal.clearance}`;
    },
    buildResponseCacheKey: async (params) => {
      const key = await defaultBuildResponseCacheKey(params);
      const tags = rootTags(params.documentString, params.operationName);
      if (tags.length) {
        if (tagged.size > 10_000) tagged.clear();
        tagged.set(key, tags);
      }
      return key;
    },
    enabled: usable,
    ttl: settings.ttlMs,
    includeExtensionMetadata: settings.reportHits,
  }) as Plugin;
  // One count per operation answered (yoga and the envelop plugin each look the store up on a miss).
  const counted: Plugin = {
    onResultProcess({ result }) {
      for (const answer of Array.isArray(result) ? result : [result]) {
        if (!answer || typeof answer !== 'object' || Symbol.asyncIterator in answer || !('data' in answer)) continue;
        const hit = (answer as Record<symbol, unknown>)[Symbol.for('servedFromResponseCache')] === true;
        metrics?.cacheLookups.inc({ result: hit ? 'hit' : usable() ? 'miss' : 'bypass' });
      }
    },
  };
  return {
    plugins: [counted, plugin],
    close: off,
    settled: async () => {
      await Promise.all(pending);
    },
  };
}
