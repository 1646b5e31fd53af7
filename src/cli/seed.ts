// `npm run seed [-- file.yaml ...]`: migrates the database and loads seed files (default: the
// curated seeds) through the write path, in one transaction, then prints what changed.
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../database/connection.js';
import { DataDirectoryBusyError } from '../database/embedded-lock.js';
import { applyMigrations } from '../database/migrations.js';
import { createPrismaClient } from '../db.js';
import { loadSeeds } from '../ingest/load-seeds.js';
import { SeedFormatError } from '../ingest/seed-format.js';
import { WriteError } from '../ingest/write-graph.js';
import path from 'node:path';

try {
  const config = loadConfig();
  const files = process.argv.slice(2).map((f) => path.resolve(f));
  const db = await openDatabase({ ...config.database, ...(config.database.kind === 'embedded' ? { shareOn: null } : {}) });
  try {
    await applyMigrations(db.adapterFactory);
    const prisma = createPrismaClient(db);
    const { counts, warnings } = await loadSeeds(prisma, files.length ? files : config.seedFiles);
    await prisma.$disconnect();
    console.table(counts);
    for (const warning of warnings) console.warn(`warning: ${warning}`);
  } finally {
    await db.close();
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirectoryBusyError || error instanceof SeedFormatError || error instanceof WriteError) {
    console.error(error.message);
    console.error('Nothing was written.');
    process.exit(2);
  }
  throw error;
}
