// A server remembers the keys it has checked (src/auth/keys.ts): a request with a known key sends no
// SQL statement for it, and a key revoked any way is refused as soon as the server hears of it (at
// once when revoked through this process; by the ApiKey table's trigger from anywhere else).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalForKey, revokeApiKey } from '../src/auth/keys.js';
import { keysChanged, onKeysChange } from '../src/database/graph-changes.js';
import { countStatements } from '../src/database/statement-counter.js';
import type { Role, Tlp } from '../src/generated/prisma/client.js';
import { databaseLabel, onPostgres } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/**
 * Makes a key, as `npm run keys -- create` does, once the server has heard of it twice: from its own
 * process and from the ApiKey table's NOTIFY (on PostgreSQL it arrives on its own connection, and
 * would make the server forget keys in the middle of a test).
 */
async function newKey(role: Role, clearance: Tlp, name: string) {
  let heard = 0;
  const off = onKeysChange(server.app.prisma, () => heard++);
  try {
    const key = await server.key(role, clearance, name);
    for (let i = 0; i < 50 && heard < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(heard).toBeGreaterThanOrEqual(2);
    return key;
  } finally {
    off();
  }
}

/** A page of `first` actors as `key`: its HTTP status and how many SQL statements it sent. */
async function askAs(key: string, first: number) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      query: 'query($first: Int) { actors(first: $first) { totalCount } }',
      variables: { first },
    }),
  });
  const body = (await res.json()) as { extensions?: { sqlStatements?: number } };
  return { status: res.status, statements: body.extensions?.sqlStatements };
}

/** Asks as `key` until it is refused, at most ~5 s (news from another connection travels on its own). */
async function untilRefused(key: string) {
  let answer = await askAs(key, 1);
  for (let i = 0; i < 50 && answer.status !== 401; i++) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await askAs(key, 1);
  }
  return answer;
}

/** Runs SQL by hand, as psql would: another connection on PostgreSQL, the one session of the embedded database. */
async function byHand(sql: string) {
  if (!onPostgres) return server.app.prisma.$executeRawUnsafe(sql);
  const admin = new pg.Client({ connectionString: (server.app.database.target as { url: string }).url });
  await admin.connect();
  try {
    return (await admin.query(sql)).rowCount;
  } finally {
    await admin.end();
  }
}

describe(`remembered keys (${databaseLabel})`, () => {
  it('a known key costs no SQL statement: the second request with it sends one statement fewer than the first', async () => {
    const key = await newKey('READER', 'AMBER', 'remembered');
    // Pages of different sizes: both computed (not cached), with the same statements (statements.test).
    const first = await askAs(key, 2);
    const second = await askAs(key, 3);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.statements).toBe(first.statements! - 1);
  });

  it('a key read while keys changed is not remembered as it was read', async () => {
    const key = await newKey('READER', 'CLEAR', 'read while changed');
    const { prisma } = server.app;
    const statementsOf = async () => {
      const log = { count: 0, statements: [] as string[] };
      const principal = await countStatements(log, () => principalForKey(prisma, key));
      return { name: principal?.name, statements: log.count };
    };
    // The change comes while the key's row is being read (a revocation committing meanwhile).
    const reading = statementsOf();
    keysChanged(prisma);
    expect(await reading).toEqual({ name: 'read while changed', statements: 1 });
    expect(await statementsOf()).toEqual({ name: 'read while changed', statements: 1 });
    expect(await statementsOf()).toEqual({ name: 'read while changed', statements: 0 });
  });

  it('a key revoked through the keys command is refused at once', async () => {
    const key = await newKey('READER', 'CLEAR', 'revoked through the command');
    expect((await askAs(key, 1)).status).toBe(200);
    expect(await revokeApiKey(server.app.prisma, key.slice(0, 12))).toHaveLength(1);
    expect((await askAs(key, 1)).status).toBe(401);
  });

  it('a key revoked or deleted by SQL by hand is refused once heard, and a new key works at once', async () => {
    const revoked = await newKey('ANALYST', 'RED', 'revoked by hand');
    const deleted = await newKey('ANALYST', 'RED', 'deleted by hand');
    for (const key of [revoked, deleted]) expect((await askAs(key, 4)).status).toBe(200);
    expect(await byHand(`UPDATE "ApiKey" SET "revokedAt" = now() WHERE name = 'revoked by hand'`)).toBe(1);
    expect((await untilRefused(revoked)).status).toBe(401);
    expect((await askAs(deleted, 1)).status).toBe(200);
    expect(await byHand(`DELETE FROM "ApiKey" WHERE name = 'deleted by hand'`)).toBe(1);
    expect((await untilRefused(deleted)).status).toBe(401);
    const made = await newKey('READER', 'GREEN', 'made after');
    expect((await askAs(made, 1)).status).toBe(200);
  });
});
