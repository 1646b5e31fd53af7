// The one Prisma client of a running process, over whichever database was opened.
import { checkedCursors } from './auth/checked-cursors.js';
import type { Database } from './database/connection.js';
import { countingAdapterFactory } from './database/statement-counter.js';
import { PrismaClient } from './generated/prisma/client.js';

export type Db = PrismaClient;

export function createPrismaClient(database: Database): Db {
  // The extension adds behaviour, not methods: the client keeps PrismaClient's type.
  return new PrismaClient({ adapter: countingAdapterFactory(database.adapterFactory) }).$extends(
    checkedCursors,
  ) as unknown as Db;
}
