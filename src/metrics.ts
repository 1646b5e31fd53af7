// Prometheus metrics at /metrics: yoga's Prometheus plugin for GraphQL operations (count, duration and
// errors by operation name and type), and this server's own: HTTP requests by route and status, SQL
// statements, response-cache lookups, rate-limit refusals, the database pool, and Node's process
// metrics. Each server has its own registry (the tests run several servers in one process).
import {
  createCounter,
  createHistogram,
  type FillLabelsFnParams,
  usePrometheus,
} from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './database/connection.js';
import { statementsSent } from './database/statement-counter.js';

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Operation names are the caller's words: each new one would be a new series kept for the process's
 * life. The first MAX_OPERATION_LABELS names seen are labels (an SDK-based client has a few dozen);
 * later ones count as "other".
 */
const MAX_OPERATION_LABELS = 200;

function operationLabels() {
  const seen = new Set<string>();
  return (params: FillLabelsFnParams) => {
    let name = params.operationName ?? 'anonymous';
    if (!seen.has(name)) {
      if (seen.size < MAX_OPERATION_LABELS) seen.add(name);
      else name = 'other';
    }
    return { operationName: name, operationType: params.operationType ?? 'unknown' };
  };
}

/** Counts the errors of each answer sent by their code, as the caller reads it (after masking). */
function errorCodes(counter: Counter<'code'>): Plugin {
  type Answer = { errors?: readonly { extensions?: { code?: unknown } }[] };
  const count = (result: unknown) => {
    for (const error of (result as Answer | null)?.errors ?? []) {
      const code = error.extensions?.code;
      counter.inc({ code: typeof code === 'string' ? code : 'UNKNOWN' });
    }
  };
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach(count);
      else count(result);
    },
  };
}

/**
 * yoga's Prometheus plugin, keeping the metrics an operator reads (operations, their duration, their
 * errors by code) with bounded labels, and leaving out those labelled by field path or URL.
 */
function graphqlMetrics(registry: Registry): Plugin {
  const labels = operationLabels();
  const labelNames = ['operationType', 'operationName'];
  return usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'graphql_envelop_request', help: 'GraphQL operations run, by name and type.', labelNames },
        fillLabelsFn: labels,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time to execute a GraphQL operation (s), by name and type.',
          labelNames,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        },
        fillLabelsFn: labels,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors in GraphQL answers, by operation and the phase that raised them (graphql_errors_total counts them by code).',
          labelNames: [...labelNames, 'phase'],
        },
        fillLabelsFn: (params) => ({
          ...labels(params),
          phase: (params as FillLabelsFnParams & { errorPhase?: string }).errorPhase ?? 'execute',
        }),
      }),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_execute_resolver: false,
      graphql_yoga_http_duration: false,
    },
  }) as Plugin;
}

export function createMetrics(poolStats: () => PoolStats | null) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let statementsReported = statementsSent();
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in the GraphQL answers sent, by code (BAD_USER_INPUT, UNAUTHENTICATED, TIMEOUT, INTERNAL_SERVER_ERROR ...).',
    labelNames: ['code'] as const,
    registers,
  });
  return {
    registry,
    graphqlPlugins: [graphqlMetrics(registry), errorCodes(errors)],
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route (graphql, stix, taxii, health, ready, metrics, other), method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from a request’s arrival to the end of its answer, by route.',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    sqlStatements: new Counter({
      name: 'sql_statements_total',
      help: 'SQL statements sent to the database by this process (divide its rate by the request rate for statements per request).',
      registers,
      collect() {
        const now = statementsSent();
        this.inc(now - statementsReported);
        statementsReported = now;
      },
    }),
    sqlStatementsPerRequest: new Histogram({
      name: 'graphql_sql_statements_per_request',
      help: 'SQL statements per GraphQL operation (recorded while QUERY_STATS counts them).',
      buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100],
      registers,
    }),
    cacheLookups: new Counter({
      name: 'response_cache_lookups_total',
      help: 'Response-cache lookups: hit, miss, shared (waited for the answer another request was computing), or bypass (changes by other processes cannot be heard, or the cache store does not answer).',
      labelNames: ['result'] as const,
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'rate_limit_refusals_total',
      help: 'Requests refused 429 RATE_LIMITED, by the limit they hit (requests per caller, refused keys per address).',
      labelNames: ['limit'] as const,
      registers,
    }),
    readsRouted: new Counter({
      name: 'db_reads_routed_total',
      help: 'GraphQL queries by the database that answered them, with DATABASE_REPLICA_URLS: a replica, or the primary (no replica had replayed the latest change, or none answers).',
      labelNames: ['target'] as const,
      registers,
    }),
    pool: new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (total open, idle, waiting requests for one, max); empty on the embedded database.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const stats = poolStats();
        if (!stats) return;
        for (const [state, value] of Object.entries(stats)) this.set({ state }, value);
      },
    }),
  };
}
