// The response cache keeps an answer until the graph changes: a write through the write path (in this
// process, or on PostgreSQL in another process, heard by NOTIFY) makes the next answer fresh.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { databaseLabel, onPostgres } from './helpers/database.js';
import { runTool } from './helpers/process.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ RESPONSE_CACHE: 'true' });
  dir = await mkdtemp(path.join(tmpdir(), 'cache-'));
});
afterAll(() => server?.stop());

const query = `{ actors(first: 100) { totalCount nodes { name } } }`;
type Answer = { data: { actors: { totalCount: number; nodes: { name: string }[] } }; extensions?: { responseCache?: { hit: boolean } } };
const ask = () => server.raw(query) as Promise<Answer>;

/** A seed file adding one actor, with its source. */
async function actorFile(name: string) {
  const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const file = path.join(dir, `${key}.yaml`);
  await writeFile(
    file,
    [
      'dataset: cache-test',
      'sources:',
      `  - { key: ${key}-source, title: "Test source for ${name}", kind: REPORT, url: "https://example.org/${key}" }`,
      'actors:',
      `  - key: ${key}`,
      `    name: ${name}`,
      '    names:',
      `      - { value: ${name}, sources: [${key}-source] }`,
    ].join('\n'),
  );
  return file;
}

describe(`response cache (${databaseLabel})`, () => {
  it('answers a repeated query from the cache', async () => {
    const first = await ask();
    const second = await ask();
    expect(first.extensions?.responseCache?.hit).toBe(false);
    expect(second.extensions?.responseCache?.hit).toBe(true);
    expect(second.data).toEqual(first.data);
  });

  it('a write through the write path makes the next answer fresh', async () => {
    const before = await ask();
    await loadSeeds(server.app.prisma, [await actorFile('Cache Test Actor One')]);
    const after = await ask();
    expect(after.extensions?.responseCache?.hit).toBe(false);
    expect(after.data.actors.totalCount).toBe(before.data.actors.totalCount + 1);
    expect(after.data.actors.nodes.map((n) => n.name)).toContain('Cache Test Actor One');
  });

  it('a write that changes nothing keeps the cache', async () => {
    const file = await actorFile('Cache Test Actor One');
    await ask();
    await loadSeeds(server.app.prisma, [file]);
    expect((await ask()).extensions?.responseCache?.hit).toBe(true);
  });

  it('a refused import keeps the cache and the answer', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'actors:\n  - key: Not A Key\n    name: x\n');
    const before = await ask();
    await expect(loadSeeds(server.app.prisma, [bad])).rejects.toThrow();
    const after = await ask();
    expect(after.extensions?.responseCache?.hit).toBe(true);
    expect(after.data).toEqual(before.data);
  });

  it.runIf(onPostgres)('a write by another process on the same PostgreSQL server reaches the cache (NOTIFY)', async () => {
    const before = await ask();
    expect((await ask()).extensions?.responseCache?.hit).toBe(true);
    const url = (server.app.database.target as { url: string }).url;
    const run = runTool('src/cli/import.ts', [await actorFile('Cache Test Actor Two')], { DATABASE_URL: url });
    expect(await run.exited, run.output()).toBe(0);
    // The notification travels on its own connection: wait for it, briefly.
    let after = await ask();
    for (let i = 0; i < 50 && after.data.actors.totalCount === before.data.actors.totalCount; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await ask();
    }
    expect(after.data.actors.totalCount).toBe(before.data.actors.totalCount + 1);
    expect(after.data.actors.nodes.map((n) => n.name)).toContain('Cache Test Actor Two');
  });
});
