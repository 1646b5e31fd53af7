// importDocument: a STIX 2.1 bundle, a MISP galaxy cluster file or a seed file, sent as text by an
// admin, through the same write path as `npm run import` (one transaction, all or nothing), with an
// audit entry. Large files need MAX_BODY_BYTES raised, or the command.
import { v7 as uuidv7 } from 'uuid';
import { builder } from '../builder.js';
import { userError } from '../errors.js';
import { tlpLevels } from '../auth/principal.js';
import type { Tlp } from '../generated/prisma/client.js';
import { check } from './edit-inputs.js';

/** The most restrictive marking a document gives (its sources', names' and claims'). */
function highestMarking(doc: { sources?: { tlp?: Tlp }[] } & Record<string, unknown>): Tlp {
  const marks: (Tlp | undefined)[] = [];
  for (const list of Object.values(doc)) {
    if (!Array.isArray(list)) continue;
    for (const item of list as { tlp?: Tlp; names?: { tlp?: Tlp }[] }[]) marks.push(item?.tlp, ...(item?.names ?? []).map((n) => n.tlp));
  }
  return tlpLevels[Math.max(0, ...marks.map((m) => (m ? tlpLevels.indexOf(m) : 0)))];
}

const ImportResult = builder.objectRef<{ format: string; total: number; counts: unknown; warnings: string[]; skipped: unknown }>('ImportResult').implement({
  description: 'What an import wrote.',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'stix, misp or seed (detected from the content).' }),
    total: t.exposeInt('total', { description: 'Records in the document.' }),
    counts: t.expose('counts', { type: 'JSON', description: 'Per record type: created, updated, unchanged.' }),
    skipped: t.expose('skipped', { type: 'JSON', description: 'STIX object types this API does not hold, and how many were skipped.' }),
    warnings: t.exposeStringList('warnings'),
  }),
});

builder.mutationField('importDocument', (t) =>
  t.field({
    type: ImportResult,
    authScopes: { admin: true },
    description: 'Imports a STIX 2.1 bundle, a MISP galaxy cluster file or a seed file (admin only): all of it in one transaction, or nothing. Audited.',
    args: {
      content: t.arg.string({ required: true, description: 'The file’s text.' }),
      filename: t.arg.string({ required: true, validate: check.shortText.min(1, 'must not be empty'), description: 'The file’s name: it names the import in messages, and known dataset files keep their dataset.' }),
    },
    resolve: async (_root, { content, filename }, ctx) => {
      // The import machinery (parsers, dataset mappings) is loaded when first used, not at start-up.
      const [{ parseImportText }, { writeDocuments }, { SeedFormatError }, { recordCount, WriteError }] = await Promise.all([
        import('../ingest/import-file.js'),
        import('../ingest/load-seeds.js'),
        import('../ingest/seed-format.js'),
        import('../ingest/write-graph.js'),
      ]);
      let parsed;
      try {
        parsed = parseImportText(filename, content);
      } catch (error) {
        if (error instanceof SeedFormatError) throw userError('BAD_USER_INPUT', error.message, { argument: 'content' });
        throw error;
      }
      const { format, doc, skipped } = parsed;
      // An import gives markings as a mutation does: none above the importer's clearance.
      const highest = highestMarking(doc);
      if (tlpLevels.indexOf(highest) > tlpLevels.indexOf(ctx.principal.clearance)) {
        throw userError('BAD_USER_INPUT', `Nothing was imported: the document holds TLP:${highest} content, above this key's clearance (TLP:${ctx.principal.clearance}).`, { argument: 'content' });
      }
      try {
        const { counts, warnings } = await writeDocuments(ctx.prisma, [doc], undefined, async (tx, result) => {
          await tx.auditEntry.create({
            data: { id: uuidv7(), keyId: ctx.principal.keyId, keyName: ctx.principal.name, role: ctx.principal.role!, operation: 'importDocument', entityType: 'Import', entityId: uuidv7(), after: { filename, format, counts: result.counts }, visibility: highest },
          });
        });
        return { format, total: recordCount(doc), counts, warnings, skipped };
      } catch (error) {
        if (error instanceof WriteError || error instanceof SeedFormatError) throw userError('BAD_USER_INPUT', `Nothing was imported: ${error.message}`, { argument: 'content' });
        throw error;
      }
    },
  }),
);
