// What every command-line tool does around its work: read the settings, open the database (refused
// while another process holds the embedded one), bring its schema up to date, close it; and turn the
// errors a user can fix into a message and exit code 2 instead of a stack trace.
import { type Config, ConfigError, loadConfig } from '../config.js';
import { type Database, openDatabase } from '../database/connection.js';
import { DataDirectoryBusyError } from '../database/embedded-lock.js';
import { applyMigrations } from '../database/migrations.js';
import { SeedFormatError } from '../ingest/seed-format.js';
import { WriteError } from '../write/graph-writer.js';

/**
 * `delegate`: what to do instead when a running API server holds the embedded database and takes
 * imports (its address and secret are in the lock file).
 */
export async function withDatabase(
  onRefusal: string,
  work: (db: Database, config: Config, applied: string[]) => Promise<void>,
  delegate?: (server: { url: string; token: string }) => Promise<void>,
) {
  try {
    const config = loadConfig();
    // A tool never shares the embedded database over a socket: it holds it only while it runs.
    const db = await openDatabase(
      config.database.kind === 'embedded' ? { ...config.database, shareOn: null } : config.database,
    );
    try {
      await work(db, config, await applyMigrations(db.adapterFactory));
    } finally {
      await db.close();
    }
  } catch (error) {
    if (delegate && error instanceof DataDirectoryBusyError && error.holder?.importUrl && error.holder.importToken) {
      return delegate({ url: error.holder.importUrl, token: error.holder.importToken });
    }
    if (
      error instanceof ConfigError ||
      error instanceof DataDirectoryBusyError ||
      error instanceof SeedFormatError ||
      error instanceof WriteError
    ) {
      console.error(error.message);
      if (onRefusal) console.error(onRefusal);
      process.exit(2);
    }
    // The database refused the write (a unique key taken by a write that committed meanwhile, a
    // transaction that timed out): a message and the code, not Prisma's stack trace.
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && /^P\d{4}$/.test(code)) {
      console.error(
        `The database refused the change (Prisma ${code}: ${String((error as Error).message)
          .split('\n')
          .filter(Boolean)
          .pop()}). Run it again; if it persists, check what else writes to the database.`,
      );
      if (onRefusal) console.error(onRefusal);
      process.exit(2);
    }
    throw error;
  }
}

type Counts = Record<string, Record<string, number>>;

/** Hands import files to the running server and prints its summary; exit code 2 on a refused file. */
export async function importThroughServer(server: { url: string; token: string }, files: string[]) {
  console.log(`The API server holds the embedded database: importing through it (${server.url}).`);
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ files }),
  });
  const body = (await res.json()) as {
    error?: { code: string; message: string };
    counts?: Counts;
    warnings?: string[];
    total?: number;
    seconds?: number;
  };
  if (!res.ok) {
    console.error(body.error?.message ?? `The server answered ${res.status}.`);
    console.error('Nothing was imported.');
    process.exit(2);
  }
  console.table(body.counts);
  for (const warning of body.warnings ?? []) console.warn(`warning: ${warning}`);
  console.log(`Imported ${body.total} records in ${body.seconds?.toFixed(1)} s.`);
}
