// Loads seed files (YAML) through the write path, all of them in one transaction: either every file
// is written or the database is left exactly as it was.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Db } from '../db.js';
import { projectRoot } from '../database/migrations.js';
import { parseSeedDocument, SeedFormatError, type SeedDocument } from './seed-format.js';
import { writeGraph, type WriteResult } from './write-graph.js';

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

export async function loadSeeds(prisma: Db, files: string[] = defaultSeedFiles): Promise<WriteResult> {
  return writeDocuments(prisma, await Promise.all(files.map(readSeedFile)));
}

/** Writes documents in order, in one transaction: all of them, or nothing. */
export function writeDocuments(prisma: Db, docs: SeedDocument[]): Promise<WriteResult> {
  return prisma.$transaction(
    async (tx) => {
      const result: WriteResult = { counts: {}, warnings: [] };
      for (const doc of docs) {
        const { counts, warnings } = await writeGraph(tx, doc);
        for (const [type, c] of Object.entries(counts)) {
          const total = (result.counts[type] ??= { created: 0, updated: 0, unchanged: 0 });
          total.created += c.created;
          total.updated += c.updated;
          total.unchanged += c.unchanged;
        }
        result.warnings.push(...warnings);
      }
      return result;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}
