// `npm run bench -- --only MIX`: a mixed workload, as a platform serves it. On a copy of the benchmark
// database, per contender: 10 connections read a mix (pages of actors, the 3-level Q2, actors by ID with
// their victims, and for the API a fuzzy search and derived victims; PostGraphile has neither, so it
// answers exact name lookups and direct victims instead), while one connection sends a mutation every
// 100 ms as analysts write (three times in four a new targeting claim citing a report, once an edit of
// an actor's description; in turn over 20 actors) and imports run back to back (a STIX bundle of
// 200 actors whose descriptions change each time, through the API's import tool: the same database
// load for both contenders). The API runs with its production settings: response cache on, in Redis,
// no anonymous reads (its reads carry a reader's key, as a platform's do; PostGraphile has no keys).
// MIX_ANONYMOUS=1 reads without a key (ANONYMOUS_READ=true, a public deployment); MIX_NO_REDIS=1 keeps
// the cache in the process.
// Reported: the reads' req/s and p50 / p99, the mutations' p50 / p99, imports completed, and the API's
// cache hit ratio over the window (answers from the cache, and answers shared with a request computing
// the same one at that moment).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

export type MixFigures = {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  mutations: number;
  mutationP50: number;
  mutationP99: number;
  imports: number;
  /** Reads answered from the cache. */
  cacheHitRatio: number | null;
  /** Reads answered by waiting for another request computing the same answer at that moment. */
  cacheSharedRatio: number | null;
};

type Contender = 'api' | 'postgraphile';
type Read = { method: 'POST'; path: '/graphql'; body: string; headers: Record<string, string> };

const read = (query: string): Read => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query }),
  headers: { 'content-type': 'application/json' },
});
const gid = (id: string) => Buffer.from(`Actor:${id}`).toString('base64');
const victimGid = (id: string) => Buffer.from(`Victim:${id}`).toString('base64');
const sourceGid = (id: string) => Buffer.from(`Source:${id}`).toString('base64');

/** The sample the mix reads and writes: 20 actors with an alias each, and the hot actor. */
export async function mixSample(url: string, hotActorId: string) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const actors = (
      await db.query(
        `SELECT a.id, (SELECT value FROM "Name" n WHERE n."actorId" = a.id AND n.value <> a.name ORDER BY value LIMIT 1) AS alias
         FROM "Actor" a WHERE a.key LIKE 'synthetic-actor-%' ORDER BY a.key LIMIT 20`,
      )
    ).rows as { id: string; alias: string | null }[];
    // Victims spread over the whole table (a fixed pseudo-random order), as new claims name them.
    const victims = (await db.query(`SELECT id FROM "Victim" ORDER BY md5(id::text) LIMIT 500`)).rows.map(
      (r) => r.id as string,
    );
    const source = (await db.query(`SELECT id FROM "Source" ORDER BY key LIMIT 1`)).rows[0].id as string;
    return { actors, hotActorId, victims, source };
  } finally {
    await db.end();
  }
}

type Sample = Awaited<ReturnType<typeof mixSample>>;

