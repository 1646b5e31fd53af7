// `npm run seed [-- file ...]`: loads the seed datasets (SEED_DATASETS), or the files given, through
// the write path, in one transaction, then prints what changed.
import path from 'node:path';
import { createPrismaClient } from '../db.js';
import { loadSeeds } from '../ingest/load-seeds.js';
import { withDatabase } from './with-database.js';

const files = process.argv.slice(2).map((f) => path.resolve(f));

await withDatabase('Nothing was written.', async (db, config) => {
  const prisma = createPrismaClient(db);
  const { counts, warnings, durations } = await loadSeeds(prisma, files.length ? files : config.seedFiles);
  await prisma.$disconnect();
  console.table(counts);
  console.table(durations);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
});
