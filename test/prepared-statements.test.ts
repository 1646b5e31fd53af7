// Named (prepared) statements on the PostgreSQL server: a query shape is parsed and planned once per
// connection, not on every request (src/database/prepared-statements.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { q2 } from '../bench/queries.js';
import { statementNames } from '../src/database/prepared-statements.js';
import { onPostgres } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const query = (sql: string) => ({ sql, args: [], argTypes: [] });

describe('statement names', () => {
  it('gives one text one name, and different texts different names', () => {
    const name = statementNames();
    const a = name(query('SELECT 1'));
    expect(a).toMatch(/^prisma_/);
    expect(name(query('SELECT 1'))).toBe(a);
    expect(name(query('SELECT 2'))).not.toBe(a);
  });

  it('names reads, and leaves unnamed writes, lookups by lists of ids and hand-written WITH queries (planned per call)', () => {
    const name = statementNames();
    for (const sql of [
      'INSERT INTO "Actor" (id) VALUES ($1)',
      'UPDATE "Actor" SET name = $1',
      'DELETE FROM "Actor"',
      'SELECT id FROM "Targeting" WHERE "victimId" IN ($1,$2) AND "actorId" IN ($3)',
      '\n    WITH pairs AS (SELECT 1) SELECT * FROM pairs',
    ]) {
      expect(name(query(sql)), sql).toBeUndefined();
    }
    expect(name(query('SELECT "t0"."id" FROM "Actor" AS "t0" WHERE "t0"."id" = $1 LIMIT $2'))).toMatch(/^prisma_/);
  });

  it('names only the first texts up to its bound; later ones go unnamed, earlier ones keep their names', () => {
    const name = statementNames(3);
    const first = ['SELECT 1', 'SELECT 2', 'SELECT 3'].map((sql) => name(query(sql)));
    expect(first.every((n) => typeof n === 'string')).toBe(true);
    expect(name(query('SELECT 4'))).toBeUndefined();
    expect(name(query('SELECT 2'))).toBe(first[1]);
  });
});

describe.runIf(onPostgres)('on the PostgreSQL server', () => {
  let server: TestServer;
  beforeAll(async () => {
    // One connection, so that the check below runs on the connection that served the requests.
    server = await startTestServer({ DB_POOL_SIZE: '1' });
  });
  afterAll(() => server?.stop());

  it("keeps the benchmark's Q2 as a prepared statement and reuses it", async () => {
    for (let i = 0; i < 3; i++) expect((await server.raw(q2.api(10, 5))).errors).toBeUndefined();
    const prepared = await server.app.prisma.$queryRawUnsafe<
      { name: string; statement: string; generic_plans: bigint; custom_plans: bigint }[]
    >(
      `SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'SELECT "t0"."id", "Actor_names"%'`,
    );
    expect(prepared).toHaveLength(1);
    expect(prepared[0].name).toMatch(/^prisma_/);
    // Parsed once, run three times.
    expect(Number(prepared[0].generic_plans) + Number(prepared[0].custom_plans)).toBe(3);
  });
});