/** The reads, shuffled the same way for both contenders (a seeded order), as one long list each connection cycles. */
export function mixReads(contender: Contender, sample: Sample): Read[] {
  const api = contender === 'api';
  const reads: Read[] = [];
  for (const n of [10, 20, 50])
    reads.push(
      read(
        api
          ? `{ actors(first: ${n}) { nodes { key name originCountry firstSeen } } }`
          : `{ allActors(first: ${n}, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { key name originCountry firstSeen } } }`,
      ),
    );
  reads.push(
    read(
      api
        ? `{ actors(first: 10) { totalCount nodes { name names(first: 5) { totalCount nodes { value } } attributedActivity(first: 5) { totalCount nodes { campaign { name toolUsages(first: 5) { totalCount nodes { tool { name } } } } } } targetings(first: 5) { totalCount nodes { victim { name } } } } } }`
        : `{ allActors(first: 10, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { totalCount nodes { name namesByActorId(first: 5, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { value } } attributionsByActorId(first: 5, orderBy: [ASSESSED_ON_ASC, PRIMARY_KEY_ASC]) { totalCount nodes { campaignByCampaignId { name toolUsagesByCampaignId(first: 5, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { toolByToolId { name } } } } } } targetingsByActorId(first: 5, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { victimByVictimId { name } } } } } }`,
    ),
  );
  for (const { id, alias } of [...sample.actors, { id: sample.hotActorId, alias: null }]) {
    reads.push(
      read(
        api
          ? `{ node(id: "${gid(id)}") { ... on Actor { name targetings(first: 10) { totalCount nodes { victim { name } } } } } }`
          : `{ actorByRowId(rowId: "${id}") { name targetingsByActorId(first: 10, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { victimByVictimId { name } } } } }`,
      ),
    );
    reads.push(
      read(
        api
          ? `{ node(id: "${gid(id)}") { ... on Actor { victims(first: 10) { totalCount edges { direct node { name } } } } } }`
          : `{ actorByRowId(rowId: "${id}") { targetingsByActorId(first: 10, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { victimByVictimId { name } } } } }`,
      ),
    );
    if (alias) {
      // A typo: one letter dropped, as an analyst types it (the API's search forgives it).
      const typed = alias.slice(0, 3) + alias.slice(4);
      reads.push(
        read(
          api
            ? `{ search(query: ${JSON.stringify(typed)}, first: 10) { edges { score node { __typename ... on Actor { name } } } } }`
            : `{ allNames(condition: { value: ${JSON.stringify(alias)} }, first: 10) { nodes { value actorByActorId { name } } } }`,
        ),
      );
    }
  }
  // A fixed shuffle (a linear congruential generator), so that both contenders read in the same order.
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const list = Array.from({ length: 4 }, () => reads).flat();
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** A key for the API's reads (`reader`) or mutations (`analyst`), made with `npm run keys` on the database. */
export function benchKey(root: string, url: string, role: 'reader' | 'analyst'): string {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/keys.ts',
      'create',
      '--role',
      role,
      '--clearance',
      'red',
      '--name',
      `bench mix ${role}`,
    ],
    { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' },
  );
  const key = /tai_[\w-]+/.exec(run.stdout)?.[0];
  if (!key) throw new Error(`npm run keys failed: ${run.stdout}${run.stderr}`);
  return key;
}

