// A real outage of PostgreSQL under two API instances with their response caches on: a cluster of its
// own (pg_createcluster, on a free port, so that the other test files' server is not touched) is
// stopped and started again. While an instance cannot hear changes it says so (/ready degraded) and
// bypasses its cache; after the outage a write through one instance is seen at once by the other, and
// both come back to ready and cache again. PostgreSQL pass only, where Debian's cluster tools exist.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { onPostgres } from './helpers/database.js';
import { freePort } from './helpers/process.js';

const tools = existsSync('/usr/bin/pg_createcluster') && existsSync('/usr/bin/pg_ctlcluster');
const version = tools ? execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0] : '';
const cluster = `taioutage${process.pid}`;
const ctl = (action: string, ...args: string[]) =>
  execFileSync('pg_ctlcluster', [version, cluster, action, ...args], { stdio: 'pipe' });

describe.runIf(onPostgres && tools)('an outage of PostgreSQL under two instances', () => {
  let first: App;
  let second: App;
  let url: string;
  const query = '{ actors(first: 100) { totalCount nodes { name } } }';
  type Answer = {
    data?: { actors: { totalCount: number; nodes: { name: string }[] } };
    extensions?: { responseCache?: { hit: boolean } };
  };
  const ask = async (app: App) =>
    (await (
      await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).json()) as Answer;
  const ready = async (app: App) => ((await (await fetch(`${app.url}/ready`)).json()) as { status: string }).status;
  const until = async (ok: () => Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (!(await ok()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return ok();
  };

  beforeAll(async () => {
    const port = await freePort();
    execFileSync('pg_createcluster', [version, cluster, '-p', String(port), '--start', '--', '--auth=trust'], {
      stdio: 'pipe',
    });
    const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE outage');
    await admin.end();
    url = `postgresql://postgres@127.0.0.1:${port}/outage`;
    const config = (seed: string) => ({
      ...loadConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        RESPONSE_CACHE: 'true',
        SEED_DATASETS: 'curated',
        SEED_ON_START: seed,
      }),
      database: { kind: 'postgres' as const, url, poolSize: 2 },
    });
    first = await startApp(config('true'));
    second = await startApp(config('false'));
  }, 180_000);
  afterAll(async () => {
    await first?.stop().catch(() => {});
    await second?.stop().catch(() => {});
    if (tools) execFileSync('pg_dropcluster', [version, cluster, '--stop'], { stdio: 'pipe' });
  });

  it('degraded while the database is away; after it, a write through one instance is seen at once by the other', async () => {
    await ask(second);
    expect((await ask(second)).extensions?.responseCache?.hit).toBe(true);
    const before = (await ask(first)).data!.actors.totalCount;

    ctl('stop', '-m', 'fast');
    expect(await until(async () => (await ready(second)) !== 'ready', 10_000)).toBe(true);
    ctl('start');

    // The pool opens new connections by itself: the first instance writes as soon as the database is back.
    const write = async () => {
      try {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.end();
        const { loadSeeds } = await import('../src/ingest/load-seeds.js');
        const { writeFile, mkdtemp } = await import('node:fs/promises');
        const { tmpdir } = await import('node:os');
        const path = await import('node:path');
        const file = path.join(await mkdtemp(path.join(tmpdir(), 'outage-')), 'after.yaml');
        await writeFile(
          file,
          [
            'dataset: outage-test',
            'sources:',
            '  - { key: after-outage-source, title: "After the outage", kind: REPORT }',
            'actors:',
            '  - key: after-outage',
            '    name: After Outage Actor',
            '    names:',
            '      - { value: After Outage Actor, sources: [after-outage-source] }',
          ].join('\n'),
        );
        await loadSeeds(first.prisma, [file]);
        return true;
      } catch {
        return false;
      }
    };
    expect(await until(write, 30_000)).toBe(true);
    // Seen at once by the other: it either bypasses its cache (still reconnecting) or hears the change
    // (the NOTIFY arrives on its own connection a moment after the commit: asked again for up to 2 s).
    let seen = await ask(second);
    await until(async () => {
      seen = await ask(second);
      return seen.data?.actors.totalCount === before + 1;
    }, 2000);
    expect(seen.data?.actors.totalCount).toBe(before + 1);
    expect(seen.data?.actors.nodes.map((n) => n.name)).toContain('After Outage Actor');
    // Both come back to ready, and cache again.
    expect(await until(async () => (await ready(second)) === 'ready' && (await ready(first)) === 'ready', 30_000)).toBe(
      true,
    );
    await ask(second);
    expect((await ask(second)).extensions?.responseCache?.hit).toBe(true);
  }, 120_000);
});
