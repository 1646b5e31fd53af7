// `npm start` as a user runs it: a separate process on a fresh data directory (or a PostgreSQL
// server), migrated and seeded on first start, serving GraphiQL offline, health and readiness,
// refusing a second process on the same embedded database, shutting down cleanly on SIGTERM.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgres } from './helpers/database.js';
import { runMain, runTool, type ServerProcess, startMain } from './helpers/process.js';

const storyQuery = '{ campaign(name: "leery turtle") { name attributions { totalCount } } }';

async function graphql(url: string, query: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

describe('npm start on the embedded database', () => {
  let dataDir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'tai-start-')), 'pglite');
    server = await startMain({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop();
  });

  it('creates, migrates and seeds the database on first start', async () => {
    expect(server.output()).toContain('migrations applied');
    expect(server.output()).toContain('database seeded');
    const { data } = await graphql(server.url, storyQuery);
    expect(data.campaign).toEqual({ name: 'CryptoCore', attributions: { totalCount: 3 } });
  });

  it('serves GraphiQL with its assets, loading nothing from another host', async () => {
    const res = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('campaign(name: \\"Dangerous Password\\")');
    const external = [...html.matchAll(/(?:src|href)=["'](https?:\/\/[^"']+)/g)].map((m) => m[1]);
    expect(external).toEqual([]);
  });

  it('answers /health and /ready', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
  });

  it('refuses a second process on the same data directory, with a clear message', async () => {
    const second = runMain({ DATA_DIR: dataDir, SEED_ON_START: 'false' });
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain('is in use by process');
    expect(second.output()).toContain(dataDir);
    // The first server is unaffected.
    expect((await graphql(server.url, storyQuery)).data.campaign.name).toBe('CryptoCore');
  });

  it('imports through the running server when it holds the embedded database', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tai-import-'));
    const t = '2025-04-01T00:00:00.000Z';
    const bundle = {
      type: 'bundle',
      id: 'bundle--12121212-1212-4212-8212-121212121212',
      objects: [
        {
          type: 'intrusion-set',
          spec_version: '2.1',
          id: 'intrusion-set--34343434-3434-4434-8434-343434343434',
          name: 'Test Imported While Running',
          aliases: ['TIWR'],
          created: t,
          modified: t,
        },
      ],
    };
    const good = path.join(dir, 'good.json');
    await writeFile(good, JSON.stringify(bundle));
    const run = runTool('src/cli/import.ts', [good], { DATA_DIR: dataDir });
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain('importing through it');
    expect((await graphql(server.url, '{ actor(name: "tiwr") { name dataset } }')).data.actor).toEqual({
      name: 'Test Imported While Running',
      dataset: 'stix',
    });
    // A broken file is refused whole, with the object named.
    const bad = path.join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        ...bundle,
        objects: [{ ...bundle.objects[0], id: 'intrusion-set--56565656-5656-4656-8656-565656565656', name: 42 }],
      }),
    );
    const refused = runTool('src/cli/import.ts', [bad], { DATA_DIR: dataDir });
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toContain('intrusion-set--56565656-5656-4656-8656-565656565656: name');
    expect(refused.output()).toContain('Nothing was imported.');
    // Without the lock file's secret, the server takes nothing.
    const forged = await fetch(`${server.url}/admin/import`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: JSON.stringify({ files: [good] }),
    });
    expect(forged.status).toBe(403);
  });

  it('shuts down on SIGTERM, releases the database, and restarts on the same data without seeding again', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(existsSync(path.join(dataDir, 'threat-intel.lock'))).toBe(false);
    server = await startMain({ DATA_DIR: dataDir });
    expect(server.output()).not.toContain('database seeded');
    expect(server.output()).not.toContain('migrations applied');
    expect((await graphql(server.url, storyQuery)).data.campaign.attributions.totalCount).toBe(3);
  });
});

describe('npm start configuration', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty": expected a whole number'],
    [{ PORT: '70000' }, 'PORT="70000": expected at most 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL="mysql://x": expected a postgresql:// URL'],
    [{ SEED_ON_START: 'maybe' }, 'SEED_ON_START="maybe": expected true or false'],
    [{ DEFAULT_PAGE_SIZE: '500', MAX_PAGE_SIZE: '100' }, 'DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE'],
  ])('refuses %j with a message naming the setting', async (env, message) => {
    const run = runMain({ DATA_DIR: path.join(tmpdir(), 'never-created'), ...env });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('Invalid configuration');
    expect(run.output()).toContain(message);
    expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe.runIf(onPostgres)('npm start on a PostgreSQL server', () => {
  it('migrates, seeds and serves with DATABASE_URL', async () => {
    const db = await freshDatabase();
    if (db.target.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
    const server = await startMain({ DATABASE_URL: db.target.url });
    try {
      expect(server.output()).toContain('database seeded');
      expect((await graphql(server.url, storyQuery)).data.campaign.name).toBe('CryptoCore');
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
      await db.drop();
    }
  });
});
