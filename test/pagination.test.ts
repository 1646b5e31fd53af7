// Relay pagination at page edges, forwards and backwards, on database-backed and computed
// connections, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
});
afterAll(() => server?.stop());

type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { name: string } }[];
};
const pageFields =
  'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } }';

/** Walks a connection page by page, forwards or backwards, and returns the names in order. */
async function walk(fetchPage: (args: Record<string, unknown>) => Promise<Page>, size: number, backwards: boolean) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const args = backwards ? { last: size, before: cursor } : { first: size, after: cursor };
    const page = await fetchPage(args);
    const batch = page.edges.map((e) => e.node.name);
    expect(batch.length).toBeLessThanOrEqual(size);
    if (backwards) seen.unshift(...batch);
    else seen.push(...batch);
    const more = backwards ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) return seen;
    cursor = backwards ? page.pageInfo.startCursor : page.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe(`pagination (${databaseLabel})`, () => {
  const victims = async (args: Record<string, unknown>) =>
    (
      await server.query(
        `query($first: Int, $after: String, $last: Int, $before: String) { victims(first: $first, after: $after, last: $last, before: $before) { ${pageFields} } }`,
        args,
      )
    ).victims as Page;

  it.each([1, 3, 5, 16, 17])('walks all victims forwards and backwards in pages of %i', async (size) => {
    const all = (await victims({ first: 100 })).edges.map((e) => e.node.name);
    expect(all).toHaveLength(16);
    expect([...all]).toEqual([...all].sort((a, b) => (a < b ? -1 : 1)));
    expect(await walk(victims, size, false)).toEqual(all);
    expect(await walk(victims, size, true)).toEqual(all);
  });

  it('reports page edges exactly', async () => {
    const first = await victims({ first: 5 });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0].cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges[4].cursor);
    expect(first.totalCount).toBe(16);
    const exact = await victims({ first: 16 });
    expect(exact.pageInfo.hasNextPage).toBe(false);
    const last = await victims({ last: 5 });
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(last.edges.map((e) => e.node.name)).toEqual(exact.edges.slice(11).map((e) => e.node.name));
    const afterEnd = await victims({ first: 5, after: exact.pageInfo.endCursor });
    expect(afterEnd.edges).toEqual([]);
    expect(afterEnd.pageInfo.hasNextPage).toBe(false);
    const empty = await victims({ first: 0 });
    expect(empty.edges).toEqual([]);
    expect(empty.totalCount).toBe(16);
  });

  it('uses the default page size when none is given', async () => {
    const server2 = await import('./helpers/server.js').then((m) =>
      m.startTestServer({ DEFAULT_PAGE_SIZE: '4', MAX_PAGE_SIZE: '10' }),
    );
    try {
      const data = await server2.query(`{ victims { edges { node { name } } pageInfo { hasNextPage } } }`);
      expect(data.victims.edges).toHaveLength(4);
      const tooMany = await server2.raw(`{ victims(first: 11) { totalCount } }`);
      expect(tooMany.errors![0].extensions!.code).toBe('INVALID_PAGE_ARGUMENT');
    } finally {
      await server2.stop();
    }
  });

  it('pages a nested database-backed connection (names of an actor) both ways', async () => {
    const names = async (args: Record<string, unknown>) =>
      (
        await server.query(
          `query($first: Int, $after: String, $last: Int, $before: String) { actor(name: "Lazarus Group") { names(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name: value } } } } }`,
          args,
        )
      ).actor.names as Page;
    const all = (await names({ first: 50 })).edges.map((e) => e.node.name);
    expect(all).toHaveLength(8);
    expect(await walk(names, 3, false)).toEqual(all);
    expect(await walk(names, 3, true)).toEqual(all);
  });

  it('pages a computed connection (derived victims of an actor) both ways', async () => {
    const derived = async (args: Record<string, unknown>) =>
      (
        await server.query(
          `query($first: Int, $after: String, $last: Int, $before: String) { actor(name: "Lazarus Group") { victims(first: $first, after: $after, last: $last, before: $before) { ${pageFields} } } }`,
          args,
        )
      ).actor.victims as Page;
    const all = (await derived({ first: 50 })).edges.map((e) => e.node.name);
    expect(all).toHaveLength(11);
    expect(await walk(derived, 4, false)).toEqual(all);
    expect(await walk(derived, 4, true)).toEqual(all);
  });
});
