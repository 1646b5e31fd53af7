// Bad input gets a specific code, never INTERNAL_SERVER_ERROR and never a 5xx: each class of input an
// attack on the API found answered as an internal error, then fast-check over variables, paths and
// headers. The cost model lets analyst-sized questions through and refuses abusive ones.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { writtenRowCounts } from './helpers/row-counts.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let analyst: string;
let reader: string;
let lazarus: string;

beforeAll(async () => {
  server = await startTestServer();
  analyst = await server.key('ANALYST', 'RED');
  reader = await server.key('READER', 'RED');
  lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
}, 180_000);
afterAll(() => server?.stop());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
/** The codes of an answer's errors (a batch's too), and its status. */
async function codes(res: Response) {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: res.status, codes: [] as string[], text };
  }
  const all = (Array.isArray(body) ? body : [body]) as {
    errors?: { extensions?: { code?: string } }[];
    error?: { code?: string };
  }[];
  return {
    status: res.status,
    codes: all.flatMap((b) => [
      ...(b.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'),
      ...(b.error ? [b.error.code ?? 'NO_CODE'] : []),
    ]),
    text,
  };
}
/** Sent as the analyst (its key is made in beforeAll, after the cases are listed). */
const asAnalyst = { as: 'analyst' } as Record<string, string>;
const headersOf = (h: Record<string, string>) => (h.as === 'analyst' ? { authorization: `Bearer ${analyst}` } : h);

describe(`bad input answers with a specific code (${databaseLabel})`, () => {
  const cases: [string, unknown, Record<string, string>, string][] = [
    [
      'NUL in a name',
      {
        query: 'mutation($n: String!) { createActor(input: { name: $n }) { id } }',
        variables: { n: 'Bad\u0000Actor' },
      },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'NUL in a URL',
      {
        query: 'mutation($u: String) { createSource(input: { title: "x", kind: REPORT, url: $u }) { id } }',
        variables: { u: 'https://example.org/\u0000' },
      },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'NUL escaped in a literal',
      { query: 'mutation { createActor(input: { name: "A\\u0000B" }) { id } }' },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'NUL in a lookup',
      { query: 'query($n: String!) { actor(name: $n) { id } }', variables: { n: 'laz\u0000arus' } },
      {},
      'BAD_USER_INPUT',
    ],
    [
      'year 0000',
      { query: 'mutation { createActor(input: { name: "Year Zero", firstSeen: "0000-01-01" }) { id } }' },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      '30 February',
      { query: 'mutation { createActor(input: { name: "Leap", firstSeen: "2020-02-30" }) { id } }' },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'an Int out of range in variables',
      { query: 'query($f: Int) { actors(first: $f) { totalCount } }', variables: { f: 2 ** 40 } },
      {},
      'BAD_USER_INPUT',
    ],
    [
      'an unknown enum value in variables',
      { query: 'query($k: ToolKind) { tools(filter: { kind: $k }) { totalCount } }', variables: { k: 'ROOTKIT' } },
      {},
      'BAD_USER_INPUT',
    ],
    [
      'node(id:) of an unknown type',
      {
        query: 'query($id: ID!) { node(id: $id) { id } }',
        variables: { id: Buffer.from('Bogus:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64') },
      },
      {},
      'NOT_FOUND',
    ],
    [
      'node(id:) of an API key',
      {
        query: 'query($id: ID!) { node(id: $id) { id } }',
        variables: { id: Buffer.from('ApiKey:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64') },
      },
      {},
      'NOT_FOUND',
    ],
    [
      'a crafted cursor',
      {
        query: 'query($a: String) { actors(first: 2, after: $a) { nodes { name } } }',
        variables: { a: Buffer.from('GPC:S:not-a-uuid').toString('base64') },
      },
      {},
      'INVALID_PAGE_ARGUMENT',
    ],
    ['first with last', { query: '{ actors(first: 2, last: 2) { totalCount } }' }, {}, 'INVALID_PAGE_ARGUMENT'],
    [
      'a reserved country code (UK)',
      { query: 'mutation { createVictim(input: { name: "UK Bank", kind: ORGANIZATION, country: "UK" }) { id } }' },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'a reserved country code (EU)',
      { query: 'mutation { createVictim(input: { name: "EU Bank", kind: ORGANIZATION, country: "EU" }) { id } }' },
      asAnalyst,
      'BAD_USER_INPUT',
    ],
    [
      'nodes(ids:) longer than a page',
      () => ({
        query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        variables: { ids: Array.from({ length: 150 }, () => lazarus) },
      }),
      {},
      'INVALID_PAGE_ARGUMENT',
    ],
  ];
  it.each(cases)('%s', async (_label, body, headers, code) => {
    const answer = await codes(await post(typeof body === 'function' ? body() : body, headersOf(headers)));
    expect(answer.status, answer.text).toBeLessThan(500);
    expect(answer.codes, answer.text).toContain(code);
    expect(answer.codes).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('nothing was written by the refused mutations above', async () => {
    const names = await server.app.prisma.actor.count({ where: { name: { in: ['Year Zero', 'Leap'] } } });
    expect(names).toBe(0);
  });

  it('an update may not put lastObserved before the stored firstObserved', async () => {
    const src = (
      await server.query(
        'mutation { createSource(input: { title: "Order report", kind: REPORT }) { id } }',
        {},
        analyst,
      )
    ).createSource.id;
    const victim = (
      await server.query(
        'mutation { createVictim(input: { name: "Order Bank", kind: ORGANIZATION }) { id } }',
        {},
        analyst,
      )
    ).createVictim.id;
    const t = (
      await server.query(
        'mutation($a: ID!, $v: ID!, $s: ID!) { recordTargeting(input: { by: $a, victim: $v, firstObserved: "2021-05-01", sources: [{ source: $s }] }) { id } }',
        { a: lazarus, v: victim, s: src },
        analyst,
      )
    ).recordTargeting.id;
    const r = await server.raw<any>(
      'mutation($id: ID!) { updateTargeting(input: { id: $id, expectedVersion: 1, lastObserved: "2020-01-01" }) { id } }',
      { id: t },
      analyst,
    );
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toContain('lastObserved');
  });

  it('a reader calling an analyst mutation is told it needs the analyst role', async () => {
    const r = await server.raw<any>('mutation { createActor(input: { name: "Nope" }) { id } }', {}, reader);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(r.errors?.[0].message).toContain('analyst role');
  });

  it('a create race on one key: the losers get ALREADY_EXISTS, none an internal error', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.raw<any>(
          'mutation { createTool(input: { name: "Race Tool", kind: TOOL, key: "race-tool" }) { id } }',
          {},
          analyst,
        ),
      ),
    );
    const outcome = results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'CREATED'));
    expect(outcome.filter((c) => c === 'CREATED')).toHaveLength(1);
    expect(outcome.filter((c) => c !== 'CREATED').every((c) => c === 'ALREADY_EXISTS')).toBe(true);
  });

  it('paths: a badly escaped STIX or TAXII id and other methods answer 4xx with a code', async () => {
    const stix = await fetch(`${server.url}/stix/%`);
    expect(stix.status).toBe(400);
    expect((await codes(stix)).codes).toEqual(['INVALID_ID']);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await fetch(`${server.url}/stix/bundle.json`, { method, headers: { 'content-length': '0' } });
      expect(r.status).toBe(405);
    }
    const taxii = await fetch(`${server.url}/taxii2/api/collections/all/objects/%/`, {
      headers: { accept: 'application/taxii+json;version=2.1' },
    });
    expect(taxii.status).toBeGreaterThanOrEqual(400);
    expect(taxii.status).toBeLessThan(500);
  });
});

