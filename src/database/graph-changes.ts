// "The graph changed": what lets readers keep answers (the response cache, STIX / TAXII exports) for as
// long as they are true. The write layer announces each commit with the entities it touched (a NOTIFY
// whose payload lists their global IDs, see src/write/touched.ts), at once in this process and at commit
// to every process on the same PostgreSQL server; a change made any other way (SQL by hand) is
// announced by the tables' statement triggers with an empty payload, which means "anything may have
// changed" (see the writes_announce_what_they_touched migration). On the embedded database no other
// process writes (the server takes their imports).
//
// A cache is only as good as the news of changes: while the listening connection is down, caches are
// not trusted (every answer is computed afresh, `/ready` says degraded) until it is back.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../db.js';
import { decodeId } from '../global-id.js';
import { type CacheEntity, type GraphChange, listsTag, queryTagOf } from '../write/touched.js';

export type { GraphChange };

export const CHANNEL = 'threat_actor_graph_changed';
/** Announced by the ApiKey table's trigger when a key is made, revoked or deleted (src/auth/keys.ts). */
export const KEYS_CHANNEL = 'threat_actor_keys_changed';

/** PostgreSQL's limit on a NOTIFY payload is 8000 bytes: a longer list is sent in several. */
const MAX_PAYLOAD = 7_900;

const origins = new WeakMap<Db, string>();
/**
 * Who announced a change: one token per database client (an API instance, a command). An instance
 * applies its own writes at commit (graphChanged): hearing them again from PostgreSQL moments later
 * would drop answers computed, correctly, after the write (CI saw a search cached after a write
 * dropped by that write's late notification).
 */
function originOf(prisma: Db) {
  let origin = origins.get(prisma);
  if (!origin) {
    origin = randomUUID().slice(0, 8);
    origins.set(prisma, origin);
  }
  return origin;
}

/**
 * A change as NOTIFY payloads: `<origin>;` then the touched entities' global IDs and the ids of the
 * tags it drops (`names`, `words:<prefix>`, `lists:<type>`: touched.ts),
 * comma-separated, as many payloads as their length needs (an import of 200 actors touches ~800
 * entities: six payloads); no IDs (or an empty payload, from the tables' triggers) means anything may
 * have changed.
 */
export function changePayloads(prisma: Db, change: GraphChange): string[] {
  const prefix = `${originOf(prisma)};`;
  if (change === 'everything') return [prefix];
  const payloads: string[] = [];
  let current = '';
  for (const entity of change.entities) {
    if (entity === listsTag || !entity.id) continue;
    const { id } = entity;
    if (current && prefix.length + current.length + 1 + id.length > MAX_PAYLOAD) {
      payloads.push(prefix + current);
      current = '';
    }
    current = current ? `${current},${id}` : id;
  }
  payloads.push(prefix + current);
  return payloads;
}

/**
 * A NOTIFY payload as a change, or null when `prisma` itself announced it (a payload it cannot read
 * means anything may have changed).
 */
export function changeOfPayload(prisma: Db, payload: string | undefined): GraphChange | null {
  const separator = payload?.indexOf(';') ?? -1;
  if (separator >= 0 && payload?.slice(0, separator) === originOf(prisma)) return null;
  const ids = payload?.slice(separator + 1);
  if (!ids) return 'everything';
  try {
    const entities: CacheEntity[] = ids
      .split(',')
      .map((id) => queryTagOf(id) ?? { typename: decodeId(id).typename, id });
    return { entities: [...entities, listsTag] };
  } catch {
    return 'everything';
  }
}

const listeners = new WeakMap<Db, Set<(change: GraphChange) => void>>();
const untrusted = new WeakSet<Db>();

/** Calls `listener` after each committed write through `prisma` (or, with a listener started, by anyone). */
export function onGraphChange(prisma: Db, listener: (change: GraphChange) => void): () => void {
  return addListener(listeners, prisma, listener);
}

