// The response cache (yoga's, @graphql-yoga/plugin-response-cache): a query's answer is kept until a write
// touches something it holds, until its TTL ends, or until newer answers push it out. Kept in this
// process (an LRU of RESPONSE_CACHE_MAX answers), or with REDIS_URL in Redis, shared by every instance.
//
// What a write drops (src/write/touched.ts): the answers holding an entity it touched (the cache records
// each answer's objects by type and global ID), and every answer to a list, a search or a lookup by name
// (tagged `listsTag` here), whose membership any write may change. Answers to `node(id:)`,
// `actor(id:)` and the like stay unless they hold a touched entity: a steady import stream no longer
// empties the cache. A change whose reach is unknown (SQL by hand, a merge, a delete) drops everything.
import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { type Cache, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from './auth/principal.js';
import { cachesTrusted, type GraphChange, onGraphChange } from './database/graph-changes.js';
import type { Db } from './db.js';
import type { Metrics } from './metrics.js';
import { listsTag } from './write/touched.js';

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
const documentKinds = new Map<string, boolean>();

/**
 * Whether every root field of the operation is asked by ID alone (`node(id:)`, `nodes(ids:)`,
 * `actor(id:)`): such an answer changes only when an entity it holds does. Anything else (a list, a
 * search, a lookup by name, a fragment at the root) is a list for the cache. Memoised per document.
 */
export function askedByIdOnly(document: string, operationName?: string | null): boolean {
  const memo = `${operationName ?? ''}\0${document}`;
  const known = documentKinds.get(memo);
  if (known !== undefined) return known;
  let answer = false;
  try {
    const operations = parse(document).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
    answer =
      operation?.selectionSet.selections.every(
        (s) =>
          s.kind === Kind.FIELD &&
          (s.name.value === '__typename' ||
            (!!s.arguments?.length && s.arguments.every((a) => onlyById.has(a.name.value)))),
      ) ?? false;
  } catch {
    answer = false;
  }
  if (documentKinds.size > 1000) documentKinds.clear();
  documentKinds.set(memo, answer);
  return answer;
}

export function responseCache(
  prisma: Db,
  settings: ResponseCacheSettings,
  metrics: Metrics | null,
  store: ResponseCacheStore = inMemoryStore(settings.max),
): { plugin: Plugin; close(): void; settled(): Promise<void> } {
  // An answer computed while a write committed may predate it: the generation read when the request
  // missed the cache must still be current when the answer is stored. Every process hears every change
  // (NOTIFY) and drops what it touched from the shared store too, so a stale answer stored by one
  // process just before it heard of the change is dropped when it does.
  let generation = 0;
  // Invalidations under way (a shared store answers over the network): a mutation's answer waits for
  // them, so that a client reading through another process next finds nothing stale.
  const pending = new Set<Promise<unknown>>();
  const off = onGraphChange(prisma, (change: GraphChange) => {
    generation++;
    const done = Promise.resolve(change === 'everything' ? store.clear() : store.invalidate(change.entities))
      .catch(() => {})
      .finally(() => pending.delete(done));
    pending.add(done);
  });
  const missedAt = new Map<string, number>();
  const lists = new Set<string>();
  const cache: Cache = {
    async get(id) {
      const at = generation;
      const hit = await store.get(id);
      metrics?.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
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
      const listed = lists.delete(id);
      if (seen !== generation) return;
      return store.set(id, data, listed ? [...entities, listsTag] : entities, ttl);
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
      if (!askedByIdOnly(params.documentString, params.operationName)) {
        if (lists.size > 10_000) lists.clear();
        lists.add(key);
      }
      return key;
    },
    // While changes by other processes cannot be heard, or the shared store does not answer, nothing
    // kept is trusted (nor kept).
    enabled: () => {
      const on = cachesTrusted(prisma) && store.available();
      if (!on) metrics?.cacheLookups.inc({ result: 'bypass' });
      return on;
    },
    ttl: settings.ttlMs,
    includeExtensionMetadata: settings.reportHits,
  }) as Plugin;
  return {
    plugin,
    close: off,
    settled: async () => {
      await Promise.all(pending);
    },
  };
}
