// The benchmark databases: on the PostgreSQL server, and (scale S) an embedded PGlite data directory.
// Each is made once per scale and generator version, then reused (a run finds `bench v<version>
// <scale>` in the database's comment, or in the marker file beside the data directory).
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { GENERATOR_VERSION, generate, insertTables, type Scale } from './generate.js';

const root = path.resolve(import.meta.dirname, '..');
export const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const databaseUrl = (scale: Scale) => {
  const url = new URL(adminUrl);
  url.pathname = `/threat_actor_bench_${scale.toLowerCase()}`;
  return url.toString();
};

export async function ensureBenchDatabase(scale: Scale, log: (s: string) => void) {
  const name = `threat_actor_bench_${scale.toLowerCase()}`;
  const marker = `bench v${GENERATOR_VERSION} ${scale}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    if (found.rows[0]?.comment === marker) {
      migrate(databaseUrl(scale)); // a newer checkout may bring migrations (indexes) the data predates
      return { url: databaseUrl(scale), made: false };
    }
    log(`making ${name} (scale ${scale})`);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(scale);
  migrate(url);
  const started = performance.now();
  const { tables } = generate(scale);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await insertTables(client, tables);
    await client.query('COMMIT');
    // Statistics for the planner, and the visibility map that lets counts read only the index.
    await client.query('VACUUM ANALYZE');
    await client.query(`COMMENT ON DATABASE ${name} IS '${marker}'`);
  } finally {
    await client.end();
  }
  const rows = tables.reduce((sum, t) => sum + t.length, 0);
  log(`${name}: ${rows.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { url, made: true };
}

/** A benchmark database: on the PostgreSQL server (its URL) or embedded (a PGlite data directory). */
export type BenchDatabase = string | { dataDir: string };

/** The environment that points the project's own processes (server, migrations) at a benchmark database. */
export function databaseEnv(database: BenchDatabase): Record<string, string | undefined> {
  return typeof database === 'string'
    ? { DATABASE_URL: database }
    : { DATABASE_URL: undefined, DATA_DIR: database.dataDir };
}

/**
 * The same dataset in an embedded PGlite data directory (under .data/, which git ignores), for the
 * API on its default database. PGlite is one process's: the API opens it after this has closed it.
 */
export async function ensureEmbeddedBenchDatabase(scale: Scale, log: (s: string) => void) {
  const dataDir = path.join(root, '.data', `bench-pglite-${scale.toLowerCase()}`);
  const markerFile = `${dataDir}.version`;
  const marker = `bench v${GENERATOR_VERSION} ${scale}`;
  const embedded = { dataDir };
  if ((await readFile(markerFile, 'utf8').catch(() => '')) === marker) {
    migrate(embedded);
    return { dataDir, made: false };
  }
  log(`making the embedded database ${path.relative(root, dataDir)} (scale ${scale})`);
  await rm(markerFile, { force: true });
  await rm(dataDir, { recursive: true, force: true });
  migrate(embedded);
  const started = performance.now();
  const { tables } = generate(scale);
  const db = new PGlite({ dataDir, extensions: { pg_trgm } });
  try {
    await db.query('BEGIN');
    // PGlite's query(sql, params) is the part of pg's client that insertTables uses.
    await insertTables(
      { query: (sql: string, params: unknown[]) => db.query(sql, params) } as unknown as pg.ClientBase,
      tables,
    );
    await db.query('COMMIT');
    await db.query('VACUUM ANALYZE');
  } finally {
    await db.close();
  }
  await writeFile(markerFile, marker);
  const rows = tables.reduce((sum, t) => sum + t.length, 0);
  log(
    `${path.relative(root, dataDir)}: ${rows.toLocaleString('en')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { dataDir, made: true };
}

/** The project's own migrations, as `npm run migrate` applies them. */
function migrate(database: BenchDatabase) {
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
    cwd: root,
    env: { ...process.env, ...databaseEnv(database), LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migrations failed: ${migrated.stderr || migrated.stdout}`);
}
