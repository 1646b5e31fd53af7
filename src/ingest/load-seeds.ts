// Loads seed and dataset files through the write path, all of them in one transaction: either every
// file is written or the database is left exactly as it was.
import { datasetFiles } from '../config.js';
import type { Db } from '../db.js';
import { CHANNEL, graphChanged } from '../database/graph-changes.js';
import { readImportFile } from './import-file.js';
import type { SeedDocument } from './seed-format.js';
import type { Prisma } from '../generated/prisma/client.js';
import { recordCount, writeGraph, type WriteResult } from './write-graph.js';

export async function readSeedFile(file: string): Promise<SeedDocument> {
  return (await readImportFile(file)).doc;
}

/** Loads files of any supported format (seed YAML, STIX bundle), in order, in one transaction. */
export async function loadSeeds(prisma: Db, files: string[] = datasetFiles.curated): Promise<WriteResult> {
  const docs = [];
  for (const file of files) docs.push(await readSeedFile(file));
  return writeDocuments(prisma, docs);
}

/** Writes documents in order, in one transaction: all of them, or nothing. A write that changed anything is announced (see graph-changes). */
export async function writeDocuments(
  prisma: Db,
  docs: SeedDocument[],
  onProgress?: (done: number) => void,
  /** More work in the same transaction, after the documents (an import mutation's audit entry). */
  alsoInTransaction?: (tx: Prisma.TransactionClient, result: WriteResult) => Promise<void>,
): Promise<WriteResult> {
  let before = 0;
  const result = await prisma.$transaction(
    async (tx) => {
      const result: WriteResult = { counts: {}, warnings: [] };
      for (const doc of docs) {
        const { counts, warnings } = await writeGraph(tx, doc, onProgress && ((done) => onProgress(before + done)));
        before += recordCount(doc);
        for (const [type, c] of Object.entries(counts)) {
          const total = (result.counts[type] ??= { created: 0, updated: 0, unchanged: 0 });
          total.created += c.created;
          total.updated += c.updated;
          total.unchanged += c.unchanged;
        }
        result.warnings.push(...warnings);
      }
      await alsoInTransaction?.(tx, result);
      // Delivered to the other processes only if the transaction commits.
      if (changedAnything(result)) await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, '')`;
      return result;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
  if (changedAnything(result)) graphChanged(prisma);
  return result;
}

const changedAnything = (result: WriteResult) => Object.values(result.counts).some((c) => c.created + c.updated > 0);
