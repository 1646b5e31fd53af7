// The response cache (yoga's, @graphql-yoga/plugin-response-cache): a query's answer is kept until a write
// touches something it holds, until its TTL ends, or until newer answers push it out. Kept in this
// process (an LRU of RESPONSE_CACHE_MAX answers), or with REDIS_URL in Redis, shared by every instance.
//
// What a write drops (src/write/touched.ts): the answers holding an entity it touched (the cache records
// each answer's objects by type and global ID), and the answers to lists, searches and lookups by name
// whose membership it may change (tagged here, see rootTags; the tags: touched.ts). Answers to `node(id:)`,
// `actor(id:)` and the like stay unless they hold a touched entity: a steady import stream no longer
// empties the cache. A change whose reach is unknown (SQL by hand, a merge, a delete) drops everything.
//
// Requests asking at once for an answer the cache does not hold wait for the first of them to compute it
// (Flights): after a write drops a popular answer, it is computed once, not once per client asking.
import { createHash } from 'node:crypto';
import { type Cache, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import stableStringify from 'fast-json-stable-stringify';
import { type FieldNode, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from './auth/principal.js';
import { cachesTrusted, type GraphChange, onGraphChange } from './database/graph-changes.js';
import type { Db } from './db.js';
import { knownSize } from './limits.js';
import type { Metrics } from './metrics.js';
import { operationOf } from './operation.js';
import { anyWordsTag, type CacheEntity, listOf, listsTag, namesTag, searchWordsTag } from './write/touched.js';

export type ResponseCacheSettings = { ttlMs: number; max: number; reportHits: boolean };

/** A cache store that can also be emptied (a change whose reach is unknown). */
export type ResponseCacheStore = Cache & { clear(): Promise<void> | void; available(): boolean };

export function inMemoryStore(max: number): ResponseCacheStore {
  let inner = createInMemoryCache({ max });
  return {
    get: (id) => inner.get(id),
    // Measured once here, not at every hit (limits.ts: knownSize).
    set: (id, data, entities, ttl) =>
      inner.set(id, { ...data, [knownSize]: JSON.stringify(data).length } as typeof data, entities, ttl),
    invalidate: (entities) => inner.invalidate(entities),
    clear: () => {
      inner = createInMemoryCache({ max });
    },
    available: () => true,
  };
}

const onlyById = new Set(['id', 'ids']);
/**
 * Root fields listing one type's records, ordered by name, seen through the records' own marking: asked
 * with paging alone, what they list changes only with a record of that type (touched.ts: listOf).
 */
const pagedLists: Record<string, string> = { actors: 'Actor', campaigns: 'Campaign', tools: 'Tool' };
const pageArguments = new Set(['first', 'last', 'after', 'before', 'includeRevoked']);
/** Root fields that find by names and descriptions (namesTag), unless asked by ID alone. */
const byNames = new Set(['search', 'resolveName', 'actor', 'campaign', 'tool']);

/**
 * The tags an answer carries besides its entities: none when every root field is asked by ID alone
 * (`node(id:)`, `nodes(ids:)`, `actor(id:)`: such an answer changes only when an entity it holds does);
 * namesTag for a search or a lookup by name, and for a search the words tag of its query (an edit of a
 * description alone drops the searches its words may match, touched.ts: wordsTag); listsTag for anything
 * else (a list, a count, a fragment at the root, a document without an operation to run), but a plain
 * page of actors, campaigns or tools carries its type's list tag (touched.ts: listOf).
 */
export function rootTags(
  document: string,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): CacheEntity[] {
  const operation = operationOf(document, operationName);
  if (!operation) return [listsTag];
  const tags = new Set<CacheEntity>();
  for (const s of operation.selectionSet.selections) {
    if (s.kind !== Kind.FIELD) tags.add(listsTag);
    else if (s.name.value === '__typename') continue;
    else if (s.arguments?.length && s.arguments.every((a) => onlyById.has(a.name.value))) continue;
    else if (pagedLists[s.name.value] && (s.arguments ?? []).every((a) => pageArguments.has(a.name.value)))
      tags.add(listOf(pagedLists[s.name.value]));
    else if (!byNames.has(s.name.value)) tags.add(listsTag);
    else {
      tags.add(namesTag);
      if (s.name.value === 'search') tags.add(searchTag(s, variables));
    }
  }
  return [...tags];
}

/** A search's words tag (touched.ts: searchWordsTag), from its query argument, a literal or a variable. */
function searchTag(field: FieldNode, variables?: Record<string, unknown> | null): CacheEntity {
  const query = field.arguments?.find((a) => a.name.value === 'query')?.value;
  const text =
    query?.kind === Kind.STRING ? query.value : query?.kind === Kind.VARIABLE ? variables?.[query.name.value] : null;
  return typeof text === 'string' ? searchWordsTag(text) : anyWordsTag;
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

/** A request's own cache key (`<answer>#<request>`, see buildResponseCacheKey) as the answer's key in the store. */
const answerKeyOfRequest = (id: string) => {
  const at = id.lastIndexOf('#');
  return at < 0 ? id : id.slice(0, at);
};

/**
 * The key of an answer: what @envelop/response-cache's default key hashes (document, operation, variables,
 * session), hashed here with node:crypto at once rather than by WebCrypto's asynchronous digest, which
 * took 6.5 % of the API's CPU in the mixed workload (each lookup waits for a job on another thread).
 */
export function answerKeyOf(params: {
  documentString: string;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
  sessionId?: string | null;
}) {
  const text = [
    params.documentString,
    params.operationName ?? '',
    stableStringify(params.variableValues ?? {}),
    params.sessionId ?? '',
  ].join('|');
  return createHash('sha256').update(text).digest('hex');
}

/** Marks an answer computed by another request that asked for it at the same time. */
const sharedAnswer = Symbol('sharedAnswer');

/** How long a request waits for another's answer at most (a request that never ends must not hold others). */
const MOST_WAIT_MS = 30_000;

/**
 * Answers being computed, by answer key: the request computing each (and the last change it had heard
 * when it started), and the promise the requests asking for the same answer meanwhile wait on (the
 * answer if it was kept, else undefined: they ask again). Requests are named by their own cache keys.
 */
export class Flights {
  private byAnswer = new Map<string, { leader: string; settle: (answer: unknown) => void; done: Promise<unknown> }>();
  private started = new Map<string, number>();

  /** Whether this request is computing its answer (it missed, and has not finished). */
  computing(request: string) {
    return this.started.has(request);
  }

  of(answer: string): Promise<unknown> | undefined {
    return this.byAnswer.get(answer)?.done;
  }

  start(request: string, heard: number) {
    if (this.started.size > 10_000) this.started.clear(); // requests that never ended (a safety net)
    this.started.set(request, heard);
    const answer = answerKeyOfRequest(request);
    if (this.byAnswer.has(answer)) return;
    let settle!: (answer: unknown) => void;
    const done = new Promise<unknown>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => this.finish(request, undefined), MOST_WAIT_MS);
    timer.unref();
    this.byAnswer.set(answer, {
      leader: request,
      done,
      settle: (a) => {
        clearTimeout(timer);
        settle(a);
      },
    });
  }

  /** The last change the request had heard when it started computing (undefined: it was not). */
  finishing(request: string) {
    const since = this.started.get(request);
    this.started.delete(request);
    return since;
  }

  /** The request's answer is ready (undefined: not kept): whoever waits for it gets it. */
  finish(request: string, kept: unknown) {
    const answer = answerKeyOfRequest(request);
    const flight = this.byAnswer.get(answer);
    if (flight?.leader !== request) return;
    this.byAnswer.delete(answer);
    flight.settle(kept);
  }

  /** The request ended without keeping an answer it was computing (errors, refused early). */
  abandon(request: string) {
    if (!this.started.delete(request)) return;
    this.finish(request, undefined);
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
  const tagged = new Map<string, CacheEntity[]>();
  // While changes by other processes cannot be heard, or the shared store does not answer, nothing
  // kept is trusted (nor kept).
  const usable = () => cachesTrusted(prisma) && store.available();
  const flights = new Flights();
  const cache: Cache = {
    async get(id) {
      // yoga looks an answer up before parsing and the envelop plugin again before executing: a request
      // already computing its answer finds nothing (one lookup of the store saved, and no wait for itself).
      if (flights.computing(id)) return undefined;
      const key = answerKeyOfRequest(id);
      // Requests asking at once for an answer the store does not hold (every client of a popular page
      // just after a write dropped it) wait for the first one to compute it: measured in the mixed
      // workload, 10 connections computed each dropped answer ~6 times over (87 % of the misses).
      for (let round = 0; round < 3; round++) {
        const flight = flights.of(key);
        if (flight) {
          const shared = await flight;
          if (shared) return { ...(shared as object), [sharedAnswer]: true } as typeof shared;
          continue; // its answer was not kept (an error, a change meanwhile): ask again
        }
        const hit = await store.get(key);
        if (hit) return hit;
        if (!flights.of(key)) break; // another request started computing it during the lookup
      }
      flights.start(id, heard.latest);
      return undefined;
    },
    set(id, data, entities, ttl) {
      const since = flights.finishing(id);
      const tags = tagged.get(id);
      tagged.delete(id);
      const held = [...entities, ...(tags ?? [])];
      // No tags on record (forgotten): whether it answers a list cannot be told, so it is not kept.
      const keep = since !== undefined && tags !== undefined && !heard.touchedSince(since, held);
      flights.finish(id, keep ? data : undefined);
      if (!keep) return;
      return store.set(answerKeyOfRequest(id), data, held, ttl);
    },
    invalidate: (entities) => store.invalidate(entities),
  };
  // Each request's own key (`<answer>#<request>`): the lookups and the store tell one request from another.
  let requests = 0;
  // (A batch is one request with several operations, each with its key.)
  const requestKeys = new WeakMap<object, string[]>();
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
      const key = `${answerKeyOf(params)}#${++requests}`;
      if (params.request) requestKeys.set(params.request, [...(requestKeys.get(params.request) ?? []), key]);
      if (tagged.size > 100_000) tagged.clear(); // requests that never ended (a safety net)
      tagged.set(key, rootTags(params.documentString, params.operationName, params.variableValues));
      return key;
    },
    enabled: usable,
    ttl: settings.ttlMs,
    includeExtensionMetadata: settings.reportHits,
  }) as Plugin;
  // One count per operation answered (yoga and the envelop plugin each look the store up on a miss).
  const counted: Plugin = {
    onResultProcess({ request, result }) {
      // A request that computed an answer it did not keep (errors, refused early): who waits for it asks again.
      for (const key of requestKeys.get(request) ?? []) {
        tagged.delete(key);
        flights.abandon(key);
      }
      for (const answer of Array.isArray(result) ? result : [result]) {
        if (!answer || typeof answer !== 'object' || Symbol.asyncIterator in answer || !('data' in answer)) continue;
        const served = answer as Record<symbol, unknown>;
        const hit = served[Symbol.for('servedFromResponseCache')] === true;
        const result = served[sharedAnswer] ? 'shared' : hit ? 'hit' : usable() ? 'miss' : 'bypass';
        metrics?.cacheLookups.inc({ result });
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
