// POST /admin/import on a server that holds the embedded database: the import tool hands its files to
// the server (the one process that may open the database) instead of being refused. Only a caller
// that can read the database's lock file knows the secret (a local administrator): this is not the
// API's access control (keys and roles come with the write-path issue).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Db } from '../db.js';
import { errorBody } from '../errors.js';
import { localOperator, writeDocuments } from '../write/documents.js';
import { recordCount, WriteError } from '../write/graph-writer.js';
import { readImportFile } from './import-file.js';
import { SeedFormatError } from './seed-format.js';

const MAX_BODY = 64 * 1024;

export async function handleImport(req: IncomingMessage, res: ServerResponse, prisma: Db, token: string) {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST')
    return send(405, errorBody('METHOD_NOT_ALLOWED', 'POST a JSON body {"files": ["/absolute/path", ...]}.'));
  const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return send(403, errorBody('FORBIDDEN', 'Not allowed.'));
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY) return send(413, errorBody('BODY_TOO_LARGE', 'The request is too large.'));
  }
  let files: string[];
  try {
    files = (JSON.parse(body) as { files: unknown }).files as string[];
    if (!Array.isArray(files) || !files.length || !files.every((f) => typeof f === 'string' && path.isAbsolute(f)))
      throw new Error();
  } catch {
    return send(400, errorBody('BAD_USER_INPUT', 'Expected {"files": ["/absolute/path", ...]}.'));
  }
  try {
    const read = [];
    for (const file of files) read.push(await readImportFile(file));
    const started = Date.now();
    const result = await writeDocuments(
      prisma,
      localOperator(),
      'npm run import',
      read.map((r) => r.doc),
      { files: read.map((r, i) => ({ file: files[i], format: r.format })) },
    );
    return send(200, {
      ...result,
      files: read.map((r, i) => ({ file: files[i], format: r.format, dataset: r.doc.dataset, skipped: r.skipped })),
      total: read.reduce((n, r) => n + recordCount(r.doc), 0),
      seconds: (Date.now() - started) / 1000,
    });
  } catch (error) {
    if (error instanceof SeedFormatError || error instanceof WriteError)
      return send(400, errorBody('BAD_USER_INPUT', error.message));
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return send(400, errorBody('BAD_USER_INPUT', `No such file: ${(error as NodeJS.ErrnoException).path}`));
    throw error;
  }
}