/** Adds `listener` to `prisma`'s listeners in `registry`; returns what removes it. */
function addListener<L>(registry: WeakMap<Db, Set<L>>, prisma: Db, listener: L): () => void {
  let set = registry.get(prisma);
  if (!set) {
    set = new Set();
    registry.set(prisma, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

export function graphChanged(prisma: Db, change: GraphChange = 'everything') {
  for (const listener of listeners.get(prisma) ?? []) listener(change);
}

const keyListeners = new WeakMap<Db, Set<() => void>>();

/** Calls `listener` when API keys may have changed: made or revoked here, announced by others, or unheard meanwhile. */
export function onKeysChange(prisma: Db, listener: () => void): () => void {
  return addListener(keyListeners, prisma, listener);
}

export function keysChanged(prisma: Db) {
  for (const listener of keyListeners.get(prisma) ?? []) listener();
}

/** Whether caches over `prisma` may serve what they kept: false while changes by others cannot be heard. */
export const cachesTrusted = (prisma: Db) => !untrusted.has(prisma);

const kept = new WeakMap<Db, Map<string, Promise<unknown>>>();

/** A store of kept exports shared by several processes (Redis: src/redis.ts), as text. */
export type SharedKeptStore = {
  get(key: string): Promise<string | null>;
  set(key: string, text: string): Promise<void>;
  clear(): Promise<void>;
};
/** How a kept value is stored as text in a shared store. */
export type KeptCodec<T> = { encode(value: T): string; decode(text: string): T };

const shared = new WeakMap<Db, { store: SharedKeptStore; changes: number }>();

/** Shares what `keptUntilChange` keeps with other processes through `store`, emptied at every change. */
export function shareKept(prisma: Db, store: SharedKeptStore): () => void {
  const entry = { store, changes: 0 };
  shared.set(prisma, entry);
  const off = onGraphChange(prisma, () => {
    entry.changes++;
    void store.clear();
  });
  return () => {
    off();
    if (shared.get(prisma) === entry) shared.delete(prisma);
  };
}

/** `build`, first looking in the shared store, and storing there what it built if no change came meanwhile. */
function throughShared<T>(prisma: Db, key: string, build: () => Promise<T>, codec?: KeptCodec<T>) {
  const entry = shared.get(prisma);
  if (!entry || !codec) return build;
  return async () => {
    const text = await entry.store.get(key);
    if (text !== null) return codec.decode(text);
    const changes = entry.changes;
    const value = await build();
    if (entry.changes === changes) await entry.store.set(key, codec.encode(value));
    return value;
  };
}

/**
 * `build()`'s result, kept under `key` until the graph changes (a failed build is not kept); built
 * afresh every time while caches are not trusted. With a shared store (and a `codec` to store the value
 * as text), another process's build is used, and this one's shared.
 */
export function keptUntilChange<T>(
  prisma: Db,
  key: string,
  plainBuild: () => Promise<T>,
  codec?: KeptCodec<T>,
): Promise<T> {
  if (!cachesTrusted(prisma)) return plainBuild();
  const build = throughShared(prisma, key, plainBuild, codec);
  let map = kept.get(prisma);
  if (!map) {
    const fresh = new Map<string, Promise<unknown>>();
    map = fresh;
    kept.set(prisma, fresh);
    const off = onGraphChange(prisma, () => {
      off();
      if (kept.get(prisma) === fresh) kept.delete(prisma);
    });
  }
  let value = map.get(key) as Promise<T> | undefined;
  if (!value) {
    const into = map;
    value = build();
    into.set(key, value);
    value.catch(() => into.delete(key));
  }
  return value;
}

export type ChangeListener = { ready: Promise<void>; healthy(): boolean; stop(): Promise<void> };

/**
 * Turns NOTIFYs from other processes into change events (of the graph, and of API keys). When the connection drops it reconnects,
 * with a backoff from `minDelayMs` doubling to `maxDelayMs`, for as long as it takes; meanwhile caches
 * are not trusted, and once it listens again everything kept is dropped (changes made meanwhile were
 * not heard).
 */
export function listenForGraphChanges(
  prisma: Db,
  url: string,
  log: (message: string, error: unknown) => void,
  { minDelayMs = 250, maxDelayMs = 10_000 } = {},
): ChangeListener {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = minDelayMs;
  const lost = (c: pg.Client, error: unknown) => {
    if (client !== c || stopped) return;
    client = null;
    if (!untrusted.has(prisma))
      log('lost the database connection that listens for changes; caches are bypassed until it is back', error);
    untrusted.add(prisma);
    graphChanged(prisma);
    keysChanged(prisma);
    c.end().catch(() => {});
    retry = setTimeout(() => void connect().catch(() => {}), delay);
    delay = Math.min(delay * 2, maxDelayMs);
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
    client = c;
    c.on('notification', (n) => {
      if (n.channel === KEYS_CHANNEL) return keysChanged(prisma);
      const change = changeOfPayload(prisma, n.payload);
      if (change) graphChanged(prisma, change);
    });
    c.on('error', (error) => lost(c, error));
    c.on('end', () => lost(c, new Error('connection ended')));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}; LISTEN ${KEYS_CHANNEL}`);
    } catch (error) {
      lost(c, error);
      throw error;
    }
    delay = minDelayMs;
    if (untrusted.delete(prisma)) {
      log('listening for changes again; caches are used again', null);
      graphChanged(prisma);
      keysChanged(prisma);
    }
  };
  const ready = connect();
  return {
    ready,
    healthy: () => client !== null && !untrusted.has(prisma),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
