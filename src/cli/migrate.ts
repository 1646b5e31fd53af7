// `npm run migrate`: applies pending migrations (what `npm start` does first) and reports them.
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../database/connection.js';
import { DataDirectoryBusyError } from '../database/embedded-lock.js';
import { applyMigrations } from '../database/migrations.js';

try {
  const config = loadConfig();
  const db = await openDatabase({ ...config.database, ...(config.database.kind === 'embedded' ? { shareOn: null } : {}) });
  try {
    const applied = await applyMigrations(db.adapterFactory);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  } finally {
    await db.close();
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirectoryBusyError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
