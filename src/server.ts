// The HTTP server: GraphQL (with GraphiQL, served offline) at /graphql, /health and /ready.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { PothosValidationError } from '@pothos/core';
import Router, { type HTTPMethod } from 'find-my-way';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { AuthError, authenticate } from './auth/authenticate.js';
import { rememberKeys } from './auth/keys.js';
import { anonymous, type Principal } from './auth/principal.js';
import type { Config } from './config.js';
import { requestContext } from './context.js';
import type { Database, PoolStats } from './database/connection.js';
import {
  KEYS_CHANNEL,
  keptUntilChange,
  keysChanged,
  listenForGraphChanges,
  shareKept,
} from './database/graph-changes.js';
import { isQuery, type Replica, ReplicaRouter } from './database/replicas.js';
import { countStatements, currentStatementLog } from './database/statement-counter.js';
import type { AsOfClients, Db } from './db.js';
import { errorBody, errorCodes, type HttpErrorCode, userError } from './errors.js';
import { exportAll, exportNeighbourhood, exportSource } from './export/stix.js';
import { handleTaxii } from './export/taxii.js';
import type { Tlp } from './generated/prisma/client.js';
import { decodeId } from './global-id.js';
import { exampleQuery } from './graphiql-example.js';
import {
  csrfPrevention,
  persistedOperationsOnly,
  rateLimiter,
  refuseNulCharacters,
  responseSizeLimit,
  shapeLimits,
} from './limits.js';
import { type Logger, yogaLogger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectRedis, redisKeptStore, redisResponseStore, sharedWalFloor } from './redis.js';
import { responseCache } from './response-cache.js';
import { endChangeStreams } from './schema/change-event.js';
import { schema } from './schema/index.js';
import { beforeLogError, dateOf, viewOf } from './schema/known-at.js';
import { checkedDepth } from './schema/stix-export.js';
import { startTracing } from './tracing.js';
import { serveWebSockets } from './web-sockets.js';
import { importRunning } from './write/import-status.js';

/** The path of a request, without its query. */
const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0];

/**
 * Errors a caller caused keep their code; Pothos' own argument errors get one; the rest are masked.
 * GraphQLError is recognised by name: yoga and this code may load different builds of graphql
 * (CommonJS and ESM), and `instanceof` fails across them.
 */
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === 'GraphQLError';

export function maskError(error: unknown, message: string, log: Logger): Error {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  const path = isGraphQLError(error) ? error.path : undefined;
  if (isGraphQLError(original) && original.extensions?.code) return error as Error;
  if (original instanceof PothosValidationError) {
    // Pothos checks page arguments (first/last/before/after) before ours run.
    const code = /"(first|last|before|after)"/.test(original.message) ? 'INVALID_PAGE_ARGUMENT' : 'BAD_USER_INPUT';
    return new GraphQLError(original.message, { extensions: { code }, path });
  }
  if ((original as { code?: string })?.code === 'P2002') {
    // A unique key taken by a write that committed first (a lost race; the check before it saw none).
    return new GraphQLError(
      'A record with the same key was written at the same time. Read it, then change it or give another key.',
      { extensions: { code: 'ALREADY_EXISTS' }, path },
    );
  }
  if ((original as { code?: string })?.code === 'P2025') {
    // Prisma's "record not found", raised when an ID of the right form names nothing.
    return new GraphQLError('No record with that ID. It may have been deleted.', {
      extensions: { code: 'NOT_FOUND' },
      path,
    });
  }
  if (isGraphQLError(error) && !error.originalError) return error; // parse / validation errors
  if (isGraphQLError(original)) {
    // graphql-js' own coercion of the request's values (an Int out of range, an unknown enum value, a
    // null for a non-null variable): the caller's input, told as graphql-js words it.
    return new GraphQLError(error instanceof Error ? error.message : String(error), {
      extensions: { code: 'BAD_USER_INPUT' },
      path,
    });
  }
  log.error({ err: original }, 'unexpected error while resolving a request');
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' }, path });
}

/** Adds `extensions.sqlStatements` (how many SQL statements the request sent) to each result. */
function useStatementStats(metrics: Metrics | null): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const log = currentStatementLog();
        if (log && !(Symbol.asyncIterator in result)) {
          metrics?.sqlStatementsPerRequest.observe(log.count);
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: log.count } });
        }
      },
    }),
  };
}

/** What the line that closes a request says besides its path, status and duration. */
type RequestLog = { id: string; keyId: string | null; operation: string | null };
const requestLogs = new WeakMap<IncomingMessage, RequestLog>();

