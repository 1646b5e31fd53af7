// The database a test runs on: the embedded PGlite (default) or a fresh database on the PostgreSQL
// server named by TEST_POSTGRES_URL (set by `.ci/run` for the second pass).
//
// A test file asks for its seeds, and gets a database migrated and seeded with them as `npm start`
// would make it, started from a copy: each set of seeds is migrated and loaded once per version of
// the data and of the code that writes it (a PGlite dump in the temporary directory; a template
// database on PostgreSQL), then every test file starts from it. Seeding the three datasets takes
// ~40 s on PGlite; a copy takes about a second.
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DatabaseTarget, openDatabase } from '../../src/database/connection.js';
import { applyMigrations } from '../../src/database/migrations.js';
import { createPrismaClient } from '../../src/db.js';
import { loadSeeds } from '../../src/ingest/load-seeds.js';

export const onPostgres = Boolean(process.env.TEST_POSTGRES_URL);
export const databaseLabel = onPostgres ? 'postgresql' : 'pglite';

const root = path.resolve(import.meta.dirname, '../..');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );

/** What a seeded database depends on: the migrations, the seed files and the code that writes them. */
const versions = new Map<string, string>();
function versionOf(seedFiles: string[]) {
  // Hashed once per worker and set of seeds (the datasets are ~10 MB to read).
  const known = versions.get(seedFiles.join('\0'));
  if (known) return known;
  const hash = createHash('sha256');
  const code = ['prisma/migrations', 'src/write', 'src/ingest', 'src/database'].flatMap((d) =>
    filesUnder(path.join(root, d)).sort(),
  );
  for (const file of [...code, ...seedFiles]) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  const version = hash.digest('hex').slice(0, 16);
  versions.set(seedFiles.join('\0'), version);
  return version;
}

/** Migrates and seeds a database as `npm start` does on first start. */
async function migrateAndSeed(target: DatabaseTarget, seedFiles: string[]) {
  const database = await openDatabase(target);
  await applyMigrations(database.adapterFactory);
  const prisma = createPrismaClient(database);
  if (seedFiles.length) await loadSeeds(prisma, seedFiles);
  return { database, prisma };
}

const DAY = 86_400_000;

/** This worker's PGlite snapshots, by version (read from the temporary directory once). */
const snapshots = new Map<string, Promise<Blob>>();

/** A PGlite dump of a migrated, seeded database: made by the first test file that needs it, then read. */
function pgliteSnapshot(seedFiles: string[]): Promise<Blob> {
  const version = versionOf(seedFiles);
  let snapshot = snapshots.get(version);
  if (!snapshot) {
    snapshot = (async () => {
      const dir = path.join(tmpdir(), 'tai-test-snapshots');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${version}.tar`);
      const lock = `${file}.lock`;
      for (;;) {
        if (existsSync(file)) return new Blob([readFileSync(file)]);
        let mine: number | undefined;
        try {
          mine = openSync(lock, 'wx');
        } catch {
          // Another worker is making it; a lock older than ten minutes was left by one that died.
          if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 600_000)
            await rm(lock, { force: true });
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        try {
          const { database, prisma } = await migrateAndSeed({ kind: 'embedded', dataDir: 'memory://' }, seedFiles);
          const dump = await database.snapshot!();
          await prisma.$disconnect();
          await database.close();
          const partial = `${file}.${process.pid}`;
          writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
          renameSync(partial, file);
          // Copies of older versions are not used again: those a day old go (40-120 MB each).
          for (const old of readdirSync(dir))
            if (old.endsWith('.tar') && Date.now() - statSync(path.join(dir, old)).mtimeMs > DAY)
              await rm(path.join(dir, old), { force: true });
          return dump;
        } finally {
          closeSync(mine);
          await rm(lock, { force: true });
        }
      }
    })();
    snapshots.set(version, snapshot);
  }
  return snapshot;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const databaseUrl = (name: string) => {
  const url = new URL(process.env.TEST_POSTGRES_URL!);
  url.pathname = `/${name}`;
  return url.toString();
};

/** A template database, migrated and seeded, made once per version (under an advisory lock: workers wait). */
async function postgresTemplate(seedFiles: string[]) {
  const name = `tai_test_template_${versionOf(seedFiles)}`;
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
      if (rowCount) return;
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}`);
      const { database, prisma } = await migrateAndSeed(
        { kind: 'postgres', url: databaseUrl(name), poolSize: 2 },
        seedFiles,
      );
      await prisma.$disconnect();
      await database.close();
      // A template copies only while nobody is connected to it.
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await client.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true`);
      await client.query(`COMMENT ON DATABASE ${name} IS '${new Date().toISOString()}'`);
      // Templates of older versions are not used again: those a day old go.
      const { rows } = await client.query(
        `SELECT datname, shobj_description(oid, 'pg_database') AS made FROM pg_database
          WHERE datistemplate AND datname LIKE 'tai_test_template_%' AND datname <> $1`,
        [name],
      );
      for (const old of rows)
        if (!(Date.now() - Date.parse(old.made) <= DAY)) {
          await client.query(`ALTER DATABASE ${old.datname} WITH IS_TEMPLATE false`);
          await client.query(`DROP DATABASE IF EXISTS ${old.datname} WITH (FORCE)`);
        }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
  return name;
}

/**
 * A database of its own for a test file, and a function that drops it: migrated and seeded with
 * `seedFiles` (none: empty, not even migrated).
 */
export async function freshDatabase(
  seedFiles: string[] = [],
): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (!onPostgres) {
    const snapshot = seedFiles.length ? await pgliteSnapshot(seedFiles) : undefined;
    return { target: { kind: 'embedded', dataDir: 'memory://', snapshot }, drop: async () => {} };
  }
  const template = seedFiles.length ? await postgresTemplate(seedFiles) : null;
  const name = `tai_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return {
    target: { kind: 'postgres', url: databaseUrl(name), poolSize: 4 },
    async drop() {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
