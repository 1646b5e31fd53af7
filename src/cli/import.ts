// `npm run import -- <file> [<file> ...]`: imports seed files (YAML), STIX 2.1 bundles and MISP galaxy
// cluster files through the write path, all in one transaction, with a progress bar on long imports
// and a summary per record type. Works on DATABASE_URL, on the embedded database, and while the API
// server holds the embedded database: then the server does the import (src/ingest/import-endpoint.ts).
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { createPrismaClient } from '../db.js';
import { readImportFile } from '../ingest/import-file.js';
import { localOperator, writeDocuments } from '../write/documents.js';
import { recordCount } from '../write/graph-writer.js';
import { importThroughServer, withDatabase } from './with-database.js';

const files = process.argv.slice(2).map((f) => path.resolve(f));
if (!files.length) {
  console.error('Usage: npm run import -- <file.json|file.yaml> [...]   (STIX 2.1 bundles, seed files)');
  process.exit(2);
}

await withDatabase(
  'Nothing was imported.',
  async (db) => {
    const read = [];
    for (const file of files) read.push(await readImportFile(file));
    const docs = read.map((r) => r.doc);
    const total = docs.reduce((n, d) => n + recordCount(d), 0);
    const prisma = createPrismaClient(db);
    const bar =
      total >= 200
        ? new SingleBar(
            { format: 'importing [{bar}] {percentage}% {value}/{total} records, {duration}s', stream: process.stderr },
            Presets.shades_classic,
          )
        : null;
    bar?.start(total, 0);
    const started = Date.now();
    const { counts, warnings } = await writeDocuments(prisma, localOperator(), 'npm run import', docs, {
      files: read.map((r, i) => ({ file: files[i], format: r.format })),
      onProgress: bar ? (done) => bar.update(done) : undefined,
    }).finally(() => bar?.stop());
    await prisma.$disconnect();
    for (const [i, r] of read.entries())
      console.log(
        `${path.relative(process.cwd(), files[i])}: ${r.format === 'stix' ? 'STIX 2.1 bundle' : r.format === 'misp' ? 'MISP galaxy clusters' : 'seed file'}, dataset "${r.doc.dataset}"`,
      );
    const table: Record<string, Record<string, number>> = { ...counts };
    for (const r of read)
      for (const [type, n] of Object.entries(r.skipped)) table[`${type} (not imported)`] = { skipped: n };
    console.table(table);
    for (const warning of warnings) console.warn(`warning: ${warning}`);
    console.log(`Imported ${total} records in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  },
  (server) => importThroughServer(server, files),
);
