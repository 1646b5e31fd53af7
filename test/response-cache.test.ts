// The response cache keeps an answer until the graph changes: a write through the write path (in this
// process, or on PostgreSQL in another process, heard by NOTIFY) makes the next answer fresh.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/auth/keys.js';
import { readImportFile } from '../src/ingest/import-file.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { localOperator, writeDocuments } from '../src/write/documents.js';
import { databaseLabel, onPostgres } from './helpers/database.js';
import { runTool } from './helpers/process.js';
import { actorSeedFile } from './helpers/seed-files.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ RESPONSE_CACHE: 'true', METRICS: 'true' });
  dir = await mkdtemp(path.join(tmpdir(), 'cache-'));
});
afterAll(() => server?.stop());

const query = `{ actors(first: 100) { totalCount nodes { name } } }`;
type Answer = {
  data: { actors: { totalCount: number; nodes: { name: string }[] } };
  extensions?: { responseCache?: { hit: boolean } };
};
const ask = () => server.raw(query) as Promise<Answer>;
/** A new victim and a new report, made through the API, for a claim. */
async function victimAndSource(key: string, label: string) {
  const made = async (mutation: string) =>
    Object.values((await server.raw(mutation, {}, key)).data as Record<string, { id: string }>)[0].id;
  return {
    victim: await made(`mutation { createVictim(input: { name: "${label} Exchange", kind: ORGANIZATION }) { id } }`),
    source: await made(
      `mutation { createSource(input: { title: "${label} report", kind: REPORT, url: "https://example.org/${label.toLowerCase().replace(/ /g, '-')}" }) { id } }`,
    ),
  };
}