/** The caller's X-Request-ID when it is a plain token (so it can be searched for in the logs), else a new one. */
const requestIdOf = (req: IncomingMessage) => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
};

/** Records each GraphQL operation's name (or "anonymous") on its request's log line. */
function useOperationNames(): Plugin {
  return {
    onParams({ params, context }) {
      const log = (context as { requestLog?: RequestLog }).requestLog;
      if (!log) return;
      const name = params.operationName ?? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(params.query ?? '')?.[1];
      log.operation = log.operation ? `${log.operation},${name ?? 'anonymous'}` : (name ?? 'anonymous');
    },
  };
}

/**
 * A mutation's answer is sent once what it changed reaches every reader: the cached answers it made
 * stale are dropped (from Redis too), and the replicas must replay past it before they answer again,
 * here and (with Redis) in every process. So a client that reads next, through any process, reads it.
 */
function useWritesSettled(
  cache: { settled(): Promise<void> } | null,
  router: ReplicaRouter | null,
  walFloor: ReturnType<typeof sharedWalFloor> | null,
): Plugin {
  return {
    async onExecutionResult({ context }) {
      const params = (context as { params?: { query?: string; operationName?: string | null } }).params;
      if (isQuery(params?.query, params?.operationName)) return;
      await cache?.settled();
      const floor = router ? await router.afterWrite() : null;
      if (floor !== null) await walFloor?.publish(floor);
    },
  };
}

/** The route label of metrics: the door a path opens, never the path itself (IDs would make endless labels). */
const routeOf = (path: string) => {
  const first = path.split('/')[1] ?? '';
  return ['graphql', 'stix', 'navigator', 'taxii2', 'health', 'ready', 'metrics'].includes(first) ? first : 'other';
};

export type RunningServer = { url: string; server: Server; close(): Promise<void> };

