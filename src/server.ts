// The HTTP server: GraphQL (with GraphiQL, served offline) at /graphql, /health and /ready.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { PothosValidationError } from '@pothos/core';
import type { Config } from './config.js';
import { createContext } from './context.js';
import type { Db } from './db.js';
import { countStatements, currentStatementLog } from './database/statement-counter.js';
import { exampleQuery } from './graphiql-example.js';
import { userError } from './errors.js';
import { exportAll, exportNeighbourhood, exportSource } from './export/stix.js';
import { handleTaxii } from './export/taxii.js';
import { checkedDepth } from './schema/stix-export.js';
import { schema } from './schema/index.js';
import { decodeId } from './builder.js';
import { listenForGraphChanges } from './database/graph-changes.js';
import { responseCache } from './response-cache.js';
import { AuthError, authenticate } from './auth/authenticate.js';
import type { Principal } from './auth/principal.js';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { csrfPrevention, persistedOperationsOnly, rateLimiter, shapeLimits } from './limits.js';

type Log = (level: 'info' | 'warn' | 'error', message: string, extra?: unknown) => void;

/**
 * Errors a caller caused keep their code; Pothos' own argument errors get one; the rest are masked.
 * GraphQLError is recognised by name: yoga and this code may load different builds of graphql
 * (CommonJS and ESM), and `instanceof` fails across them.
 */
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === 'GraphQLError';

export function maskError(error: unknown, message: string, log: Log): Error {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  const path = isGraphQLError(error) ? error.path : undefined;
  if (isGraphQLError(original) && original.extensions?.code) return error as Error;
  if (original instanceof PothosValidationError) {
    // Pothos checks page arguments (first/last/before/after) before ours run.
    const code = /"(first|last|before|after)"/.test(original.message) ? 'INVALID_PAGE_ARGUMENT' : 'BAD_USER_INPUT';
    return new GraphQLError(original.message, { extensions: { code }, path });
  }
  if ((original as { code?: string })?.code === 'P2025') {
    // Prisma's "record not found", raised when an ID of the right form names nothing.
    return new GraphQLError('No record with that ID. It may have been deleted.', { extensions: { code: 'NOT_FOUND' }, path });
  }
  if (isGraphQLError(error) && !error.originalError) return error; // parse / validation errors
  log('error', 'unexpected error while resolving a request', original);
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' }, path });
}

/** Adds `extensions.sqlStatements` (how many SQL statements the request sent) to each result. */
function useStatementStats(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const log = currentStatementLog();
        if (log && !(Symbol.asyncIterator in result)) setResult({ ...result, extensions: { ...result.extensions, sqlStatements: log.count } });
      },
    }),
  };
}

export type RunningServer = { url: string; server: Server; close(): Promise<void> };

