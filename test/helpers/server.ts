// A real API server for a test file: its own database (see database.ts), migrated and seeded the
// way `npm start` does it, listening on a free port; requests go over HTTP with graphql-request.
import { ClientError, GraphQLClient } from 'graphql-request';
import { type App, startApp } from '../../src/app.js';
import { createApiKey } from '../../src/auth/keys.js';
import { loadConfig } from '../../src/config.js';
import type { Role, Tlp } from '../../src/generated/prisma/client.js';
import { getSdk } from '../../src/sdk/index.js';
import { freshDatabase } from './database.js';

export type TestServer = {
  url: string;
  app: App;
  client: GraphQLClient;
  sdk: ReturnType<typeof getSdk>;
  /** Runs a query and returns data and errors as they came, for tests of errors (with `key`: as that API key). */
  raw<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string,
  ): Promise<GraphQLResponse<T>>;
  /** Runs a query that must succeed (with `key`: as that API key). */
  query<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T>;
  /** Makes an API key, as `npm run keys -- create` does, and returns it. */
  key(role: Role, clearance: Tlp, name?: string): Promise<string>;
  stop(): Promise<void>;
};

export type GraphQLResponse<T> = {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: { sqlStatements?: number };
};

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'error', NODE_ENV: 'test', SEED_DATASETS: 'curated', ...env });
  // Seeded as the first start would seed it, from a copy made once (see database.ts).
  const db = await freshDatabase(config.seedOnStart ? config.seedFiles : []);
  const app = await startApp({ ...config, database: db.target });
  const endpoint = `${app.url}/graphql`;
  const client = new GraphQLClient(endpoint);
  const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
  const raw = async <T>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string,
  ): Promise<GraphQLResponse<T>> => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(key) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphQLResponse<T>;
  };
  return {
    url: app.url,
    app,
    client,
    sdk: getSdk(client),
    raw,
    key: async (role, clearance, name = `test ${role.toLowerCase()} ${clearance.toLowerCase()}`) =>
      (await createApiKey(app.prisma, { name, role, clearance })).key,
    async query(query, variables, key) {
      try {
        return await client.request({ document: query, variables, requestHeaders: auth(key) });
      } catch (error) {
        if (error instanceof ClientError) throw new Error(`GraphQL errors: ${JSON.stringify(error.response.errors)}`);
        throw error;
      }
    },
    async stop() {
      await app.stop();
      await db.drop();
    },
  };
}
