// Loads seed and dataset files (any supported format) through the write layer, all of them in one
// transaction: either every file is written or the database is left exactly as it was.
import { datasetFiles } from '../config.js';
import type { Db } from '../db.js';
import { localOperator, writeDocuments } from '../write/documents.js';
import type { WriteResult } from '../write/graph-writer.js';
import { readImportFile } from './import-file.js';
import type { SeedDocument } from './seed-format.js';

export async function readSeedFile(file: string): Promise<SeedDocument> {
  return (await readImportFile(file)).doc;
}

/** Loads files of any supported format (seed YAML, STIX bundle, MISP galaxy), in order, in one transaction. */
export async function loadSeeds(prisma: Db, files: string[] = datasetFiles.curated): Promise<WriteResult> {
  const docs = [];
  for (const file of files) docs.push(await readSeedFile(file));
  return writeDocuments(prisma, localOperator('seeding'), 'seed', docs);
}
