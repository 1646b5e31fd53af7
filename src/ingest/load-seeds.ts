// Loads seed and dataset files through the write path, all of them in one transaction: either every
// file is written or the database is left exactly as it was.
import { userInfo } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import { mostRestricted } from '../auth/principal.js';
import { datasetFiles } from '../config.js';
import { CHANNEL, graphChanged } from '../database/graph-changes.js';
import type { Db } from '../db.js';
import type { Prisma, Role, Tlp } from '../generated/prisma/client.js';
import { readImportFile } from './import-file.js';
import { asImport } from './import-status.js';
import type { SeedDocument } from './seed-format.js';
import { recordCount, type WriteResult, writeGraph } from './write-graph.js';

export async function readSeedFile(file: string): Promise<SeedDocument> {
  return (await readImportFile(file)).doc;
}

/** Loads files of any supported format (seed YAML, STIX bundle), in order, in one transaction. */
export async function loadSeeds(prisma: Db, files: string[] = datasetFiles.curated): Promise<WriteResult> {
  const docs = [];
  for (const file of files) docs.push(await readSeedFile(file));
  return writeDocuments(prisma, docs);
}

/** The advisory lock imports hold (an arbitrary key: "tai" and 1 as digits). */
const IMPORT_LOCK = 1952540001;

/** Writes documents in order, in one transaction: all of them, or nothing. A write that changed anything is announced (see graph-changes). */
export async function writeDocuments(
  prisma: Db,
  docs: SeedDocument[],
  onProgress?: (done: number) => void,
  /** More work in the same transaction, after the documents (an import mutation's audit entry). */
  alsoInTransaction?: (tx: Prisma.TransactionClient, result: WriteResult) => Promise<void>,
): Promise<WriteResult> {
  let before = 0;
  const result = await asImport(() =>
    prisma.$transaction(
      async (tx) => {
        // Imports run one at a time, whichever process sends them: a second one waits for the first to
        // commit and then finds its records there (two at once would race for the same keys).
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${IMPORT_LOCK}::bigint)`;
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
    ),
  );
  if (changedAnything(result)) graphChanged(prisma);
  return result;
}

/** The most restrictive marking documents give (their records', sources', names' and claims'). */
export function highestMarking(docs: Record<string, unknown>[]): Tlp {
  const items = docs.flatMap(
    (doc) => Object.values(doc).filter(Array.isArray).flat() as { tlp?: Tlp; names?: { tlp?: Tlp }[] }[],
  );
  return mostRestricted(
    items.flatMap((item) => [item?.tlp, ...(item?.names ?? []).map((n) => n.tlp)]).filter((m): m is Tlp => !!m),
  );
}

/** Who `npm run import` is: whoever may open the database (no API key), named by their user account. */
export const localOperator = () => ({
  keyId: null,
  name: `local operator (${userInfo().username}, npm run import)`,
  role: 'ADMIN' as Role,
});

/**
 * An import's audit entry, in the import's transaction: who (a key, or the local operator of `npm run
 * import`), which files, what it wrote; readable at the import's highest marking.
 */
export function auditImport(
  who: { keyId: string | null; name: string; role: Role },
  operation: string,
  files: { file: string; format: string }[],
  docs: Record<string, unknown>[],
) {
  return async (tx: Prisma.TransactionClient, result: WriteResult) => {
    await tx.auditEntry.create({
      data: {
        id: uuidv7(),
        keyId: who.keyId,
        keyName: who.name,
        role: who.role,
        operation,
        entityType: 'Import',
        entityId: uuidv7(),
        after: { files, counts: result.counts } as Prisma.InputJsonValue,
        visibility: highestMarking(docs),
      },
    });
  };
}

const changedAnything = (result: WriteResult) => Object.values(result.counts).some((c) => c.created + c.updated > 0);
