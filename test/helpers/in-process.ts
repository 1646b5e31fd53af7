// Resolvers run in this process with graphql's validate() and execute(), no HTTP in between: a
// request's answer and the SQL statements it sent (the statement log the server keeps per request),
// for tests of what the schema answers and how it reads. The database is the same as a server test's
// (see database.ts), migrated and seeded as `npm start` does it. `raw`, `query` and `key` behave as a
// test server's (server.ts), so a test of resolvers moves here by changing its start-up line; tests of
// HTTP behaviour (status codes, headers, masking, limits, downloads) stay with the server.
import { type ExecutionResult, execute, parse, validate } from 'graphql';
import { authenticate } from '../../src/auth/authenticate.js';
import { createApiKey } from '../../src/auth/keys.js';
import { anonymous, type Principal } from '../../src/auth/principal.js';
import { loadConfig } from '../../src/config.js';
import { requestContext } from '../../src/context.js';
import { openDatabase } from '../../src/database/connection.js';
import { countStatements, type StatementLog } from '../../src/database/statement-counter.js';
import { asOfClients, createPrismaClient, type Db } from '../../src/db.js';
import type { Role, Tlp } from '../../src/generated/prisma/client.js';
import { schema } from '../../src/schema/index.js';
import { viewOf } from '../../src/schema/known-at.js';
import { freshDatabase } from './database.js';
import type { GraphQLResponse } from './server.js';

export type Executed<T> = {
  /** The answer, as JSON would carry it (dates as strings, no undefined). */
  result: ExecutionResult<T>;
  /** The SQL statements the request sent, in order. */
  statements: string[];
};

export type InProcess = {
  prisma: Db;
  /** Runs a request as `principal` (anonymous by default). */
  run<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    principal?: Principal,
  ): Promise<Executed<T>>;
  /** As a test server's: data and errors as they came, with the statement count (with `key`: as that API key). */
  raw<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string,
  ): Promise<GraphQLResponse<T>>;
  /** As a test server's: a request that must succeed. */
  query<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T>;
  /** Makes an API key, as `npm run keys -- create` does, and returns it. */
  key(role: Role, clearance: Tlp, name?: string): Promise<string>;
  stop(): Promise<void>;
};

export async function inProcess(env: Record<string, string> = {}): Promise<InProcess> {
  const config = loadConfig({ LOG_LEVEL: 'error', NODE_ENV: 'test', SEED_DATASETS: 'curated', ...env });
  // Migrated and seeded as the first start would, from a copy made once (see database.ts).
  const db = await freshDatabase(config.seedOnStart ? config.seedFiles : []);
  const database = await openDatabase(db.target);
  const prisma = createPrismaClient(database);
  const asOf = asOfClients(database, prisma);
  const run: InProcess['run'] = async (query, variables = {}, principal) => {
    const document = parse(query);
    const invalid = validate(schema, document);
    if (invalid.length) return { result: JSON.parse(JSON.stringify({ errors: invalid })), statements: [] };
    const contextValue = await requestContext(
      prisma,
      config,
      principal ?? anonymous,
      viewOf(document, variables),
      asOf,
    );
    const log: StatementLog = { count: 0, statements: [] };
    const result = await countStatements(log, () =>
      execute({
        schema,
        document,
        variableValues: variables,
        contextValue,
      }),
    );
    return { result: JSON.parse(JSON.stringify(result)), statements: log.statements };
  };
  const raw: InProcess['raw'] = async (query, variables, key) => {
    const principal = await authenticate(prisma, key ? `Bearer ${key}` : undefined, config.anonymousRead);
    const { result, statements } = await run(query, variables, principal);
    return { ...result, extensions: { sqlStatements: statements.length } } as GraphQLResponse<never>;
  };
  return {
    prisma,
    run,
    raw,
    async query<T>(query: string, variables?: Record<string, unknown>, key?: string) {
      const { data, errors } = await raw<T>(query, variables, key);
      if (errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(errors)}`);
      return data as T;
    },
    key: async (role, clearance, name = `test ${role.toLowerCase()} ${clearance.toLowerCase()}`) =>
      (await createApiKey(prisma, { name, role, clearance })).key,
    async stop() {
      await asOf.close();
      await prisma.$disconnect();
      await database.close();
      await db.drop();
    },
  };
}
