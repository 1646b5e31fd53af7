// Opens the database: an embedded PGlite data directory (default) or a PostgreSQL server
// (DATABASE_URL). Both give a Prisma driver-adapter factory that the client and the migration
// engine share, so one schema and one migration history serve both.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PrismaPg } from '@prisma/adapter-pg';
import { statementNames } from './prepared-statements.js';
import pg from 'pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { acquireLock } from './embedded-lock.js';

export type DatabaseTarget =
  | { kind: 'embedded'; dataDir: string; shareOn?: { host: string; port: number } | null }
  | { kind: 'postgres'; url: string; poolSize?: number };

export type Database = {
  target: DatabaseTarget;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Where psql and other clients reach an embedded database while this process holds it (EMBEDDED_SHARE). */
  socketUrl: string | null;
  /** Tells other processes, through the embedded database's lock file, where this process takes imports. */
  announceImports(url: string, token: string): void;
  close(): Promise<void>;
};

function openPGlite(dataDir?: string) {
  return new PGlite({ dataDir, extensions: { pg_trgm } });
}

/**
 * Migrations need a throw-away "shadow" database. An in-memory PGlite serves for both kinds: the SQL
 * dialect is the same, and it avoids creating databases on a server (which the pg adapter's own
 * shadow support gets wrong: see ../shared/notes/prisma-offline.md).
 */
function withPGliteShadow(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    async connectToShadowDb(): Promise<SqlDriverAdapter> {
      const shadow = openPGlite();
      const adapter = await new PrismaPGlite(shadow).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await shadow.close();
      };
      return adapter;
    },
  };
}

export function postgresFactory(url: string, poolSize = 10): SqlMigrationAwareDriverAdapterFactory {
  const parsed = new URL(url);
  // Discrete fields, not a connection string: see ../shared/notes/prisma-offline.md.
  const config = {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1) || 'postgres'),
  };
  // The adapter's type wants a name for every statement; pg sends one without a name (undefined) unnamed.
  const factory = new PrismaPg({ ...config, max: poolSize }, { statementNameGenerator: statementNames() as (query: SqlQuery) => string });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connectToShadowDb: () => factory.connectToShadowDb(),
    async connect() {
      const adapter = await factory.connect();
      // The pg adapter runs a migration script by splitting it at every ";", which cuts function
      // bodies ($$ … $$) apart. PostgreSQL's simple query protocol takes the whole script at once
      // (as one implicit transaction), as psql and PGlite do.
      adapter.executeScript = async (script: string) => {
        const client = new pg.Client(config);
        await client.connect();
        try {
          await client.query(script);
        } finally {
          await client.end();
        }
      };
      return adapter;
    },
  };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    return { target, adapterFactory: withPGliteShadow(postgresFactory(target.url, target.poolSize)), socketUrl: null, announceImports: () => {}, close: async () => {} };
  }

  if (target.dataDir.startsWith("memory://")) return openInMemory(target);
  mkdirSync(target.dataDir, { recursive: true });
  // One process at a time: another process's writes through the shared socket would not be isolated
  // from this one's (PGlite is a single session), so a second opener is refused, not connected.
  const lock = acquireLock(target.dataDir);
  let pglite: PGlite | undefined;
  let socket: PGLiteSocketServer | undefined;
  try {
    pglite = openPGlite(target.dataDir);
    await pglite.waitReady;
    let socketUrl: string | null = null;
    if (target.shareOn) {
      socket = new PGLiteSocketServer({ db: pglite, host: target.shareOn.host, port: target.shareOn.port, maxConnections: 8 });
      await socket.start();
      socketUrl = `postgresql://postgres@${socket.getServerConn()}/postgres`;
      lock.update({ socketUrl });
    }
    const db = pglite;
    return {
      target,
      adapterFactory: withPGliteShadow(new PrismaPGlite(db)),
      socketUrl,
      announceImports: (importUrl, importToken) => lock.update({ importUrl, importToken }),
      async close() {
        await socket?.stop();
        await db.close();
        lock.release();
      },
    };
  } catch (error) {
    await socket?.stop().catch(() => {});
    await pglite?.close().catch(() => {});
    lock.release();
    throw error;
  }
}

/** A throw-away in-memory PGlite: no lock, nothing shared. */
async function openInMemory(target: DatabaseTarget): Promise<Database> {
  const pglite = openPGlite();
  await pglite.waitReady;
  return { target, adapterFactory: withPGliteShadow(new PrismaPGlite(pglite)), socketUrl: null, announceImports: () => {}, close: () => pglite.close() };
}
