// Loads seed files (YAML) through the write path, all of them in one transaction: either every file
// is written or the database is left exactly as it was.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Db } from '../db.js';
import { projectRoot } from '../database/migrations.js';
import { parseSeedDocument, SeedFormatError, type SeedDocument } from './seed-format.js';
import { writeGraph, type WriteSummary } from './write-graph.js';

export const defaultSeedFiles = [path.join(projectRoot, 'seeds/cryptocore.yaml')];

export async function readSeedFile(file: string): Promise<SeedDocument> {
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new SeedFormatError(`${file} could not be read as YAML: ${(error as Error).message}`);
  }
  return parseSeedDocument(data, path.relative(process.cwd(), file) || file);
}

export async function loadSeeds(prisma: Db, files: string[] = defaultSeedFiles): Promise<WriteSummary> {
  const docs = await Promise.all(files.map(readSeedFile));
  return prisma.$transaction(
    async (tx) => {
      const summary: WriteSummary = {};
      for (const doc of docs) {
        for (const [type, counts] of Object.entries(await writeGraph(tx, doc))) {
          const total = (summary[type] ??= { created: 0, updated: 0, unchanged: 0 });
          total.created += counts.created;
          total.updated += counts.updated;
          total.unchanged += counts.unchanged;
        }
      }
      return summary;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
