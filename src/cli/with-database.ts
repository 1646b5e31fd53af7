// What every command-line tool does around its work: read the settings, open the database (refused
// while another process holds the embedded one), bring its schema up to date, close it; and turn the
// errors a user can fix into a message and exit code 2 instead of a stack trace.
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../database/connection.js';
import { DataDirectoryBusyError } from '../database/embedded-lock.js';
import { applyMigrations } from '../database/migrations.js';
import { SeedFormatError } from '../ingest/seed-format.js';
import { WriteError } from '../ingest/write-graph.js';

export async function withDatabase(onRefusal: string, work: (db: Database, config: Config, applied: string[]) => Promise<void>) {
  try {
    const config = loadConfig();
    // A tool never shares the embedded database over a socket: it holds it only while it runs.
    const db = await openDatabase(config.database.kind === 'embedded' ? { ...config.database, shareOn: null } : config.database);
    try {
      await work(db, config, await applyMigrations(db.adapterFactory));
    } finally {
      await db.close();
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirectoryBusyError || error instanceof SeedFormatError || error instanceof WriteError) {
      console.error(error.message);
      if (onRefusal) console.error(onRefusal);
      process.exit(2);
    }
    throw error;
  }
}
