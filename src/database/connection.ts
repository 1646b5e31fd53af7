// Opens the database: an embedded PGlite data directory (default) or a PostgreSQL server
// (DATABASE_URL). Both give a Prisma driver-adapter factory that the client and the migration
// engine share, so one schema and one migration history serve both.
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PrismaPg } from '@prisma/adapter-pg';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { acquireLock } from './embedded-lock.js';
import { statementNames } from './prepared-statements.js';

export type DatabaseTarget =
  | {
      kind: 'embedded';
      dataDir: string;
      shareOn?: { host: string; port: number } | null;
      /** An in-memory database (memory://) starts as this snapshot of another (see Database.snapshot). */
      snapshot?: Blob;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /**
       * statement_timeout of every pooled session, in ms (0: none): a request that timed out stops its
       * database work within this long, rather than running on for a caller who has gone.
       */
      statementTimeoutMs?: number;
    };

export type Database = {
  target: DatabaseTarget;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Where psql and other clients reach an embedded database while this process holds it (EMBEDDED_SHARE). */
  socketUrl: string | null;
  /** Tells other processes, through the embedded database's lock file, where this process takes imports. */
  announceImports(url: string, token: string): void;
  /**
   * An in-memory database's whole content (a PGlite data-directory dump), from which another can start:
   * the tests migrate and seed once, then start each test file's database from it.
   */
  snapshot?(): Promise<Blob>;
  /**
   * A driver adapter reading the tables of another schema (an `asOf` snapshot, src/database/as-of.ts):
   * Prisma's queries name that schema, and our own SQL finds its tables first on the search_path.
   */
  adapterOn(schema: string): SqlDriverAdapterFactory;
  /**
   * Calls `heard` at each NOTIFY on `channel` by the embedded database's one session (writes through
   * this process or its EMBEDDED_SHARE socket alike); until the returned function is called. Absent on
   * PostgreSQL, where a connection of its own listens (graph-changes.ts).
   */
  listen?(channel: string, heard: () => void): Promise<() => Promise<void>>;
  /** The connection pool's use (PostgreSQL); null on the embedded database, which is one session. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
};

export type PoolStats = { total: number; idle: number; waiting: number; max: number };

/**
 * Settings every session starts with. Fuzzy name search (src/schema/search.ts) matches names with `%`,
 * whose similarity threshold is this session setting (pg_trgm's default 0.3). At 0.3 the trigram
 * index hands back every name sharing a common word ("… Kitten"), each then re-compared: at 200k names
 * six times the work of 0.45, which still keeps one-typo matches ("mimikats" ~ "mimikatz" 0.64,
 * "lazarus grp" ~ "lazarusgroup" 0.6); substrings match on their own.
 *
 * JIT compilation off: PostgreSQL compiles a statement whose estimated cost is high, and the estimate
 * of a walk that stops at its LIMIT (a hot actor's page of derived victims) is the cost of walking to
 * the end: 25-45 ms of compiling for a statement that runs in 0.4 ms. An API's statements are short.
 */
export const sessionSettings = { 'pg_trgm.similarity_threshold': '0.45', jit: 'off' } as const;

/** A PGlite is one session: it gets the settings once, when opened. */
async function openPGlite(dataDir?: string, snapshot?: Blob) {
  const pglite = new PGlite({ dataDir, loadDataDir: snapshot, extensions: { pg_trgm } });
  try {
    await pglite.waitReady;
    for (const [name, value] of Object.entries(sessionSettings))
      await pglite.query('SELECT set_config($1, $2, false)', [name, value]);
    return pglite;
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
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
      const shadow = await openPGlite();
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

export function postgresFactory(
  url: string,
  {
    poolSize = 10,
    statementTimeoutMs = 0,
    schema,
  }: { poolSize?: number; statementTimeoutMs?: number; schema?: string } = {},
  pools: pg.Pool[] = [],
): SqlMigrationAwareDriverAdapterFactory {
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
  // Each pooled connection starts with the session settings (libpq's `options`, as PGOPTIONS gives them).
  const settings = {
    ...sessionSettings,
    statement_timeout: String(statementTimeoutMs),
    ...(schema ? { search_path: `${schema},public` } : {}),
  };
  const options = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const factory = new PrismaPg(
    { ...config, max: poolSize, options },
    { statementNameGenerator: statementNames() as (query: SqlQuery) => string, schema },
  );
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connectToShadowDb: () => factory.connectToShadowDb(),
    async connect() {
      const adapter = await factory.connect();
      pools.push(adapter.underlyingDriver() as unknown as pg.Pool);
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
    const pools: pg.Pool[] = [];
    return {
      target,
      adapterFactory: withPGliteShadow(postgresFactory(target.url, target, pools)),
      socketUrl: null,
      announceImports: () => {},
      adapterOn: (schema) =>
        postgresFactory(target.url, { poolSize: 2, statementTimeoutMs: target.statementTimeoutMs, schema }, pools),
      poolStats: () => {
        const live = pools.filter((p) => !p.ended);
        if (!live.length) return null;
        const sum = (f: (p: pg.Pool) => number) => live.reduce((n, p) => n + f(p), 0);
        return {
          total: sum((p) => p.totalCount),
          idle: sum((p) => p.idleCount),
          waiting: sum((p) => p.waitingCount),
          max: sum((p) => p.options.max ?? 10),
        };
      },
      close: async () => {},
    };
  }

  if (target.dataDir.startsWith('memory://')) return openInMemory(target);
  mkdirSync(target.dataDir, { recursive: true });
  // One process at a time: another process's writes through the shared socket would not be isolated
  // from this one's (PGlite is a single session), so a second opener is refused, not connected.
  const lock = acquireLock(target.dataDir);
  let pglite: PGlite | undefined;
  let socket: PGLiteSocketServer | undefined;
  try {
    pglite = await openPGlite(target.dataDir);
    let socketUrl: string | null = null;
    if (target.shareOn) {
      socket = new PGLiteSocketServer({
        db: pglite,
        host: target.shareOn.host,
        port: target.shareOn.port,
        maxConnections: 8,
      });
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
      adapterOn: (schema) => pgliteOn(db, schema),
      listen: (channel, heard) => db.listen(channel, heard),
      poolStats: () => null,
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

/**
 * The embedded database is one session: a statement reading another schema sets the search_path for
 * itself alone (a transaction of its own, SET LOCAL), so that other requests' statements are unaffected.
 */
function pgliteOn(pglite: PGlite, schema: string): SqlDriverAdapterFactory {
  const path = `SET LOCAL search_path TO "${schema}", public`;
  const client = {
    query: (sql: string, params?: unknown[], options?: object) =>
      pglite.transaction(async (tx) => {
        await tx.exec(path);
        return tx.query(sql, params, options);
      }),
    exec: (sql: string) => pglite.exec(sql),
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      pglite.transaction(async (tx) => {
        await tx.exec(path);
        return work(tx);
      }),
  } as unknown as PGlite;
  const factory = new PrismaPGlite(client);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      adapter.getConnectionInfo = () => ({ schemaName: schema, supportsRelationJoins: true });
      return adapter;
    },
  };
}

/** A throw-away in-memory PGlite: no lock, nothing shared. */
async function openInMemory(target: Extract<DatabaseTarget, { kind: 'embedded' }>): Promise<Database> {
  const pglite = await openPGlite(undefined, target.snapshot);
  return {
    target,
    adapterFactory: withPGliteShadow(new PrismaPGlite(pglite)),
    socketUrl: null,
    announceImports: () => {},
    snapshot: () => pglite.dumpDataDir('none'),
    adapterOn: (schema) => pgliteOn(pglite, schema),
    listen: (channel, heard) => pglite.listen(channel, heard),
    poolStats: () => null,
    close: () => pglite.close(),
  };
}