export async function startHttpServer(
  prisma: Db,
  config: Config,
  log: Logger,
  {
    importToken,
    poolStats = () => null,
    replicas = [],
    asOf,
    listenEmbedded,
  }: {
    importToken?: string;
    poolStats?: () => PoolStats | null;
    replicas?: Replica[];
    asOf?: AsOfClients;
    listenEmbedded?: Database['listen'];
  } = {},
): Promise<RunningServer> {
  const metrics = config.metrics ? createMetrics(poolStats) : null;
  const tracing = config.tracing ? startTracing(config.tracing) : null;
  const router = replicas.length
    ? new ReplicaRouter(prisma, replicas, config.replicas, (target) => metrics?.readsRouted.inc({ target }))
    : null;
  await router?.ready();
  // Writes by other processes reach the caches (responses, TAXII collections) on PostgreSQL by NOTIFY;
  // the embedded database has no other writer.
  const listener =
    config.database.kind === 'postgres'
      ? listenForGraphChanges(prisma, config.database.url, (m, e) => log.warn({ err: e }, m))
      : null;
  await listener?.ready;
  // Keys checked are remembered while changes to them can be heard: by the listener on PostgreSQL, from
  // the one session of the embedded database (SQL by hand through EMBEDDED_SHARE included).
  const forgetKeys = rememberKeys(prisma);
  const unlistenKeys = await listenEmbedded?.(KEYS_CHANNEL, () => keysChanged(prisma));
  const redis = config.redisUrl ? connectRedis(config.redisUrl, log) : null;
  const unshareKept = redis ? shareKept(prisma, redisKeptStore(redis)) : null;
  const walFloor = redis && router ? sharedWalFloor(redis) : null;
  const cache = config.responseCache
    ? responseCache(prisma, config.responseCache, metrics, redis ? redisResponseStore(redis) : undefined)
    : null;
  const yoga = createYoga<{ principal: Principal; requestLog?: RequestLog }>({
    schema,
    graphqlEndpoint: '/graphql',
    // The caller was authenticated before yoga saw the request (see `caller`).
    // A query may be answered by a replica that has replayed every change heard here; a mutation by the primary.
    // A request asked `asOf` reads that moment's snapshot instead (built from the primary's change log).
    context: async ({ principal, params }) =>
      requestContext(
        router && isQuery(params.query, params.operationName)
          ? router.forQuery((await walFloor?.read()) ?? null)
          : prisma,
        config,
        principal,
        viewOf(params.query, params.variables, params.operationName),
        asOf,
      ),
    graphiql: config.graphiql ? { title: 'Threat-actor intelligence API', defaultQuery: exampleQuery } : false,
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: (error, message) => maskError(error, message, log) },
    plugins: [
      ...(tracing ? [tracing.graphqlPlugin] : []),
      useOperationNames(),
      ...(cache || router ? [useWritesSettled(cache, router, walFloor)] : []),
      ...(metrics?.graphqlPlugins ?? []),
      csrfPrevention(),
      refuseNulCharacters(),
      responseSizeLimit(config.limits.maxResponseBytes),
      ...(config.limits.persistedOperationsOnly ? persistedOperationsOnly() : []),
      ...shapeLimits(config.limits),
      ...(config.introspection ? [] : [useDisableIntrospection() as Plugin]),
      ...(config.queryStats ? [useStatementStats(metrics)] : []),
      ...(cache?.plugins ?? []),
    ],
    // Several operations in one request (a JSON array), up to MAX_BATCH.
    batching: { limit: config.limits.maxBatch },
    // The body's size is checked before yoga sees the request (its declared length, below); yoga's own
    // check streams every body through a counter (a pipeline and an AbortSignal per request).
    maxRequestBodySize: false,
    logging: config.logLevel === 'silent' ? false : yogaLogger(log),
  });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const limited = rateLimiter(config.limits, redis?.client);
  /**
   * Refuses a request before it runs, with the code's HTTP status (src/errors.ts): a GraphQL request
   * gets a GraphQL error body, any other endpoint the one error body of the endpoints outside GraphQL.
   */
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    code: HttpErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(errorCodes[code].status, { 'content-type': 'application/json', ...headers });
    const graphql = pathOf(req) === '/graphql';
    res.end(JSON.stringify(graphql ? { errors: [{ message, extensions: { code } }] } : errorBody(code, message)));
  };
  /** Answers 429 RATE_LIMITED; null, as `caller` returns for a request answered already. */
  const tooMany = (
    req: IncomingMessage,
    res: ServerResponse,
    over: { retryAfterSeconds: number },
    limit: 'requests' | 'refused-keys',
  ): null => {
    metrics?.rateLimitRefusals.inc({ limit });
    refuse(
      req,
      res,
      'RATE_LIMITED',
      `Too many requests: at most ${config.limits.ratePerMinute} a minute per key (or per address without one), and ${config.limits.failedAuthPerMinute} refused keys a minute per address. Retry in ${over.retryAfterSeconds} s.`,
      {
        'retry-after': String(over.retryAfterSeconds),
      },
    );
    return null;
  };
  /**
   * Who is asking, before anything else is done for them (no cached answer is served to a key that is
   * no longer valid); refused keys and requests are counted against their limits. Null: answered already.
   */
  const caller = async (req: IncomingMessage, res: ServerResponse): Promise<Principal | null> => {
    if (req.headers.authorization && limited) {
      const over = await limited.blocked(req);
      if (over) return tooMany(req, res, over, 'refused-keys');
    }
    try {
      const principal = await authenticate(prisma, req.headers.authorization, config.anonymousRead);
      const over = await limited?.request(req, principal.keyId);
      const requestLog = requestLogs.get(req);
      if (requestLog) requestLog.keyId = principal.keyId;
      return over ? tooMany(req, res, over, 'requests') : principal;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (req.headers.authorization) {
        const over = await limited?.refusedKey(req);
        if (over) return tooMany(req, res, over, 'refused-keys');
      }
      const headers = { 'www-authenticate': 'Bearer' };
      refuse(req, res, 'UNAUTHENTICATED', error.message, headers);
      return null;
    }
  };
  /** /ready: the database answers, and (where it matters) the change listener listens. */
  const ready = async (res: ServerResponse) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      return json(res, 503, { status: 'unavailable', reason: 'the database does not answer' });
    }
    // Answers stay right while the change listener or Redis is down (caches are bypassed), only slower.
    if (listener && !listener.healthy())
      return json(res, 200, {
        status: 'degraded',
        reason: 'not listening for changes by other processes: caches are bypassed until it is back',
      });
    if (router && !router.status().some((r) => r.healthy))
      return json(res, 200, {
        status: 'degraded',
        reason: 'no replica answers within its lag limit: every read is on the primary',
        replicas: router.status(),
      });
    if (redis && !redis.ready())
      return json(res, 200, {
        status: 'degraded',
        reason: 'Redis does not answer: caches are bypassed and rate limits are counted per process until it is back',
      });
    return json(res, 200, { status: 'ready', ...(router ? { replicas: router.status() } : {}) });
  };
  /**
   * The doors that hold data (GraphQL, STIX downloads, TAXII): the body's declared size is checked
   * before it is read, then the caller is authenticated (and counted against the rate limits) before
   * anything is done for them.
   */
  const guarded =
    (serve: (req: IncomingMessage, res: ServerResponse, principal: Principal) => Promise<unknown> | unknown) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST') {
        const length = Number(req.headers['content-length']);
        if (req.headers['content-length'] === undefined)
          return refuse(req, res, 'LENGTH_REQUIRED', 'Send the body with a Content-Length header.');
        if (!(length <= config.limits.maxBodyBytes))
          return refuse(
            req,
            res,
            'BODY_TOO_LARGE',
            `The request body is limited to ${config.limits.maxBodyBytes} bytes (it declared ${req.headers['content-length']}).`,
          );
      }
      const principal = await caller(req, res);
      if (principal) return serve(req, res, principal);
    };
  const graphql = guarded((req, res, principal) => {
    // A conditional request is not answered from the cache: yoga's cache would answer 304 to any
    // query whose ETag matched any cached answer, whatever the query and whoever asks.
    delete req.headers['if-none-match'];
    return yoga(req, res, { principal, requestLog: requestLogs.get(req) });
  });
  // The same keys and clearance as GraphQL: a download holds only what the caller may read.
  const stix = guarded((req, res, principal) => sendStix(req, res, pathOf(req), principal));
  const navigator = guarded((req, res, principal) => sendNavigatorLayer(req, res, pathOf(req), principal));
  const taxii = guarded((req, res, principal) =>
    handleTaxii(req, res, prisma, principal.clearance, `http://${req.headers.host ?? `${config.host}:${config.port}`}`),
  );
  const everyMethod: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  /** Which door a path opens: find-my-way (the router Fastify uses); the rest goes to yoga, which answers 404. */
  const routes = Router({
    ignoreTrailingSlash: true,
    defaultRoute: (req, res) => yoga(req, res, { principal: anonymous }),
    // A badly escaped address still reaches its door, which answers it with its own error (INVALID_ID, TAXII 400).
    onBadUrl: (path, req, res) => {
      if (path.startsWith('/stix/')) return stix(req, res);
      if (path.startsWith('/navigator/')) return navigator(req, res);
      if (path === '/taxii2' || path.startsWith('/taxii2/')) return taxii(req, res);
      return yoga(req, res, { principal: anonymous });
    },
  });
  routes.on(everyMethod, '/health', (_req, res) => json(res, 200, { status: 'ok' }));
  routes.on(everyMethod, '/ready', (_req, res) => ready(res));
  // Operation names, counts and timings only: no data, no keys. Scraped on the private network (see
  // README, "Running in production"); METRICS=false turns it off.
  if (metrics)
    routes.on(['GET', 'HEAD'], '/metrics', async (_req, res) => {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(body);
    });
  if (importToken)
    routes.on(everyMethod, '/admin/import', async (req, res) =>
      (await import('./ingest/import-endpoint.js')).handleImport(req, res, prisma, importToken),
    );
  routes.on(everyMethod, '/graphql', (req, res) => {
    // GraphiQL's page holds no data: a browser opening it cannot send a key yet.
    if (req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '') && !/[?&]query=/.test(req.url ?? ''))
      return yoga(req, res, { principal: anonymous });
    return graphql(req, res);
  });
  routes.on(everyMethod, '/stix/*', (req, res) => stix(req, res));
  routes.on(everyMethod, '/navigator/*', (req, res) => navigator(req, res));
  routes.on(everyMethod, '/taxii2', (req, res) => taxii(req, res));
  routes.on(everyMethod, '/taxii2/*', (req, res) => taxii(req, res));
  routes.on(everyMethod, '/', (_req, res) => {
    res.writeHead(302, { location: '/graphql' });
    res.end();
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => routes.lookup(req, res);
  /** A response of the JSON downloads (STIX bundles, Navigator layers), as a file when named. */
  type Send = (status: number, body: unknown, name?: string) => void;
  /**
   * A JSON download: read with GET (405 otherwise), answered by `produce`; a refusal keeps the API's code
   * (404 for NOT_FOUND, 400 for the others), anything unexpected is logged and answered 500.
   */
  const download = async (
    req: IncomingMessage,
    res: ServerResponse,
    what: { label: string; contentType: string },
    produce: (send: Send) => Promise<void>,
  ) => {
    const send: Send = (status, body, name) => {
      res.writeHead(status, {
        'content-type': status === 200 ? what.contentType : 'application/json',
        ...(name ? { 'content-disposition': `attachment; filename="${name}"` } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
      return res.end(JSON.stringify(errorBody('METHOD_NOT_ALLOWED', `${what.label} are read with GET.`)));
    }
    try {
      await produce(send);
    } catch (error) {
      if (isGraphQLError(error))
        return send(
          error.extensions.code === 'NOT_FOUND' ? 404 : 400,
          errorBody(error.extensions.code as HttpErrorCode, error.message),
        );
      log.error({ err: error }, `${what.label}: failed`);
      return send(500, errorBody('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
    }
  };
  /** The escaped global ID after `prefix` in a download's address, without `.json` (INVALID_ID if it does not unescape). */
  const idInPath = (path: string, prefix: string, usage: string) => {
    try {
      return decodeURIComponent(path.slice(prefix.length)).replace(/\.json$/, '');
    } catch {
      throw userError('INVALID_ID', `The address is not a valid escaped ID: ${usage}.`);
    }
  };
  /**
   * What a download reads: today's database, or with `?asOf=<date-time>` the snapshot of that moment for
   * the caller's clearance; with `?knownAt=<date>`, the names, claims and citations published by then
   * (as GraphQL's asOf and knownAt).
   */
  const downloadView = async (req: IncomingMessage, clearance: Tlp) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const [askedAsOf, askedKnownAt] = [params.get('asOf'), params.get('knownAt')];
    const known = askedKnownAt == null ? null : dateOf(askedKnownAt);
    if (askedKnownAt != null && !known)
      throw userError('BAD_USER_INPUT', `knownAt must be a date, e.g. 2020-07-01 (got "${askedKnownAt}").`, {
        argument: 'knownAt',
      });
    const scope = { clearance, known };
    if (askedAsOf == null) return { reader: prisma, scope, today: known == null };
    const moment = new Date(askedAsOf);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(askedAsOf) || Number.isNaN(moment.getTime()))
      throw userError(
        'BAD_USER_INPUT',
        `asOf must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z (got "${askedAsOf}").`,
        { argument: 'asOf' },
      );
    const snapshot = asOf ? await asOf.at(moment, clearance) : { prisma };
    if (!('prisma' in snapshot)) throw beforeLogError(snapshot.before);
    return { reader: snapshot.prisma, scope, today: false };
  };
  /**
   * STIX 2.1 downloads: the whole database, or one record (?depth=1|2) or source by its global ID;
   * ?asOf= as the database held it at a moment, ?knownAt= as the sources said by a day.
   */
  const sendStix = (req: IncomingMessage, res: ServerResponse, path: string, { clearance }: Principal) =>
    download(req, res, { label: 'STIX downloads', contentType: 'application/stix+json;version=2.1' }, async (send) => {
      const { reader, scope, today } = await downloadView(req, clearance);
      if (path === '/stix/bundle.json') {
        // The whole database, built once per clearance and kept until the graph changes (today's only:
        // one at a moment or by a date is built each time it is asked).
        const body = today
          ? await keptUntilChange(
              prisma,
              `stix-bundle:${clearance}`,
              async () => JSON.stringify(await exportAll(prisma, scope)),
              { encode: (text) => text, decode: (text) => text },
            )
          : JSON.stringify(await exportAll(reader, scope));
        res.writeHead(200, {
          'content-type': 'application/stix+json;version=2.1',
          'content-disposition': 'attachment; filename="bundle.json"',
        });
        res.end(body);
        return;
      }
      const globalId = idInPath(path, '/stix/', 'GET /stix/<global ID>.json or /stix/bundle.json');
      const { typename, id } = decodeId(globalId);
      const depth = checkedDepth(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('depth') ?? 1));
      if (typename === 'Source') return send(200, await exportSource(reader, scope, id), `${globalId}.json`);
      if (typename !== 'Actor' && typename !== 'Campaign' && typename !== 'Tool')
        throw userError('INVALID_ID', 'Only actors, campaigns, tools and sources export as STIX bundles.');
      const exists = await (
        reader[typename.toLowerCase() as 'actor'] as unknown as { count(a: object): Promise<number> }
      ).count({ where: { id } });
      if (!exists) return send(404, errorBody('NOT_FOUND', `No ${typename.toLowerCase()} with that ID.`));
      send(200, await exportNeighbourhood(reader, scope, { type: typename, id }, depth), `${globalId}.json`);
    });
  /** ATT&CK Navigator layers: GET /navigator/<global ID>.json[?compare=<ID>,<ID>] (src/export/navigator.ts). */
  const sendNavigatorLayer = (req: IncomingMessage, res: ServerResponse, path: string, { clearance }: Principal) =>
    download(req, res, { label: 'Navigator layers', contentType: 'application/json' }, async (send) => {
      const globalId = idInPath(path, '/navigator/', 'GET /navigator/<global ID>.json');
      const compare = new URL(req.url ?? '/', 'http://x').searchParams.get('compare');
      const ids = [globalId, ...(compare ? compare.split(',').filter(Boolean) : [])];
      const { navigatorLayer } = await import('./export/navigator.js');
      send(200, await navigatorLayer(prisma, clearance, ids), `${globalId}-layer.json`);
    });
  const server = createServer((req, res) => {
    const started = performance.now();
    const requestLog: RequestLog = { id: requestIdOf(req), keyId: null, operation: null };
    requestLogs.set(req, requestLog);
    res.setHeader('x-request-id', requestLog.id);
    const span = tracing?.tracer.startSpan(`${req.method} ${routeOf(pathOf(req))}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? '', 'url.path': pathOf(req), 'request.id': requestLog.id },
    });
    res.once('close', () => {
      if (span) {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (requestLog.operation) span.setAttribute('graphql.operation.name', requestLog.operation);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      const seconds = (performance.now() - started) / 1000;
      const path = pathOf(req);
      const route = routeOf(path);
      metrics?.httpRequests.inc({ route, method: req.method ?? '', status: res.statusCode });
      metrics?.httpDuration.observe({ route }, seconds);
      log.info(
        {
          requestId: requestLog.id,
          method: req.method,
          path,
          status: res.statusCode,
          keyId: requestLog.keyId,
          operation: requestLog.operation,
          durationMs: Math.round(seconds * 10_000) / 10,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    // A request that takes too long is answered (the work it started is not awaited any longer).
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      // The connection is closed after the answer: the request may still be sending its body.
      // On the embedded database an import holds the one connection until it commits: say when to come back.
      if (importRunning())
        return refuse(
          req,
          res,
          'IMPORT_IN_PROGRESS',
          'An import is being written; the embedded database answers again when it is done. Retry shortly.',
          { connection: 'close', 'retry-after': '5' },
        );
      refuse(
        req,
        res,
        'TIMEOUT',
        `The request took longer than ${config.limits.requestTimeoutMs} ms. Ask for less (smaller pages, fewer levels).`,
        { connection: 'close' },
      );
    }, config.limits.requestTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    // Statements are counted only when asked for: the count's AsyncLocalStorage scope turns on
    // promise hooks for the whole process, which costs every request (~10 % of the server CPU per
    // request in the benchmark's Q1 and Q2).
    const counted = () =>
      config.queryStats ? countStatements({ count: 0, statements: [] }, () => handle(req, res)) : handle(req, res);
    // The request's span is the parent of what it runs (GraphQL phases, SQL statements).
    const handled = span ? context.with(trace.setSpan(context.active(), span), counted) : counted();
    handled.catch((error) => {
      if (res.headersSent) return; // answered already (timed out)
      log.error({ err: error }, 'request failed');
      refuse(req, res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    });
  });
  // Receiving a request (headers and body) is bounded too: a client trickling bytes is cut off.
  server.requestTimeout = Math.max(config.limits.requestTimeoutMs, server.headersTimeout);
  // Keep idle connections longer than clients and proxies do (Node's 5 s default closes a connection
  // a client may be reusing that very moment: ECONNRESET on its next request).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const webSockets = serveWebSockets(server, yoga, (authorization) =>
    authenticate(prisma, authorization, config.anonymousRead),
  );
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
      // Graceful: no new connections; requests in flight are answered; each kept-alive connection is
      // closed as soon as it is idle (a client would otherwise hold it open until its own timeout).
      // Subscriptions never end by themselves: theirs are ended first (SSE responses complete, sockets close).
      endChangeStreams(prisma);
      await asOf?.close();
      await webSockets.close();
      await new Promise<void>((resolve) => {
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      cache?.close();
      unshareKept?.();
      forgetKeys();
      await unlistenKeys?.();
      await router?.close();
      await listener?.stop();
      await redis?.close();
      await tracing?.shutdown();
    },
  };
}
