// importDocument: a STIX 2.1 bundle, a MISP galaxy cluster file or a seed file, sent as text by an
// admin, through the same write path as `npm run import` (one transaction, all or nothing), with an
// audit entry. Large files need MAX_BODY_BYTES raised, or the command.

import { builder } from '../builder.js';
import { userError } from '../errors.js';
import { check } from './mutation-inputs.js';

const ImportResult = builder
  .objectRef<{ format: string; total: number; counts: unknown; warnings: string[]; skipped: unknown }>('ImportResult')
  .implement({
    description: 'What an import wrote.',
    fields: (t) => ({
      format: t.exposeString('format', { description: 'stix, misp or seed (detected from the content).' }),
      total: t.exposeInt('total', { description: 'Records in the document.' }),
      counts: t.expose('counts', {
        type: 'JSON',
        description: 'Per record type, by its GraphQL name (Actor, ToolUsage ...): created, updated, unchanged.',
      }),
      skipped: t.expose('skipped', {
        type: 'JSON',
        description: 'STIX object types this API does not hold, and how many were skipped.',
      }),
      warnings: t.exposeStringList('warnings'),
    }),
  });

builder.mutationField('importDocument', (t) =>
  t.field({
    type: ImportResult,
    authScopes: { admin: true },
    description:
      'Imports a STIX 2.1 bundle, a MISP galaxy cluster file or a seed file (admin only): all of it in one transaction, or nothing. Audited.',
    args: {
      content: t.arg.string({ required: true, description: 'The file’s text.' }),
      filename: t.arg.string({
        required: true,
        validate: check.shortText.min(1, 'must not be empty'),
        description: 'The file’s name: it names the import in messages, and known dataset files keep their dataset.',
      }),
    },
    resolve: async (_root, { content, filename }, ctx) => {
      // The import machinery (parsers, dataset mappings) is loaded when first used, not at start-up.
      const [{ parseImportText }, { writeDocuments }, { SeedFormatError }, { recordCount, WriteError }] =
        await Promise.all([
          import('../ingest/import-file.js'),
          import('../write/documents.js'),
          import('../ingest/seed-format.js'),
          import('../write/graph-writer.js'),
        ]);
      try {
        const { format, doc, skipped } = parseImportText(filename, content);
        const { counts, warnings } = await writeDocuments(ctx.prisma, ctx.principal, 'importDocument', [doc], {
          files: [{ file: filename, format }],
        });
        return { format, total: recordCount(doc), counts, warnings, skipped };
      } catch (error) {
        if (error instanceof SeedFormatError) throw userError('BAD_USER_INPUT', error.message, { argument: 'content' });
        if (error instanceof WriteError)
          throw userError('BAD_USER_INPUT', `Nothing was imported: ${error.message}`, { argument: 'content' });
        throw error;
      }
    },
  }),
);