/** One mutation every `everyMs`, in turn over the sample's actors, until `until`; returns the latencies. */
async function writeSteadily(contender: Contender, port: number, sample: Sample, key: string, until: number) {
  const latencies: number[] = [];
  const versions = new Map<string, number>();
  let errors = 0;
  for (let i = 0; Date.now() < until; i++) {
    const started = performance.now();
    const { id } = sample.actors[i % sample.actors.length];
    const victim = sample.victims[i % sample.victims.length];
    const claim = i % 4 !== 3;
    const description = `Mixed-workload edit ${i} at ${new Date().toISOString()}.`;
    const targetingId = randomUUID();
    const body = JSON.stringify(
      contender === 'api'
        ? claim
          ? {
              query: 'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
              variables: {
                i: { by: gid(id), victim: victimGid(victim), sources: [{ source: sourceGid(sample.source) }] },
              },
            }
          : {
              query: 'mutation($i: UpdateActorInput!) { updateActor(input: $i) { version } }',
              variables: {
                i: { id: gid(id), expectedVersion: versions.get(id) ?? (await apiVersion(port, id, key)), description },
              },
            }
        : claim
          ? {
              query: `mutation($t: TargetingInput!, $c: CitationInput!) {
                createTargeting(input: { targeting: $t }) { targeting { rowId } }
                createCitation(input: { citation: $c }) { citation { rowId } } }`,
              variables: {
                t: {
                  rowId: targetingId,
                  key: `mix-${targetingId}`,
                  actorId: id,
                  victimId: victim,
                  updatedAt: new Date().toISOString(),
                },
                c: { rowId: randomUUID(), targetingId, sourceId: sample.source },
              },
            }
          : {
              query:
                'mutation($id: UUID!, $d: String!) { updateActorByRowId(input: { rowId: $id, actorPatch: { description: $d } }) { actor { rowId } } }',
              variables: { id, d: description },
            },
    );
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(contender === 'api' ? { authorization: `Bearer ${key}` } : {}),
      },
      body,
    });
    const json = (await res.json()) as { data?: { updateActor?: { version: number } }; errors?: unknown[] };
    if (json.errors) {
      errors++;
      if (errors === 1)
        console.error(`[bench] ${contender} mutation failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
    }
    if (json.data?.updateActor) versions.set(id, json.data.updateActor.version);
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - started))));
  }
  if (errors) throw new Error(`${contender}: ${errors} mutations failed in the mixed workload`);
  return latencies;
}

async function apiVersion(port: number, id: string, key: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: `{ node(id: "${gid(id)}") { ... on Actor { version } } }` }),
  });
  return ((await res.json()) as { data: { node: { version: number } } }).data.node.version;
}

/** A STIX bundle of 200 actors whose descriptions say when it was made (so that each import changes them). */
async function importFile(dir: string, run: number) {
  const made = new Date().toISOString();
  const objects = Array.from({ length: 200 }, (_, i) => ({
    type: 'intrusion-set',
    spec_version: '2.1',
    id: `intrusion-set--${'00000000-0000-4000-8000-'}${String(i).padStart(12, '0')}`,
    created: '2026-01-01T00:00:00.000Z',
    modified: made,
    name: `Mix Import Actor ${i}`,
    description: `Imported by the mixed workload, run ${run}, at ${made}.`,
  }));
  const file = path.join(dir, `mix-${run}.json`);
  await writeFile(file, JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects }));
  return file;
}

/** Imports back to back until `until`, through the API's import tool; returns how many completed. */
async function importSteadily(root: string, url: string, until: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-mix-'));
  let done = 0;
  for (let run = 0; Date.now() < until; run++) {
    const file = await importFile(dir, run);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url, BENCH_PINNED: undefined },
        stdio: 'ignore',
      });
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`the mixed workload's import failed (exit ${code})`);
    if (Date.now() < until) done++;
  }
  return done;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);
};

/** Cache hits and misses so far, from the API's /metrics. */
async function cacheLookups(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const count = (result: string) =>
    Number(new RegExp(`response_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hits: count('hit'), misses: count('miss'), shared: count('shared') };
}

/** One window of the mixed workload against a running contender. */
export async function mixWindow(options: {
  contender: Contender;
  port: number;
  url: string;
  root: string;
  sample: Sample;
  keys: { reader: string; analyst: string };
  seconds: number;
  connections: number;
}): Promise<MixFigures> {
  const { contender, port, seconds } = options;
  const until = Date.now() + seconds * 1000;
  const before = contender === 'api' ? await cacheLookups(port) : null;
  const [reads, mutations, imports] = await Promise.all([
    autocannon({
      url: `http://127.0.0.1:${port}/graphql`,
      connections: options.connections,
      duration: seconds,
      requests: mixReads(contender, options.sample).map((r) =>
        contender === 'api' && !process.env.MIX_ANONYMOUS
          ? { ...r, headers: { ...r.headers, authorization: `Bearer ${options.keys.reader}` } }
          : r,
      ),
    }),
    writeSteadily(contender, port, options.sample, options.keys.analyst, until),
    importSteadily(options.root, options.url, until),
  ]);
  const after = contender === 'api' ? await cacheLookups(port) : null;
  const lookups =
    before && after ? after.hits - before.hits + (after.misses - before.misses) + (after.shared - before.shared) : 0;
  return {
    reqPerSec: reads.requests.average,
    p50: reads.latency.p50,
    p99: reads.latency.p99,
    errors: reads.errors + reads.non2xx,
    mutations: mutations.length,
    mutationP50: percentile(mutations, 50),
    mutationP99: percentile(mutations, 99),
    imports,
    cacheHitRatio: before && after && lookups ? (after.hits - before.hits) / lookups : null,
    cacheSharedRatio: before && after && lookups ? (after.shared - before.shared) / lookups : null,
  };
}

/** A throw-away copy of the benchmark database (the mix writes to it). */
export async function mixDatabase(adminUrl: string, source: string) {
  const name = `${source}_mix`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
