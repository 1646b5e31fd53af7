// "The graph changed": what lets readers keep answers (the response cache, STIX / TAXII exports) for as
// long as they are true. Every write goes through the write path, which announces its commit twice:
// in this process (for the client that wrote), and to every process on the same PostgreSQL server
// with NOTIFY (sent inside the transaction, so PostgreSQL delivers it only if the write commits). On
// the embedded database no other process writes (the server takes their imports), so the first suffices.
import pg from 'pg';
import type { Db } from '../db.js';

export const CHANNEL = 'threat_actor_graph_changed';

const listeners = new WeakMap<Db, Set<() => void>>();

/** Calls `listener` after each committed write through `prisma` (or, with a listener started, by anyone). */
export function onGraphChange(prisma: Db, listener: () => void): () => void {
  let set = listeners.get(prisma);
  if (!set) listeners.set(prisma, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function graphChanged(prisma: Db) {
  for (const listener of listeners.get(prisma) ?? []) listener();
}

/** Turns NOTIFYs from other processes into change events; reconnects when the connection drops. */
export function listenForGraphChanges(prisma: Db, url: string, log: (message: string, error: unknown) => void) {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('notification', () => graphChanged(prisma));
    c.on('error', (error) => {
      log('lost the database connection that listens for changes; reconnecting', error);
      // Changes made while not listening are not heard: forget everything once, then listen again.
      graphChanged(prisma);
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
  };
  const ready = connect();
  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
