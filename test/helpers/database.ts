// The database a test runs on: the embedded PGlite (default) or a fresh database on the PostgreSQL
// server named by TEST_POSTGRES_URL (set by `.ci/run` for the second pass, and by `npm run test:pg`).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/database/connection.js';

export const onPostgres = Boolean(process.env.TEST_POSTGRES_URL);
export const databaseLabel = onPostgres ? 'postgresql' : 'pglite';

/** A new, empty database and a function that drops it. */
export async function freshDatabase(): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (!onPostgres) return { target: { kind: 'embedded', dataDir: 'memory://' }, drop: async () => {} };
  const server = new URL(process.env.TEST_POSTGRES_URL!);
  const name = `tai_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString(), poolSize: 4 },
    async drop() {
      const client = new pg.Client({ connectionString: server.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
