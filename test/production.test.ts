// The server as production runs it: built (`npm run build`) and started with plain node
// (`npm run start:prod`), NODE_ENV=production, logging every line with pino, counting what it does at
// /metrics, draining the requests in flight when told to stop, and (on PostgreSQL) cancelling database
// work that outlives its request.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/database/connection.js';
import { createPrismaClient } from '../src/db.js';
import { freshDatabase, onPostgres } from './helpers/database.js';
import { builtServer, type ServerProcess, startMain } from './helpers/process.js';

// CI builds before it tests; a developer's `npm test` without a build skips this file (`npm run build` first).
const built = existsSync(builtServer) || Boolean(process.env.CI);

const production = {
  NODE_ENV: 'production',
  // Production settings, but a key is not what this file tests.
  ANONYMOUS_READ: 'true',
  LOG_LEVEL: 'info',
};

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, body: (await res.json()) as { data?: any; errors?: any[] } };
}

/** One sample of the Prometheus text format, by metric name and labels (exactly as printed). */
function sample(metrics: string, name: string, labels = ''): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const logLines = (server: ServerProcess) =>
  server
    .output()
    .split('\n')
    .filter((l) => l.trim());

describe.runIf(built)('the built server (npm run start:prod)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'tai-prod-')), 'pglite');
    server = await startMain({ ...production, DATA_DIR: dataDir }, 90_000, { built: true });
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop();
  });

  it('runs from dist/ with plain node: migrated, seeded, answering', async () => {
    expect(server.child.spawnargs.join(' ')).toMatch(/dist\/main\.js$/);
    expect(server.child.spawnargs).not.toContain('tsx');
    const { body } = await post(server.url, { query: '{ campaign(name: "leery turtle") { name } }' });
    expect(body.data.campaign.name).toBe('CryptoCore');
  });

  it('logs every line as JSON (pino), each request with its id, key id, operation, status and duration', async () => {
    const { res } = await post(
      server.url,
      { query: 'query StoryCheck { campaign(name: "CryptoCore") { name } }', operationName: 'StoryCheck' },
      { 'x-request-id': 'prod-test-42' },
    );
    expect(res.headers.get('x-request-id')).toBe('prod-test-42');
    // A request without an id (or with one that is not a plain token) gets a new one.
    const { res: other } = await post(
      server.url,
      { query: '{ __typename }' },
      { 'x-request-id': 'no spaces <allowed>' },
    );
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 100)); // the line is written when the answer closes
    const lines = logLines(server).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines) {
      expect(['debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
      expect(typeof line.message).toBe('string');
    }
    const requestLine = lines.find((l) => l.requestId === 'prod-test-42');
    expect(requestLine).toMatchObject({
      level: 'info',
      message: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      keyId: null,
      operation: 'StoryCheck',
    });
    expect(requestLine!.durationMs).toBeGreaterThan(0);
  });

  it('counts operations, errors by code, SQL statements and cache hits at /metrics', async () => {
    const probe = 'query MetricsProbe { actors(first: 3) { totalCount } }';
    for (let i = 0; i < 3; i++) await post(server.url, { query: probe });
    const bad = await post(server.url, { query: 'query MetricsBad { actors(first: -1) { totalCount } }' });
    expect(bad.body.errors?.[0].extensions.code).toBe('INVALID_PAGE_ARGUMENT');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const metrics = await res.text();
    // The response cache is on in production: the same question asked three times runs once and is
    // answered twice from the cache.
    expect(sample(metrics, 'graphql_envelop_request', 'operationName="MetricsProbe",operationType="query"')).toBe(1);
    expect(sample(metrics, 'response_cache_lookups_total', 'result="hit"')).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'graphql_errors_total', 'code="INVALID_PAGE_ARGUMENT"')).toBe(1);
    expect(sample(metrics, 'http_requests_total', 'route="graphql",method="POST",status="200"')).toBeGreaterThanOrEqual(
      6,
    );
    expect(sample(metrics, 'sql_statements_total')).toBeGreaterThan(0);
    expect(sample(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No data in the metrics: no names of actors, no IDs.
    expect(metrics).not.toContain('CryptoCore');
  });

  it('on SIGTERM, answers the requests in flight, then exits 0', async () => {
    const { port, hostname } = new URL(server.url);
    const body = JSON.stringify({ query: '{ campaign(name: "CryptoCore") { name } }' });
    // A request whose body arrives in two parts, the second after the signal.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: hostname,
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).data.campaign.name).toBe('CryptoCore');
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('draining the requests in flight');
    // Stopped: nothing listens any more.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe.runIf(onPostgres)('database work of a request that timed out', () => {
  it('is cancelled by the database: every pooled session has statement_timeout set from REQUEST_TIMEOUT_MS', async () => {
    const db = await freshDatabase();
    if (db.target.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    const database = await openDatabase({ ...db.target, statementTimeoutMs: 300 });
    const prisma = createPrismaClient(database);
    try {
      const [setting] = await prisma.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
      expect(setting.statement_timeout).toBe('300ms');
      const error = await prisma.$queryRaw`SELECT pg_sleep(3)`.then(
        () => null,
        (e: unknown) => e,
      );
      expect(String(error)).toContain('canceling statement due to statement timeout');
      // The pool's connection is usable again at once.
      expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
      await database.close();
      await db.drop();
    }
  });

  it.runIf(built)('the pool is reported at /metrics', async () => {
    const db = await freshDatabase();
    if (db.target.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    const server = await startMain({ ...production, DATABASE_URL: db.target.url, DB_POOL_SIZE: '7' }, 90_000, {
      built: true,
    });
    try {
      await post(server.url, { query: '{ actors(first: 1) { totalCount } }' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(sample(metrics, 'db_pool_connections', 'state="max"')).toBe(7);
      expect(sample(metrics, 'db_pool_connections', 'state="total"')).toBeGreaterThanOrEqual(1);
    } finally {
      expect(await server.stop()).toBe(0);
      await db.drop();
    }
  });
});
