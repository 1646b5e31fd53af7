// Every setting comes from the environment and is validated once, at start-up, with messages that
// name the variable and say what is expected.
import path from 'node:path';
import { z } from 'zod';
import type { DatabaseTarget } from './database/connection.js';
import { projectRoot } from './database/migrations.js';

/** The datasets shipped in seeds/, by name. The curated seeds come first: datasets add to them. */
export const datasetFiles = {
  curated: [path.join(projectRoot, 'seeds/cryptocore.yaml')],
  'mitre-attack': [
    path.join(projectRoot, 'seeds/datasets/mitre-attack/enterprise-attack-18.1-actors-subset.stix21.json'),
  ],
  // Techniques, tactics and who uses which: its uses name the groups, campaigns and software above by STIX id.
  'mitre-attack-techniques': [
    path.join(projectRoot, 'seeds/datasets/mitre-attack/enterprise-attack-18.1-techniques.stix21.json'),
  ],
  // Tools first: the threat actors' `uses` links name them.
  'misp-galaxy': ['tool.json', 'threat-actor.json'].map((f) => path.join(projectRoot, 'seeds/datasets/misp-galaxy', f)),
};

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `expected at least ${min}` })
    .max(max, { message: `expected at most ${max}` })
    .default(fallback);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(4000, 0, 65535),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, {
        message: 'expected a postgresql:// URL (leave it unset for the embedded database)',
      })
      .optional(),
    DATA_DIR: z.string().min(1).default(path.join(projectRoot, '.data/pglite')),
    EMBEDDED_SHARE: bool(false),
    EMBEDDED_SHARE_PORT: int(0, 0, 65535),
    DB_POOL_SIZE: int(10, 1, 200),
    DATABASE_REPLICA_URLS: z
      .string()
      .refine((v) => v.split(',').every((u) => /^postgres(ql)?:\/\//.test(u.trim())), {
        message: 'expected comma-separated postgresql:// URLs of streaming replicas of DATABASE_URL',
      })
      .optional(),
    REPLICA_CHECK_MS: int(250, 10, 60_000),
    REPLICA_MAX_LAG_BYTES: int(16_777_216, 0, 1_073_741_824),
    DB_STATEMENT_TIMEOUT_MS: int(0, 0, 3_600_000).optional(),
    SEED_ON_START: bool(true),
    SEED_FILES: z.string().optional(),
    SEED_DATASETS: z
      .string()
      .default('curated,mitre-attack,mitre-attack-techniques,misp-galaxy')
      .refine((v) => v.split(',').every((d) => Object.keys(datasetFiles).includes(d.trim())), {
        message: `expected a comma-separated list of ${Object.keys(datasetFiles).join(', ')}`,
      }),
    DEFAULT_PAGE_SIZE: int(20, 1, 1000),
    MAX_PAGE_SIZE: int(100, 1, 10000),
    GRAPHIQL: z.enum(['true', 'false']).optional(),
    ANONYMOUS_READ: z.enum(['true', 'false']).optional(),
    INTROSPECTION: z.enum(['true', 'false']).optional(),
    QUERY_STATS: z.enum(['true', 'false']).optional(),
    RESPONSE_CACHE: z.enum(['true', 'false']).optional(),
    RESPONSE_CACHE_TTL_MS: int(300_000, 0, 86_400_000),
    RESPONSE_CACHE_MAX: int(1000, 1, 1_000_000),
    MAX_DEPTH: int(15, 1, 1000),
    MAX_ALIASES: int(30, 0, 10_000),
    MAX_TOKENS: int(2000, 10, 1_000_000),
    MAX_DIRECTIVES: int(50, 0, 10_000),
    MAX_COST: int(50_000, 1, 100_000_000),
    NESTED_PAGE_ESTIMATE: int(5, 1, 10_000),
    MAX_BREADTH: int(500, 1, 100_000),
    MAX_BATCH: int(10, 1, 1000),
    MAX_BODY_BYTES: int(1_048_576, 1024, 1_073_741_824),
    REQUEST_TIMEOUT_MS: int(30_000, 100, 3_600_000),
    RATE_LIMIT_PER_MINUTE: int(600, 0, 10_000_000),
    FAILED_AUTH_PER_MINUTE: int(20, 1, 10_000_000),
    MAX_RESPONSE_BYTES: int(33_554_432, 1024, 1_073_741_824),
    PERSISTED_OPERATIONS: bool(false),
    METRICS: bool(true),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url({ message: 'expected the URL of an OTLP/HTTP collector' }).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
      .string()
      .url({ message: 'expected the URL of an OTLP/HTTP traces endpoint' })
      .optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('threat-actor-intel-api'),
    OTEL_BSP_SCHEDULE_DELAY: int(5000, 1, 600_000),
    TRACE_RESOLVERS: bool(false),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, {
        message: 'expected a redis:// or rediss:// URL (leave it unset to keep caches in the process)',
      })
      .optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .refine((env) => !env.DATABASE_REPLICA_URLS || env.DATABASE_URL, {
    message: 'replicas need their primary: set DATABASE_URL too',
    path: ['DATABASE_REPLICA_URLS'],
  })
  .refine((env) => env.DEFAULT_PAGE_SIZE <= env.MAX_PAGE_SIZE, {
    message: 'DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE',
    path: ['DEFAULT_PAGE_SIZE'],
  });

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    database: (e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DB_POOL_SIZE,
          // A statement outliving its request's timeout is cancelled by the database (see connection.ts).
          statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS ? e.DB_STATEMENT_TIMEOUT_MS : e.REQUEST_TIMEOUT_MS,
        }
      : {
          kind: 'embedded',
          dataDir: path.resolve(e.DATA_DIR),
          shareOn: e.EMBEDDED_SHARE ? { host: '127.0.0.1', port: e.EMBEDDED_SHARE_PORT } : null,
        }) as DatabaseTarget,
    /** Streaming replicas of DATABASE_URL that answer queries (see database/replicas.ts). */
    replicas: {
      urls: e.DATABASE_REPLICA_URLS ? e.DATABASE_REPLICA_URLS.split(',').map((u) => u.trim()) : [],
      checkMs: e.REPLICA_CHECK_MS,
      maxLagBytes: e.REPLICA_MAX_LAG_BYTES,
    },
    seedOnStart: e.SEED_ON_START,
    /** What the first start loads: SEED_FILES if given, else the files of SEED_DATASETS, in order. */
    seedFiles: e.SEED_FILES
      ? e.SEED_FILES.split(',').map((f) => path.resolve(f.trim()))
      : e.SEED_DATASETS.split(',').flatMap((d) => datasetFiles[d.trim() as keyof typeof datasetFiles]),
    pageSize: { default: e.DEFAULT_PAGE_SIZE, max: e.MAX_PAGE_SIZE },
    /** Serve GraphiQL (on by default, off in production). */
    graphiql: e.GRAPHIQL ? e.GRAPHIQL === 'true' : e.NODE_ENV !== 'production',
    /** Let callers without a key read TLP:CLEAR (on by default, off in production). */
    anonymousRead: e.ANONYMOUS_READ ? e.ANONYMOUS_READ === 'true' : e.NODE_ENV !== 'production',
    /** Answer introspection queries (on by default, off in production; the SDK is generated from schema.graphql). */
    introspection: e.INTROSPECTION ? e.INTROSPECTION === 'true' : e.NODE_ENV !== 'production',
    /** Report SQL statements per request in the response's `extensions` (off in production by default). */
    queryStats: e.QUERY_STATS ? e.QUERY_STATS === 'true' : e.NODE_ENV !== 'production',
    logLevel: e.LOG_LEVEL,
    /** Share the response cache, rate limits and kept exports with other processes through Redis (see redis.ts). */
    redisUrl: e.REDIS_URL ?? null,
    /** OpenTelemetry traces over OTLP/HTTP, when a collector is configured (see tracing.ts). */
    tracing:
      e.OTEL_EXPORTER_OTLP_ENDPOINT || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
        ? { serviceName: e.OTEL_SERVICE_NAME, resolvers: e.TRACE_RESOLVERS, batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY }
        : null,
    /** Serve Prometheus metrics at /metrics (see metrics.ts). */
    metrics: e.METRICS,
    /** Abuse limits (see limits.ts); RATE_LIMIT_PER_MINUTE 0 turns rate limiting off. */
    limits: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_COST,
      /** What a nested connection asked without `first` / `last` is costed at (items per page). */
      nestedPageEstimate: e.NESTED_PAGE_ESTIMATE,
      maxBreadth: e.MAX_BREADTH,
      maxBatch: e.MAX_BATCH,
      maxBodyBytes: e.MAX_BODY_BYTES,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      ratePerMinute: e.RATE_LIMIT_PER_MINUTE,
      /** Refused keys per minute per address (guessing keys is limited well below asking with one). */
      failedAuthPerMinute: e.FAILED_AUTH_PER_MINUTE,
      /** The largest GraphQL answer sent (its JSON); a larger one is replaced by RESPONSE_TOO_LARGE. */
      maxResponseBytes: e.MAX_RESPONSE_BYTES,
      persistedOperationsOnly: e.PERSISTED_OPERATIONS,
    },
    /** Keep answers until the graph changes (on in production by default; see response-cache.ts). */
    responseCache: (e.RESPONSE_CACHE ? e.RESPONSE_CACHE === 'true' : e.NODE_ENV === 'production')
      ? { ttlMs: e.RESPONSE_CACHE_TTL_MS, max: e.RESPONSE_CACHE_MAX, reportHits: e.NODE_ENV !== 'production' }
      : null,
  };
}
