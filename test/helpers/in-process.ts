// Resolvers run in this process with graphql's execute(), no HTTP in between: a request's answer and
// the SQL statements it sent (the statement log the server keeps per request), for tests of what the
// schema answers and how it reads. The database is the same as a server test's (see database.ts),
// migrated and seeded as `npm start` does it; tests of HTTP behaviour use server.ts instead.
import { type ExecutionResult, execute, parse } from 'graphql';
import { anonymous, type Principal } from '../../src/auth/principal.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { openDatabase } from '../../src/database/connection.js';
import { countStatements, type StatementLog } from '../../src/database/statement-counter.js';
import { createPrismaClient, type Db } from '../../src/db.js';
import { schema } from '../../src/schema/index.js';
import { freshDatabase } from './database.js';

export type Executed<T> = {
  /** The answer, as JSON would carry it (dates as strings, no undefined). */
  result: ExecutionResult<T>;
  /** The SQL statements the request sent, in order. */
  statements: string[];
};

export type InProcess = {
  prisma: Db;
  run<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    principal?: Principal,
  ): Promise<Executed<T>>;
  stop(): Promise<void>;
};

export async function inProcess(env: Record<string, string> = {}): Promise<InProcess> {
  const config = loadConfig({ LOG_LEVEL: 'error', NODE_ENV: 'test', SEED_DATASETS: 'curated', ...env });
  // Migrated and seeded as the first start would, from a copy made once (see database.ts).
  const db = await freshDatabase(config.seedFiles);
  const database = await openDatabase(db.target);
  const prisma = createPrismaClient(database);
  return {
    prisma,
    async run(query, variables = {}, principal = anonymous) {
      const log: StatementLog = { count: 0, statements: [] };
      const result = await countStatements(log, () =>
        execute({
          schema,
          document: parse(query),
          variableValues: variables,
          contextValue: createContext(prisma, config, principal),
        }),
      );
      return { result: JSON.parse(JSON.stringify(result)), statements: log.statements };
    },
    async stop() {
      await prisma.$disconnect();
      await database.close();
      await db.drop();
    },
  };
}