export async function startHttpServer(prisma: Db, config: Config, log: Log, importToken?: string): Promise<RunningServer> {
  const cache = config.responseCache ? responseCache(prisma, config.responseCache) : null;
  // Writes by other processes reach the caches (responses, TAXII collections) on PostgreSQL by NOTIFY;
  // the embedded database has no other writer.
  const listener = config.database.kind === 'postgres' ? listenForGraphChanges(prisma, config.database.url, (m, e) => log('warn', m, e)) : null;
  await listener?.ready;
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    context: async ({ request }) => createContext(prisma, config, await authenticate(prisma, request.headers.get('authorization'), config.anonymousRead)),
    graphiql: config.graphiql ? { title: 'Threat-actor intelligence API', defaultQuery: exampleQuery } : false,
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: (error, message) => maskError(error, message, log) },
    plugins: [
      csrfPrevention(),
      ...(config.limits.persistedOperationsOnly ? persistedOperationsOnly() : []),
      ...shapeLimits(config.limits),
      ...(config.introspection ? [] : [useDisableIntrospection() as Plugin]),
      ...(config.queryStats ? [useStatementStats()] : []),
      ...(cache ? [cache.plugin] : []),
    ],
    // Several operations in one request (a JSON array), up to MAX_BATCH.
    batching: { limit: config.limits.maxBatch },
    // The body's size is checked before yoga sees the request (its declared length, below); yoga's own
    // check streams every body through a counter (a pipeline and an AbortSignal per request).
    maxRequestBodySize: false,
    logging: config.logLevel === 'silent' ? false : config.logLevel,
  });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const limited = rateLimiter(config.limits);
  const refuse = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return json(res, 200, { status: 'ok' });
    if (path === '/graphql' || path.startsWith('/stix/') || path === '/taxii2' || path.startsWith('/taxii2/')) {
      const over = await limited?.(req);
      if (over) return refuse(res, 429, 'RATE_LIMITED', `Too many requests: at most ${config.limits.ratePerMinute} a minute per key (or per address without one). Retry in ${over.retryAfterSeconds} s.`, { 'retry-after': String(over.retryAfterSeconds) });
      if (req.method === 'POST') {
        // The body is refused before it is read: its declared size must be within the limit.
        const length = Number(req.headers['content-length']);
        if (req.headers['content-length'] === undefined) return refuse(res, 411, 'LENGTH_REQUIRED', 'Send the body with a Content-Length header.');
        if (!(length <= config.limits.maxBodyBytes)) return refuse(res, 413, 'BODY_TOO_LARGE', `The request body is limited to ${config.limits.maxBodyBytes} bytes (it declared ${req.headers['content-length']}).`);
      }
    }
    if (path === '/ready') {
      try {
        await prisma.$queryRaw`SELECT 1`;
        return json(res, 200, { status: 'ready' });
      } catch (error) {
        log('warn', 'readiness check failed', error);
        return json(res, 503, { status: 'unavailable', reason: 'the database does not answer' });
      }
    }
    if (path === '/admin/import' && importToken) return (await import('./ingest/import-endpoint.js')).handleImport(req, res, prisma, importToken);
    const isStix = path.startsWith('/stix/');
    const isTaxii = path === '/taxii2' || path.startsWith('/taxii2/');
    if (isStix || isTaxii) {
      // The same keys and clearance as GraphQL: a download holds only what the caller may read.
      let principal: Principal;
      try {
        principal = await authenticate(prisma, req.headers.authorization, config.anonymousRead);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        return res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: error.message } }));
      }
      if (isStix) return sendStix(req, res, path, principal);
      return handleTaxii(req, res, prisma, principal.clearance, `http://${req.headers.host ?? `${config.host}:${config.port}`}`);
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return res.end();
    }
    return yoga(req, res);
  };
  /** STIX 2.1 downloads: the whole database, or one record (?depth=1|2) or source by its global ID. */
  const sendStix = async (req: IncomingMessage, res: ServerResponse, path: string, { clearance }: Principal) => {
    const send = (status: number, body: unknown, name?: string) => {
      res.writeHead(status, {
        'content-type': status === 200 ? 'application/stix+json;version=2.1' : 'application/json',
        ...(name ? { 'content-disposition': `attachment; filename="${name}"` } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      if (path === '/stix/bundle.json') return send(200, await exportAll(prisma, clearance), 'bundle.json');
      const globalId = decodeURIComponent(path.slice('/stix/'.length));
      const { typename, id } = decodeId(globalId);
      const depth = checkedDepth(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('depth') ?? 1));
      if (typename === 'Source') return send(200, await exportSource(prisma, clearance, id), `${globalId}.json`);
      if (typename !== 'Actor' && typename !== 'Campaign' && typename !== 'Tool') throw userError('INVALID_ID', 'Only actors, campaigns, tools and sources export as STIX bundles.');
      const exists = await (prisma[typename.toLowerCase() as 'actor'] as unknown as { count(a: object): Promise<number> }).count({ where: { id } });
      if (!exists) return send(404, { error: { code: 'NOT_FOUND', message: `No ${typename.toLowerCase()} with that ID.` } });
      return send(200, await exportNeighbourhood(prisma, clearance, { type: typename, id }, depth), `${globalId}.json`);
    } catch (error) {
      if (isGraphQLError(error)) return send(error.extensions.code === 'NOT_FOUND' ? 404 : 400, { error: { code: error.extensions.code, message: error.message } });
      log('error', 'STIX export failed', error);
      return send(500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' } });
    }
  };
  const server = createServer((req, res) => {
    // A request that takes too long is answered (the work it started is not awaited any longer).
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      // The connection is closed after the answer: the request may still be sending its body.
      refuse(res, 503, 'TIMEOUT', `The request took longer than ${config.limits.requestTimeoutMs} ms. Ask for less (smaller pages, fewer levels).`, { connection: 'close' });
    }, config.limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    // Statements are counted only when asked for: the count's AsyncLocalStorage scope turns on
    // promise hooks for the whole process, which costs every request (~10 % of the server CPU per
    // request in the benchmark's Q1 and Q2).
    const handled = config.queryStats ? countStatements({ count: 0, statements: [] }, () => handle(req, res)) : handle(req, res);
    handled.catch((error) => {
      if (res.headersSent) return; // answered already (timed out)
      log('error', 'request failed', error);
      json(res, 500, { error: 'internal error' });
    });
  });
  // Receiving a request (headers and body) is bounded too: a client trickling bytes is cut off.
  server.requestTimeout = Math.max(config.limits.requestTimeoutMs, server.headersTimeout);
  // Keep idle connections longer than clients and proxies do (Node's 5 s default closes a connection
  // a client may be reusing that very moment: ECONNRESET on its next request).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      cache?.close();
      await listener?.stop();
    },
  };
}
