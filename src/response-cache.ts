// The response cache: a query's answer is kept until the graph changes (any committed write, in this
// process or, on PostgreSQL, in another: see database/graph-changes), or until its TTL ends, or until it
// is pushed out by newer answers (an LRU of RESPONSE_CACHE_MAX entries).
//
// Every write clears the whole cache: writes are imports and edits, rare next to reads, and a claim
// reaches many answers (an actor's derived victims, counts, search ranks), so tracking which answers
// one write touches would cost more than it saves.
import { type Cache, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from './auth/principal.js';
import { cachesTrusted, onGraphChange } from './database/graph-changes.js';
import type { Db } from './db.js';
import type { Metrics } from './metrics.js';

export type ResponseCacheSettings = { ttlMs: number; max: number; reportHits: boolean };

export function responseCache(
  prisma: Db,
  settings: ResponseCacheSettings,
  metrics: Metrics | null,
): { plugin: Plugin; close(): void } {
  let generation = 0;
  let inner = createInMemoryCache({ max: settings.max });
  const off = onGraphChange(prisma, () => {
    generation++;
    inner = createInMemoryCache({ max: settings.max });
  });
  // An answer computed while a write committed may predate it: the generation read when the request
  // missed the cache must still be current when the answer is stored.
  const missedAt = new Map<string, number>();
  const cache: Cache = {
    async get(id) {
      const at = generation;
      const hit = await inner.get(id);
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
      if (seen !== generation) return;
      return inner.set(id, data, entities, ttl);
    },
    invalidate: (entities) => inner.invalidate(entities),
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
    // While changes by other processes cannot be heard, nothing kept is trusted (nor kept).
    enabled: () => cachesTrusted(prisma),
    ttl: settings.ttlMs,
    includeExtensionMetadata: settings.reportHits,
  }) as Plugin;
  return { plugin, close: off };
}
