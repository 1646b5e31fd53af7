// The one Prisma client of a running process, over whichever database was opened; and the clients of
// `asOf` snapshots (src/database/as-of.ts), opened when a request first asks for one.
import { checkedCursors } from './auth/checked-cursors.js';
import { buildSnapshot, dropOldSnapshots, snapshotPoint } from './database/as-of.js';
import type { Database } from './database/connection.js';
import { countingAdapterFactory } from './database/statement-counter.js';
import { PrismaClient, type Tlp } from './generated/prisma/client.js';

export type Db = PrismaClient;

function clientOver(adapter: Parameters<typeof countingAdapterFactory>[0]): Db {
  // The extension adds behaviour, not methods: the client keeps PrismaClient's type.
  return new PrismaClient({ adapter: countingAdapterFactory(adapter) }).$extends(checkedCursors) as unknown as Db;
}

export function createPrismaClient(database: Database): Db {
  return clientOver(database.adapterFactory);
}

/** What `asOf` answers: a client reading the database as it stood then, or when the change log starts. */
export type AsOfClient = { prisma: Db } | { before: Date | null };

/** How many snapshot clients a process keeps open (each holds a query compiler and, on PostgreSQL, a pool of 2): one per clearance level and some to spare. */
const openSnapshots = 8;

export function asOfClients(database: Database, prisma: Db) {
  const clients = new Map<string, Promise<Db>>();
  return {
    /** The client of the snapshot at `moment` for a caller of `clearance`, built on first use. */
    async at(moment: Date, clearance: Tlp): Promise<AsOfClient> {
      const point = await snapshotPoint(prisma, moment, clearance);
      if (point.seq === 0n || !point.firstAt || moment < point.firstAt) return { before: point.firstAt };
      const key = `${point.seq}/${clearance}`;
      let client = clients.get(key);
      // Dropped since (the database keeps the most recent only): built again.
      if (client && !point.built) {
        clients.delete(key);
        void client.then((db) => db.$disconnect()).catch(() => {});
        client = undefined;
      }
      if (!client) {
        client = (async () => {
          const schema = await prisma.$transaction((tx) => buildSnapshot(tx, point, clearance), {
            timeout: 600_000, // at scale M a build takes a while; the request waits or times out, the build goes on
          });
          await dropOldSnapshots(prisma);
          return clientOver(database.adapterOn(schema));
        })();
        clients.set(key, client);
        client.catch(() => clients.delete(key));
        for (const [old, c] of clients) {
          if (clients.size <= openSnapshots) break;
          clients.delete(old);
          void c.then((db) => db.$disconnect()).catch(() => {});
        }
      } else {
        clients.delete(key); // most recently used last
        clients.set(key, client);
      }
      return { prisma: await client };
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.allSettled(all.map(async (c) => (await c).$disconnect()));
    },
  };
}

export type AsOfClients = ReturnType<typeof asOfClients>;
