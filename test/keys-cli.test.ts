// `npm run keys`: a key made by the command works against a server started on the same database;
// `list` shows it without the secret; `revoke` ends it; bad arguments exit 2 with a usable message.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel, freshDatabase, onPostgres } from './helpers/database.js';
import { runTool, startMain } from './helpers/process.js';

let env: Record<string, string>;
let drop: () => Promise<void> = async () => {};

beforeAll(async () => {
  if (onPostgres) {
    const db = await freshDatabase();
    if (db.target.kind !== 'postgres') throw new Error('expected PostgreSQL');
    env = { DATABASE_URL: db.target.url };
    drop = db.drop;
  } else {
    env = { DATA_DIR: path.join(await mkdtemp(path.join(tmpdir(), 'tai-keys-')), 'pglite') };
  }
});
afterAll(() => drop());

async function keys(...args: string[]) {
  const run = runTool('src/cli/keys.ts', args, env);
  const code = await run.exited;
  return { code, output: run.output() };
}

describe(`npm run keys (${databaseLabel})`, () => {
  it('makes, lists and revokes keys that the server honours', async () => {
    const made = await keys('create', '--role', 'admin', '--clearance', 'amber+strict', '--name', 'CLI test');
    expect(made.code).toBe(0);
    const key = /^(tai_\S+)$/m.exec(made.output)![1];
    const listed = await keys('list');
    expect(listed.output).toContain('CLI test');
    expect(listed.output).toContain('AMBER_STRICT');
    expect(listed.output).toContain(key.slice(0, 12));
    expect(listed.output).not.toContain(key);

    const server = await startMain({ ...env, ANONYMOUS_READ: 'false' });
    try {
      const ask = (k: string) =>
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
          body: JSON.stringify({ query: '{ auditLog(first: 1) { totalCount } }' }),
        });
      const res = await ask(key);
      expect(res.status).toBe(200);
      expect((await res.json()).data.auditLog.totalCount).toBeGreaterThanOrEqual(0);
      if (onPostgres) {
        // On PostgreSQL the command runs beside the server: a revoked key is refused as soon as the
        // server hears of it (the ApiKey table's NOTIFY, sent at the command's commit).
        expect((await keys('revoke', key.slice(0, 12))).code).toBe(0);
        let status = (await ask(key)).status;
        for (let i = 0; i < 50 && status !== 401; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = (await ask(key)).status;
        }
        expect(status).toBe(401);
      }
    } finally {
      await server.stop();
    }
    if (!onPostgres) {
      expect((await keys('revoke', key.slice(0, 12))).code).toBe(0);
      expect((await keys('list')).output).toMatch(/CLI test.*\d{4}-\d{2}-\d{2}T/s);
    }
  }, 180_000);

  it.each([
    [['create', '--role', 'boss', '--clearance', 'red', '--name', 'x'], '--role must be one of reader, analyst, admin'],
    [['create', '--role', 'reader', '--clearance', 'purple', '--name', 'x'], '--clearance must be one of'],
    [['create', '--role', 'reader', '--clearance', 'clear'], '--name is required'],
    [['revoke', 'tai_nothing'], 'No active key'],
    [['dance'], 'Unknown command'],
  ])('%j exits 2 saying why', async (args, message) => {
    const run = await keys(...args);
    expect(run.code).toBe(2);
    expect(run.output).toContain(message);
    expect(run.output).toContain('Usage:');
  });
});