describe(`fuzzed mutation inputs (${databaseLabel})`, () => {
  it('never answer an internal error, and a refused input writes nothing', async () => {
    // A key of its own, so that the other tests' requests leave its rate limit whole.
    const fuzzer = await server.key('ANALYST', 'RED');
    const sourceId = (
      await server.query(
        'mutation { createSource(input: { title: "Fuzz test report", kind: REPORT, url: "https://example.org/f" }) { id } }',
        {},
        fuzzer,
      )
    ).createSource.id;
    const anyId = fc.oneof(fc.string(), fc.constant(lazarus), fc.constant(sourceId), fc.base64String());
    const date = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    );
    const actorInput = fc.record(
      {
        name: fc.string({ maxLength: 250 }),
        key: fc.option(fc.string({ maxLength: 30 })),
        originCountry: fc.option(fc.string({ maxLength: 3 })),
        motivations: fc.option(fc.array(fc.string(), { maxLength: 3 })),
        firstSeen: date,
        lastSeen: date,
        description: fc.option(fc.string()),
      },
      { requiredKeys: ['name'] },
    );
    const claimInput = fc.record(
      {
        by: anyId,
        victim: anyId,
        confidence: fc.option(fc.integer({ min: -50, max: 200 })),
        confidenceLabel: fc.option(fc.string()),
        firstObserved: date,
        lastObserved: date,
        tlp: fc.option(fc.constantFrom('CLEAR', 'AMBER', 'RED')),
        sources: fc.array(fc.record({ source: anyId, excerpt: fc.option(fc.string()) }), { maxLength: 3 }),
      },
      { requiredKeys: ['by', 'victim', 'sources'] },
    );
    const nameInput = fc.record(
      {
        owner: anyId,
        value: fc.string({ maxLength: 250 }),
        coinedBy: fc.option(anyId),
        tlp: fc.option(fc.constantFrom('CLEAR', 'GREEN', 'AMBER_STRICT')),
        sources: fc.option(fc.array(fc.record({ source: anyId }), { maxLength: 2 })),
      },
      { requiredKeys: ['owner', 'value'] },
    );
    const updateInput = fc.record(
      {
        id: anyId,
        expectedVersion: fc.integer({ min: -1, max: 3 }),
        name: fc.option(fc.string({ maxLength: 30 })),
        originCountry: fc.option(fc.string({ maxLength: 2 })),
        lastSeen: date,
      },
      { requiredKeys: ['id', 'expectedVersion'] },
    );
    const mutation = fc.oneof(
      actorInput.map((i) => ['mutation($i: CreateActorInput!) { createActor(input: $i) { id } }', i] as const),
      nameInput.map((i) => ['mutation($i: AddNameInput!) { addName(input: $i) { id } }', i] as const),
      updateInput.map((i) => ['mutation($i: UpdateActorInput!) { updateActor(input: $i) { id } }', i] as const),
      claimInput.map((i) => ['mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }', i] as const),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async ([query, input]) => {
        const before = await writtenRowCounts(server.app.prisma);
        const res = await server.raw<any>(query, { i: input }, fuzzer);
        const codes = (res.errors ?? []).map((e: any) => e.extensions?.code);
        expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
        for (const code of codes) expect(code, JSON.stringify(res.errors)).toBeTruthy();
        if (res.errors) expect(await writtenRowCounts(server.app.prisma)).toEqual(before);
      }),
      { numRuns: 200, seed: 20261126 },
    );
  }, 120_000);
});