/** The response cache's lookups so far, by result, from /metrics. */
async function lookups() {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const count = (result: string) =>
    Number(new RegExp(`response_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss'), shared: count('shared') };
}

/** A seed file adding one actor, with its source. */
const actorFile = (name: string) => actorSeedFile(dir, name, 'cache-test');

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

  it('an import drops the answers it touched and the lists, and keeps the answers by ID it did not touch', async () => {
    const byId = `query($id: ID!) { node(id: $id) { ... on Campaign { name } } }`;
    const id = ((await server.query('{ campaign(name: "CryptoCore") { id } }')) as { campaign: { id: string } })
      .campaign.id;
    await server.raw(byId, { id });
    await ask();
    await loadSeeds(server.app.prisma, [await actorFile('Cache Test Actor Three')]);
    expect(((await server.raw(byId, { id })) as Answer).extensions?.responseCache?.hit).toBe(true);
    const after = await ask();
    expect(after.extensions?.responseCache?.hit).toBe(false);
    expect(after.data.actors.nodes.map((n) => n.name)).toContain('Cache Test Actor Three');
  });

  it.runIf(onPostgres)(
    'a change made with SQL by hand (no write layer) drops everything, answers by ID too',
    async () => {
      const byId = `query($id: ID!) { node(id: $id) { ... on Campaign { name description } } }`;
      const { campaign } = (await server.query('{ campaign(name: "CryptoCore") { id } }')) as {
        campaign: { id: string };
      };
      await server.raw(byId, { id: campaign.id });
      expect(((await server.raw(byId, { id: campaign.id })) as Answer).extensions?.responseCache?.hit).toBe(true);
      const client = new pg.Client({ connectionString: (server.app.database.target as { url: string }).url });
      await client.connect();
      try {
        await client.query(
          `UPDATE "Campaign" SET description = description || ' (edited by hand)' WHERE name = 'CryptoCore'`,
        );
      } finally {
        await client.end();
      }
      let after = (await server.raw(byId, { id: campaign.id })) as Answer & { data: any };
      for (let i = 0; i < 50 && after.extensions?.responseCache?.hit; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = (await server.raw(byId, { id: campaign.id })) as Answer & { data: any };
      }
      expect(after.extensions?.responseCache?.hit).toBe(false);
      expect(after.data.node.description).toMatch(/\(edited by hand\)$/);
    },
  );

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

  it('a write drops the cached answers holding what it touched (derived ones too) and keeps the others', async () => {
    const analyst = await server.key('ANALYST', 'RED');
    const idOf = async (q: string) => Object.values((await server.query(q)) as Record<string, { id: string }>)[0].id;
    const lazarus = await idOf('{ actor(name: "Lazarus Group") { id } }');
    const apt38 = await idOf('{ actor(externalId: "G0082") { id } }');
    const cryptocore = await idOf('{ campaign(name: "CryptoCore") { id } }');
    const byId = (id: string) =>
      server.raw(
        'query($id: ID!) { node(id: $id) { ... on Actor { name description version victims { totalCount } } } }',
        { id },
      ) as Promise<{
        data: { node: { name: string; description: string; version: number; victims: { totalCount: number } } };
        extensions?: { responseCache?: { hit: boolean } };
      }>;
    const hit = async (answer: Promise<{ extensions?: { responseCache?: { hit: boolean } } }>) =>
      (await answer).extensions?.responseCache?.hit;
    const search = () =>
      server.raw('{ search(query: "lazarus", first: 5) { edges { node { __typename } } } }') as Promise<{
        extensions?: { responseCache?: { hit: boolean } };
      }>;
    await byId(lazarus);
    const apt38Before = await byId(apt38);
    await ask();
    await search();
    expect(await hit(search())).toBe(true);
    expect(await hit(byId(lazarus))).toBe(true);
    expect(await hit(byId(apt38))).toBe(true);
    expect(await hit(ask())).toBe(true);

    // An edit of APT38: its answers go, Lazarus' stays; lists go (any write may change what they find).
    const edited = await server.raw(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
      { i: { id: apt38, expectedVersion: apt38Before.data.node.version, description: 'Edited for the cache test.' } },
      analyst,
    );
    expect(edited.errors).toBeUndefined();
    expect(await hit(byId(lazarus))).toBe(true);
    const apt38After = await byId(apt38);
    expect(apt38After.extensions?.responseCache?.hit).toBe(false);
    expect(apt38After.data.node.description).toBe('Edited for the cache test.');
    expect(await hit(ask())).toBe(false);
    // Descriptions are searched, but neither APT38's old nor its new one holds a word starting "laz".
    expect(await hit(search())).toBe(true);

    // A victim of CryptoCore, attributed to Lazarus: Lazarus' derived victims changed, so its answer goes;
    // APT38's (not attributed CryptoCore in the curated story) stays.
    await byId(apt38);
    const lazarusBefore = await byId(lazarus);
    const { source, victim } = await victimAndSource(analyst, 'Cache Test');
    await search(); // asked again after the source and the victim (both searchable) were made
    // On PostgreSQL this instance hears its own writes' NOTIFYs too, moments after it applied them: they
    // must not drop an answer computed after the write (CI once saw that).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await hit(search())).toBe(true);
    const targeting = await server.raw(
      'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
      { i: { by: cryptocore, victim, sources: [{ source }] } },
      analyst,
    );
    expect(targeting.errors).toBeUndefined();
    expect(await hit(byId(apt38))).toBe(true);
    // A claim changes no name or description: the search's answer stays.
    expect(await hit(search())).toBe(true);
    const lazarusAfter = await byId(lazarus);
    expect(lazarusAfter.extensions?.responseCache?.hit).toBe(false);
    expect(lazarusAfter.data.node.victims.totalCount).toBe(lazarusBefore.data.node.victims.totalCount + 1);
  });

  it('an edit of a description drops the searches its old or new words may match, and keeps the others', async () => {
    const analyst = await server.key('ANALYST', 'RED');
    const { actor } = (await server.query('{ actor(externalId: "G0082") { id version description } }')) as {
      actor: { id: string; version: number; description: string };
    };
    const searchFor = async (query: string) => {
      const answer = (await server.raw('query($q: String!) { search(query: $q, first: 5) { totalCount } }', {
        q: query,
      })) as { data: { search: { totalCount: number } }; extensions?: { responseCache?: { hit: boolean } } };
      return { hit: answer.extensions?.responseCache?.hit, count: answer.data.search.totalCount };
    };
    const edit = async (version: number, description: string) => {
      const answer = await server.raw(
        'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
        { i: { id: actor.id, expectedVersion: version, description } },
        analyst,
      );
      expect(answer.errors).toBeUndefined();
      return (answer.data as { updateActor: { version: number } }).updateActor.version;
    };
    const word = 'quokkafish';
    expect(await searchFor(word)).toEqual({ hit: false, count: 0 });
    expect(await searchFor(`${word} relay`)).toEqual({ hit: false, count: 0 });
    await searchFor('lazarus');
    expect((await searchFor('lazarus')).hit).toBe(true);

    // The new text holds the word: searches for it go, the search for "lazarus" stays.
    const version = await edit(actor.version, `${actor.description} Seen with ${word} relays.`);
    expect(await searchFor(word)).toEqual({ hit: false, count: 1 });
    expect(await searchFor(`${word} relay`)).toEqual({ hit: false, count: 1 });
    expect((await searchFor('lazarus')).hit).toBe(true);
    // Another actor's description edited with its own words: the searches for the word stay, the one
    // for its words goes.
    const lazarus = (await server.query('{ actor(name: "Lazarus Group") { id version description } }')) as {
      actor: { id: string; version: number; description: string };
    };
    expect((await searchFor('lazarus')).hit).toBe(true);
    const edited = await server.raw(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
      {
        i: {
          id: lazarus.actor.id,
          expectedVersion: lazarus.actor.version,
          description: `${lazarus.actor.description} `,
        },
      },
      analyst,
    );
    expect(edited.errors).toBeUndefined();
    expect(await searchFor(word)).toEqual({ hit: true, count: 1 });
    expect((await searchFor('lazarus')).hit).toBe(false);
    // The old text held it: they go again, and find nothing now.
    await edit(version, actor.description);
    expect(await searchFor(word)).toEqual({ hit: false, count: 0 });
    expect(await searchFor(`${word} relay`)).toEqual({ hit: false, count: 0 });
  });

  it("a re-import changing actors' descriptions and dates keeps the plain pages that do not hold them, and drops their own answers", async () => {
    // A feed's bundle of two actors, imported again with new descriptions and `modified` dates.
    const bundle = async (run: number) => {
      const modified = new Date(Date.UTC(2026, 0, 1 + run)).toISOString();
      const objects = [0, 1].map((i) => ({
        type: 'intrusion-set',
        spec_version: '2.1',
        id: `intrusion-set--7e57f00d-0000-4000-8000-${String(i).padStart(12, '0')}`,
        created: '2026-01-01T00:00:00.000Z',
        modified,
        name: `Zz Reimported Actor ${i}`,
        description: `Run ${run} of the feed.`,
      }));
      const file = path.join(dir, 'reimported.json');
      await writeFile(file, JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects }));
      const { doc } = await readImportFile(file);
      await writeDocuments(server.app.prisma, localOperator('test'), 'test import', [doc]);
    };
    const page = '{ actors(first: 2) { totalCount nodes { name } } }';
    const own = '{ actor(name: "Zz Reimported Actor 0") { description } }';
    const hit = async (q: string) => ((await server.raw(q)) as Answer).extensions?.responseCache?.hit;
    await bundle(0);
    for (const q of [page, own]) await server.raw(q);
    expect([await hit(page), await hit(own)]).toEqual([true, true]);
    await bundle(1);
    expect(await hit(page)).toBe(true);
    const after = (await server.raw(own)) as { data: { actor: { description: string } } } & Answer;
    expect(after.extensions?.responseCache?.hit).toBe(false);
    expect(after.data.actor.description).toBe('Run 1 of the feed.');
  });

  it('a plain page of actors stays through a claim about an actor it does not hold, and goes with a new actor', async () => {
    const analyst = await server.key('ANALYST', 'RED');
    const page = '{ actors(first: 3) { totalCount nodes { name } } }';
    const filtered = '{ actors(first: 3, filter: { originCountry: "KP" }) { totalCount nodes { name } } }';
    type Page = { data: { actors: { totalCount: number; nodes: { name: string }[] } } } & Answer;
    const first = (await server.raw(page)) as Page;
    await server.raw(filtered);
    const shown = new Set(first.data.actors.nodes.map((n) => n.name));
    // A claim about an actor not on the page (nor any campaign: a targeting by the actor itself).
    const { actors } = (await server.query('{ actors(first: 50) { nodes { id name } } }')) as {
      actors: { nodes: { id: string; name: string }[] };
    };
    const other = actors.nodes.find((a) => !shown.has(a.name))!;
    const { source, victim } = await victimAndSource(analyst, 'Page Test');
    await server.raw(page);
    await server.raw(filtered);
    const claim = await server.raw(
      'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
      { i: { by: other.id, victim, sources: [{ source }] } },
      analyst,
    );
    expect(claim.errors).toBeUndefined();
    expect(((await server.raw(page)) as Page).extensions?.responseCache?.hit).toBe(true);
    // A filtered list may hold what any write changed: it goes.
    expect(((await server.raw(filtered)) as Page).extensions?.responseCache?.hit).toBe(false);
    // A new actor: the page goes, and counts it.
    await loadSeeds(server.app.prisma, [await actorFile('Aaa Page Test Actor')]);
    const after = (await server.raw(page)) as Page;
    expect(after.extensions?.responseCache?.hit).toBe(false);
    expect(after.data.actors.totalCount).toBe(first.data.actors.totalCount + 1);
  });

  it('requests asking at once for an answer not in the cache compute it once and share it', async () => {
    // A question no other test asks (its cache key is its own), costly enough to be computing still
    // when the others arrive: the first computes, the others wait for its answer.
    const costly = `{ actors(first: 41) { totalCount nodes { name names(first: 5) { nodes { value } } victims(first: 5) { totalCount nodes { name } } } } }`;
    const before = await lookups();
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.raw(costly)));
    const after = await lookups();
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0].data);
    }
    expect(after.miss - before.miss).toBe(1);
    expect(after.shared - before.shared + after.hit - before.hit).toBe(7);
    // On PostgreSQL the others arrive while the first waits for the database, and wait for its answer;
    // the embedded database computes in the server's own thread, so they arrive once it is kept.
    if (onPostgres) expect(after.shared - before.shared).toBeGreaterThan(0);
  });

  it('requests waiting for an answer that is not kept (an error) compute their own, none waits forever', async () => {
    const failing = `{ actors(first: 3) { nodes { name } } node(id: "not-an-id") { id } }`;
    const before = await lookups();
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.raw(failing)));
    const after = await lookups();
    for (const answer of answers)
      expect(answer.errors?.[0].extensions?.code).toBe(answers[0].errors?.[0].extensions?.code);
    expect(answers[0].errors?.length).toBeGreaterThan(0);
    // Nothing kept, nothing shared: each computed its own answer.
    expect(after.miss - before.miss).toBe(5);
    expect(after.shared - before.shared).toBe(0);
  });

  it('an operation of a batch whose answer is not kept does not hold the requests waiting for it', async () => {
    const failing = `{ campaigns(first: 2) { nodes { name } } node(id: "not-an-id-either") { id } }`;
    const post = (body: unknown) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<unknown>);
    const [batch, ...singles] = await Promise.all([
      post([{ query: failing }, { query: '{ actors(first: 2) { nodes { name } } }' }]),
      ...Array.from({ length: 3 }, () => post({ query: failing })),
    ]);
    expect((batch as { errors?: unknown[] }[])[0].errors?.length).toBeGreaterThan(0);
    for (const single of singles) expect((single as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
  }, 10_000);

  it.runIf(onPostgres)(
    'a write by another process on the same PostgreSQL server reaches the cache (NOTIFY)',
    async () => {
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
      // The command's import is audited like the API's, as the local operator's.
      const entry = await server.app.prisma.auditEntry.findFirst({
        where: { operation: 'npm run import' },
        orderBy: { at: 'desc' },
      });
      expect(entry?.keyName).toMatch(/^local operator \(.+, npm run import\)$/);
      expect(JSON.stringify(entry?.after)).toContain('cache-test-actor-two.yaml');
    },
  );
});

describe.runIf(onPostgres)('concurrent imports on PostgreSQL', () => {
  it('two processes importing the same file at once both succeed, one after the other (no race for keys)', async () => {
    const url = (server.app.database.target as { url: string }).url;
    const file = await actorFile('Cache Test Actor Concurrent');
    const runs = [
      runTool('src/cli/import.ts', [file], { DATABASE_URL: url }),
      runTool('src/cli/import.ts', [file], { DATABASE_URL: url }),
    ];
    for (const run of runs) expect(await run.exited, run.output()).toBe(0);
    expect(runs.map((r) => r.output()).join('\n')).not.toMatch(/PrismaClient|at .*node_modules/);
    expect(await server.app.prisma.actor.count({ where: { name: 'Cache Test Actor Concurrent' } })).toBe(1);
  }, 120_000);
});

describe(`the cache and keys (${databaseLabel})`, () => {
  it('a revoked key is refused, not answered from the cache', async () => {
    const key = await server.key('READER', 'CLEAR');
    const asKey = () =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
    await asKey();
    expect(((await (await asKey()).json()) as Answer).extensions?.responseCache?.hit).toBe(true);
    expect(await revokeApiKey(server.app.prisma, key.slice(0, 12))).toHaveLength(1);
    const refused = await asKey();
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).not.toContain('Lazarus');
  });

  it('an If-None-Match naming another answer is not answered 304', async () => {
    const first = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    await first.text();
    const etag = first.headers.get('etag') ?? 'W/"anything"';
    const other = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-none-match': etag },
      body: JSON.stringify({ query: '{ sources(first: 1) { totalCount } }' }),
    });
    expect(other.status).toBe(200);
    expect(
      ((await other.json()) as { data: { sources: { totalCount: number } } }).data.sources.totalCount,
    ).toBeGreaterThan(0);
  });
});

describe.runIf(onPostgres)('two instances on one PostgreSQL server', () => {
  let second: import('../src/app.js').App;
  let admin: pg.Client;
  const askAt = async (url: string) =>
    (await (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).json()) as Answer;
  /** Asks `url` until `ok` holds (a NOTIFY travels on its own connection), at most ~5 s. */
  const until = async (url: string, ok: (a: Answer) => boolean) => {
    let answer = await askAt(url);
    for (let i = 0; i < 50 && !ok(answer); i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await askAt(url);
    }
    return answer;
  };
  beforeAll(async () => {
    const { startApp } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config.js');
    second = await startApp({
      ...loadConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        RESPONSE_CACHE: 'true',
        SEED_ON_START: 'false',
      }),
      database: server.app.database.target,
    });
    admin = new pg.Client({ connectionString: (server.app.database.target as { url: string }).url });
    await admin.connect();
  }, 120_000);
  afterAll(async () => {
    await admin?.end();
    await second?.stop();
  });

  it('a change made by SQL by hand is seen by both instances', async () => {
    await askAt(server.url);
    await askAt(second.url);
    expect((await askAt(second.url)).extensions?.responseCache?.hit).toBe(true);
    await admin.query(`UPDATE "Actor" SET name = 'Lazarus Group (renamed by hand)' WHERE name = 'Lazarus Group'`);
    for (const url of [server.url, second.url]) {
      const after = await until(url, (a) =>
        a.data.actors.nodes.some((n) => n.name === 'Lazarus Group (renamed by hand)'),
      );
      expect(after.data.actors.nodes.map((n) => n.name)).toContain('Lazarus Group (renamed by hand)');
    }
    await admin.query(`UPDATE "Actor" SET name = 'Lazarus Group' WHERE name = 'Lazarus Group (renamed by hand)'`);
    // The name put back is heard by both before the next test caches anything: a NOTIFY arriving later
    // would drop the answer that test has just cached (a CI run failed so).
    for (const url of [server.url, second.url]) {
      const restored = await until(url, (a) => a.data.actors.nodes.some((n) => n.name === 'Lazarus Group'));
      expect(restored.data.actors.nodes.map((n) => n.name)).toContain('Lazarus Group');
    }
  });

  it('after its listening connection is cut, an instance bypasses its cache (degraded) until it listens again, and misses no write', async () => {
    await askAt(second.url);
    expect((await askAt(second.url)).extensions?.responseCache?.hit).toBe(true);
    // An outage as the second instance sees it: the server ends every connection listening for changes.
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    let ready = await (await fetch(`${second.url}/ready`)).json();
    for (let i = 0; i < 20 && ready.status === 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await (await fetch(`${second.url}/ready`)).json();
    }
    // A write through the first instance while the second cannot hear it: seen at once all the same.
    const before = await askAt(second.url);
    await loadSeeds(server.app.prisma, [await actorFile('Cache Test Actor Outage')]);
    const during = await askAt(second.url);
    if (ready.status === 'degraded') {
      expect(during.extensions?.responseCache?.hit).not.toBe(true);
      expect(during.data.actors.totalCount).toBe(before.data.actors.totalCount + 1);
    }
    // It comes back by itself, and caches again.
    for (let i = 0; i < 100 && ready.status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await (await fetch(`${second.url}/ready`)).json();
    }
    expect(ready.status).toBe('ready');
    const after = await until(second.url, (a) => a.data.actors.nodes.some((n) => n.name === 'Cache Test Actor Outage'));
    expect(after.data.actors.nodes.map((n) => n.name)).toContain('Cache Test Actor Outage');
    await askAt(second.url);
    expect((await askAt(second.url)).extensions?.responseCache?.hit).toBe(true);
  });
});
