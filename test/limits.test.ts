// Abuse limits: each abusive request is refused, before it runs, with its own code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorsPageDocument, SearchDocument } from '../src/sdk/index.js';
import { databaseLabel, onPostgres } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    MAX_DEPTH: '8',
    MAX_ALIASES: '3',
    MAX_TOKENS: '300',
    MAX_COST: '100',
    MAX_BATCH: '2',
    MAX_BODY_BYTES: '4096',
    INTROSPECTION: 'false',
  });
}, 120_000);
afterAll(() => server?.stop());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const codeOf = async (res: Response) => {
  const body = await res.json();
  return (Array.isArray(body) ? body[0] : body).errors?.[0]?.extensions?.code;
};

describe(`abuse limits (${databaseLabel})`, () => {
  it('an ordinary query passes', async () => {
    expect(
      (await server.query('{ actors(first: 2) { nodes { name names(first: 2) { nodes { value } } } } }')).actors.nodes,
    ).toHaveLength(2);
  });

  it.each([
    [
      'QUERY_TOO_DEEP',
      '{ actors { nodes { campaigns { nodes { toolUsages { nodes { tool { usedBy { nodes { __typename } } } } } } } } } }',
    ],
    [
      'TOO_MANY_ALIASES',
      '{ a: actors { totalCount } b: actors { totalCount } c: actors { totalCount } d: actors { totalCount } }',
    ],
    ['TOO_MANY_TOKENS', `{ ${'a '.repeat(400)}}`],
    [
      'QUERY_TOO_COSTLY',
      '{ actors { nodes { name names { nodes { value citations { nodes { excerpt field source { title } } } } } } } }',
    ],
  ])('%s', async (code, query) => {
    const res = await post({ query });
    expect(await codeOf(res)).toBe(code);
  });

  it('batches up to MAX_BATCH operations, and refuses more', async () => {
    const one = { query: '{ __typename }' };
    const ok = await post([one, one]);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveLength(2);
    const over = await post([one, one, one]);
    expect(over.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await over.json())).toMatch(/batch/i);
  });

  it('refuses a body over MAX_BODY_BYTES with 413 BODY_TOO_LARGE, before reading it', async () => {
    const res = await post({ query: '{ __typename }', variables: { pad: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe('BODY_TOO_LARGE');
  });

  it('CSRF: a GET needs the custom header (a JSON POST does not)', async () => {
    const url = `${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const bare = await fetch(url, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    expect(await codeOf(bare)).toBe('CSRF_HEADER_REQUIRED');
    const withHeader = await fetch(url, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(withHeader.status).toBe(200);
  });

  it('introspection is a setting: off here', async () => {
    const res = await post({ query: '{ __schema { types { name } } }' });
    const body = await res.json();
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0].message).toMatch(/introspection/i);
  });
});

describe(`rate limit per key (${databaseLabel})`, () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_PER_MINUTE: '5' });
  }, 120_000);
  afterAll(() => limited?.stop());

  it('answers 429 RATE_LIMITED with Retry-After once a caller has used its minute; another key is not affected', async () => {
    const key = await limited.key('READER', 'CLEAR');
    const call = (k?: string) =>
      fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(k ? { authorization: `Bearer ${k}` } : {}) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(key)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const refused = await call(key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await codeOf(refused)).toBe('RATE_LIMITED');
    expect((await call(await limited.key('READER', 'CLEAR'))).status).toBe(200);
  });

  it('counts a key by its id, however its header is spelled', async () => {
    const key = await limited.key('READER', 'CLEAR');
    const spellings = [
      `Bearer ${key}`,
      `bearer ${key}`,
      `Bearer   ${key}`,
      `BEARER ${key} `,
      `Bearer\t${key}`,
      `Bearer ${key}  `,
    ];
    const statuses = [];
    for (const authorization of spellings)
      statuses.push(
        (
          await fetch(`${limited.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization },
            body: JSON.stringify({ query: '{ __typename }' }),
          })
        ).status,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe(`refused keys are limited per address, below the request limit (${databaseLabel})`, () => {
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ RATE_LIMIT_PER_MINUTE: '1000', FAILED_AUTH_PER_MINUTE: '4' });
  }, 120_000);
  afterAll(() => guarded?.stop());

  it('after a few wrong keys the address is refused with 429, even with a right key, on every door', async () => {
    const good = await guarded.key('READER', 'CLEAR');
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await fetch(`${guarded.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer tai_wrong${i}` },
            body: '{"query":"{ __typename }"}',
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const withGood = await fetch(`${guarded.url}/stix/bundle.json`, { headers: { authorization: `Bearer ${good}` } });
    expect(withGood.status).toBe(429);
    // Outside GraphQL, the one error body of those endpoints.
    expect((await withGood.json()).error.code).toBe('RATE_LIMITED');
    // Asking without a key is not a guess: it is counted as a request.
    expect(
      (
        await fetch(`${guarded.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ __typename }"}',
        })
      ).status,
    ).toBe(200);
  });
});

describe(`persisted operations only (${databaseLabel})`, () => {
  let locked: TestServer;
  beforeAll(async () => {
    locked = await startTestServer({ PERSISTED_OPERATIONS: 'true' });
  }, 120_000);
  afterAll(() => locked?.stop());

  it('runs the SDK’s operations, by document or by hash, and nothing else', async () => {
    expect((await locked.sdk.ActorsPage({ first: 2 })).actors.edges).toHaveLength(2);
    expect((await locked.sdk.Search({ query: 'lazarus' })).search.totalCount).toBeGreaterThan(0);
    const { createHash } = await import('node:crypto');
    const { parse, print } = await import('graphql');
    const sha256Hash = createHash('sha256')
      .update(print(parse(ActorsPageDocument)))
      .digest('hex');
    const byHash = await fetch(`${locked.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: { first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
    });
    const hashed = await byHash.json();
    expect(hashed.data?.actors.edges, JSON.stringify(hashed)).toHaveLength(1);
    const other = await locked.raw('{ actors { totalCount } }');
    expect(other.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(SearchDocument).toContain('search');
  });
});

describe(`request timeout (${databaseLabel})`, () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startTestServer({ REQUEST_TIMEOUT_MS: '300' });
  }, 120_000);
  afterAll(() => slow?.stop());

  it('answers 503 TIMEOUT when a request is not done in time (here: a body that never finishes)', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${slow.url}/graphql`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '100' },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode!, body });
          });
        },
      );
      req.on('error', reject);
      req.write('{"query": "{ __typ'); // and nothing more
    });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('TIMEOUT');
  });
});

describe(`production settings (${databaseLabel})`, () => {
  let prod: TestServer;
  beforeAll(async () => {
    prod = await startTestServer({ NODE_ENV: 'production', ANONYMOUS_READ: 'true' });
  }, 120_000);
  afterAll(() => prod?.stop());

  it('masks unexpected errors (no SQL, no stack), turns introspection and GraphiQL off', async () => {
    // Break the database under the server: the failure is the server's, not the caller's.
    await prod.app.prisma.$executeRawUnsafe('ALTER TABLE "Victim" RENAME TO "VictimMoved"');
    try {
      const body = JSON.stringify(await prod.raw('{ victims(first: 1) { totalCount } }'));
      expect(body).toContain('INTERNAL_SERVER_ERROR');
      expect(body).not.toMatch(/VictimMoved|relation|at .*\.(ts|js)|prisma/i);
    } finally {
      await prod.app.prisma.$executeRawUnsafe('ALTER TABLE "VictimMoved" RENAME TO "Victim"');
    }
    expect((await prod.raw('{ __schema { queryType { name } } }')).errors?.[0].message).toMatch(/introspection/i);
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
  });
});

describe(`the answer's size is capped (${databaseLabel})`, () => {
  let capped: TestServer;
  beforeAll(async () => {
    capped = await startTestServer({ MAX_RESPONSE_BYTES: '1024', RESPONSE_CACHE: 'true' });
  }, 120_000);
  afterAll(() => capped?.stop());

  it('an answer above MAX_RESPONSE_BYTES is replaced by RESPONSE_TOO_LARGE; a small one passes', async () => {
    const big = await capped.raw<any>('{ sources(first: 100) { nodes { title url note } } }');
    expect(big.data).toBeNull();
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 1024 });
    expect(big.errors?.[0].extensions?.size).toBeGreaterThan(1024);
    expect((await capped.raw<any>('{ actors(first: 2) { nodes { name } } }')).errors).toBeUndefined();
  });

  it('an answer from the response cache is measured too (by the size its store knows)', async () => {
    const query = '{ sources(first: 60) { nodes { title } } }';
    const hits = async () =>
      Number(
        /response_cache_lookups_total\{result="hit"\} (\d+)/.exec(
          await (await fetch(`${capped.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const first = await capped.raw<any>(query);
    const before = await hits();
    const again = await capped.raw<any>(query);
    expect(await hits()).toBe(before + 1);
    expect(first.errors?.[0].extensions?.code).toBe('RESPONSE_TOO_LARGE');
    // The same refusal (its size without the cache's own report on the first answer, a few bytes).
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 1024 });
    expect(again.errors?.[0].extensions?.size).toBeGreaterThan(1024);
    const small = '{ actors(first: 1) { nodes { name } } }';
    await capped.raw<any>(small);
    const cached = await capped.raw<any>(small);
    expect((cached.extensions as { responseCache?: { hit: boolean } })?.responseCache?.hit).toBe(true);
    expect(cached.errors).toBeUndefined();
  });
});

describe.runIf(!onPostgres)('an embedded import does not leave requests waiting without an answer', () => {
  let busy: TestServer;
  beforeAll(async () => {
    busy = await startTestServer({ REQUEST_TIMEOUT_MS: '300' });
  }, 120_000);
  afterAll(() => busy?.stop());

  it('a request that waits for a running import past its timeout is answered 503 IMPORT_IN_PROGRESS with Retry-After', async () => {
    const { loadSeeds } = await import('../src/ingest/load-seeds.js');
    const { datasetFiles } = await import('../src/config.js');
    const { importRunning } = await import('../src/write/import-status.js');
    let settled = false;
    const importing = loadSeeds(busy.app.prisma, datasetFiles['mitre-attack']).finally(() => (settled = true));
    // The files are read first; the request goes once the import's transaction holds the database.
    while (!importRunning() && !settled) await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${busy.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ actors(first: 1) { totalCount } }"}',
    });
    const body = await res.json();
    await importing;
    expect(res.status).toBe(503);
    expect(body.errors[0].extensions.code).toBe('IMPORT_IN_PROGRESS');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Once it is written, the same request is answered.
    expect((await busy.raw<any>('{ actors(first: 1) { totalCount } }')).data.actors.totalCount).toBeGreaterThan(100);
  }, 120_000);
});
