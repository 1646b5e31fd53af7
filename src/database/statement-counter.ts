// Counts the SQL statements Prisma sends, per request: the figure the N+1 tests and the benchmark
// read. The count lives in an AsyncLocalStorage scope that the server opens around each request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils';

export type StatementLog = { count: number; statements: string[] };

const scope = new AsyncLocalStorage<StatementLog>();

export function countStatements<T>(log: StatementLog, fn: () => T): T {
  return scope.run(log, fn);
}

export function currentStatementLog(): StatementLog | undefined {
  return scope.getStore();
}

let sent = 0;
let tracer: Tracer | null = null;

/** One span per SQL statement while tracing is on (src/tracing.ts); null turns them off. */
export function traceStatements(t: Tracer | null) {
  tracer = t;
}

/** Runs a statement inside a span of its own (a child of the request's), recording a failure. */
function traced<T>(sql: string, run: () => Promise<T>): Promise<T> {
  if (!tracer) return run();
  return tracer.startActiveSpan(
    'sql',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': sql } },
    async (span) => {
      try {
        return await run();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** SQL statements sent by this process since it started (the metrics' `sql_statements_total`). */
export const statementsSent = () => sent;

function record(sql: string) {
  sent++;
  const log = scope.getStore();
  if (log) {
    log.count++;
    if (log.statements.length < 50) log.statements.push(sql);
  }
}

/**
 * How long a transaction's statements may run back to back before the event loop gets a turn. The
 * embedded database answers in this process, with promises only: an import's thousands of statements
 * would otherwise keep timers and new connections waiting for its whole length (5.2 s for 7k records),
 * so a request's timeout could not even answer it.
 */
const YIELD_EVERY_MS = 25;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function wrapQueryable<Q extends SqlQueryable>(target: Q, inTransaction = false): Q {
  let since = performance.now();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop === 'queryRaw' || prop === 'executeRaw') {
        return async (query: { sql: string }) => {
          record(query.sql);
          if (inTransaction && performance.now() - since > YIELD_EVERY_MS) {
            await turn();
            since = performance.now();
          }
          return traced(query.sql, async () => (value as (q: unknown) => unknown).call(obj, query));
        };
      }
      if (prop === 'startTransaction') {
        return async (...args: unknown[]) => {
          const tx = await (value as (...a: unknown[]) => Promise<Transaction>).apply(obj, args);
          return wrapQueryable(tx, true);
        };
      }
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}

export function countingAdapterFactory<F extends SqlDriverAdapterFactory>(factory: F): F {
  return new Proxy(factory, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop === 'connect') {
        return async () => wrapQueryable<SqlDriverAdapter>(await factory.connect());
      }
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}