describe(`fuzzing the HTTP surface (${databaseLabel})`, () => {
  const queries = [
    'query($id: ID!) { node(id: $id) { id } }',
    'query($n: String!) { actor(name: $n) { name } }',
    'query($q: String!, $f: Int) { search(query: $q, first: $f) { totalCount } }',
    'query($f: Int, $a: String) { actors(first: $f, after: $a) { totalCount edges { cursor } } }',
    'query($c: String) { victims(filter: { country: $c }) { totalCount } }',
    'mutation($n: String!, $d: Date, $c: String) { createActor(input: { name: $n, firstSeen: $d, originCountry: $c }) { id } }',
  ];
  const anything = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.base64String({ maxLength: 40 }),
    fc.array(fc.string(), { maxLength: 3 }),
  );
  it('no variables make a 5xx or an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...queries),
        fc.dictionary(fc.constantFrom('id', 'n', 'q', 'f', 'a', 'c', 'd'), anything),
        async (query, variables) => {
          const answer = await codes(await post({ query, variables }, headersOf(asAnalyst)));
          expect(answer.status, answer.text).toBeLessThan(500);
          expect(answer.codes, answer.text).not.toContain('INTERNAL_SERVER_ERROR');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('no path or Authorization header makes a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/stix/',
          '/taxii2/api/collections/',
          '/taxii2/api/collections/all/objects/',
          '/graphql?query=',
        ),
        fc.string({ maxLength: 40 }),
        fc.option(fc.string({ maxLength: 60 })),
        async (prefix, tail, authorization) => {
          const headers: Record<string, string> = { accept: 'application/taxii+json;version=2.1' };
          if (authorization !== null && /^[\t\x20-\x7e]*$/.test(authorization)) headers.authorization = authorization;
          const res = await fetch(`${server.url}${prefix}${encodeURIComponent(tail).replace(/%25/g, '%')}`, {
            headers,
          });
          await res.arrayBuffer();
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe(`cost (${databaseLabel})`, () => {
  it('an analyst-sized question passes; a connection asked only for its count costs one', async () => {
    const q =
      '{ actors(first: 50) { totalCount nodes { name names { nodes { value } } campaigns { nodes { name toolUsages { totalCount nodes { confidence tool { name } } } } } } } }';
    const r = await server.raw<any>(q);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const counts = await server.raw<any>(
      '{ a: actors(first: 100) { totalCount } t: tools(first: 100) { totalCount } }',
    );
    expect(counts.errors).toBeUndefined();
  });

  it('STIX bundles in lists are counted: a batch of them is refused before it runs', async () => {
    const q = '{ actors(first: 100) { nodes { stixBundle(depth: 2) } } }';
    const res = await post(Array.from({ length: 8 }, () => ({ query: q })));
    const answer = await codes(res);
    expect(answer.codes).toEqual(Array(8).fill('QUERY_TOO_COSTLY'));
    // One bundle is fine.
    const one = await server.raw<any>('query($id: ID!) { node(id: $id) { ... on Actor { stixBundle(depth: 2) } } }', {
      id: lazarus,
    });
    expect(one.errors).toBeUndefined();
  });
});
