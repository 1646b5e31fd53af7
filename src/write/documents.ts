// Imports: documents (seed files, STIX bundles, MISP galaxies, parsed by src/ingest/) written through
// the graph writer, all of them in one write (see transaction.ts): every document is written or the
// database is left exactly as it was, with one audit entry for the import.
import { userInfo } from 'node:os';
import { canSee, mostRestricted, type Principal } from '../auth/principal.js';
import type { Db } from '../db.js';
import { userError } from '../errors.js';
import type { Tlp } from '../generated/prisma/client.js';
import type { SeedDocument } from '../ingest/seed-format.js';
import { recordCount, type WriteResult, writeGraph } from './graph-writer.js';
import { asImport } from './import-status.js';
import { newId } from './rules.js';
import { edit } from './transaction.js';

/** The advisory lock imports hold (an arbitrary key: "tai" and 1 as digits). */
const IMPORT_LOCK = 1952540001;

/** Who `npm run import` and the first start's seeding are: whoever may open the database (no API key). */
export const localOperator = (what = 'npm run import'): Principal => ({
  keyId: null,
  name: `local operator (${userInfo().username}, ${what})`,
  role: 'ADMIN',
  clearance: 'RED',
});

export type ImportOptions = {
  /** The files the documents came from, as the audit entry lists them; none: no audit entry (first start). */
  files?: { file: string; format: string }[];
  onProgress?: (done: number) => void;
};

/**
 * Writes documents in order, in one transaction: all of them, or nothing. An import with `files` is
 * audited (who, which files, what it wrote), readable at the import's highest marking.
 */
export async function writeDocuments(
  prisma: Db,
  principal: Principal,
  operation: string,
  docs: SeedDocument[],
  options: ImportOptions = {},
): Promise<WriteResult> {
  const { files, onProgress } = options;
  // An import gives markings as a mutation does: none above the importer's clearance.
  const highest = highestMarking(docs);
  if (!canSee(principal.clearance, highest)) {
    throw userError(
      'BAD_USER_INPUT',
      `Nothing was imported: the document holds TLP:${highest} content, above this key's clearance (TLP:${principal.clearance}).`,
      { argument: 'content' },
    );
  }
  return asImport(() =>
    edit(
      prisma,
      principal,
      operation,
      async (e) => {
        // Imports run one at a time, whichever process sends them: a second one waits for the first to
        // commit and then finds its records there (two at once would race for the same keys).
        await e.tx.$executeRaw`SELECT pg_advisory_xact_lock(${IMPORT_LOCK}::bigint)`;
        const result: WriteResult = { counts: {}, warnings: [], durations: [] };
        let before = 0;
        for (const doc of docs) {
          const started = performance.now();
          const { counts, warnings } = await writeGraph(e, doc, onProgress && ((done) => onProgress(before + done)));
          before += recordCount(doc);
          result.durations!.push({
            dataset: doc.dataset,
            records: doc.records.length,
            ms: Math.round(performance.now() - started),
          });
          for (const [type, c] of Object.entries(counts)) {
            result.counts[type] ??= { created: 0, updated: 0, unchanged: 0 };
            const total = result.counts[type];
            total.created += c.created;
            total.updated += c.updated;
            total.unchanged += c.unchanged;
          }
          result.warnings.push(...warnings);
        }
        if (files) e.audit('Import', newId(), null, { files, counts: result.counts }, highest);
        e.changed(Object.values(result.counts).some((c) => c.created + c.updated > 0));
        return result;
      },
      { timeout: 600_000, maxWait: 30_000 },
    ),
  );
}

/** The most restrictive marking documents give (their records', sources', names' and claims'). */
function highestMarking(docs: object[]): Tlp {
  const items = docs.flatMap(
    (doc) => Object.values(doc).filter(Array.isArray).flat() as { tlp?: Tlp; names?: { tlp?: Tlp }[] }[],
  );
  return mostRestricted(
    items.flatMap((item) => [item?.tlp, ...(item?.names ?? []).map((n) => n.tlp)]).filter((m): m is Tlp => !!m),
  );
}
