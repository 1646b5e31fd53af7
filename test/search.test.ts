// Ranked fuzzy search over names and descriptions (pg_trgm), over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
});
afterAll(() => server?.stop());

async function search(query: string, extra = '') {
  const data = await server.query(
    `query($q: String!) { search(query: $q${extra}) { totalCount edges { score matchedName node { __typename ... on Actor { name } ... on Campaign { name } ... on Tool { name } } } } }`,
    { q: query },
  );
  return data.search as {
    totalCount: number;
    edges: { score: number; matchedName: string | null; node: { __typename: string; name: string } }[];
  };
}

describe(`search (${databaseLabel})`, () => {
  it.each([
    ['leery turtle', 'Campaign', 'CryptoCore', 'Leery Turtle'],
    ['Leery-Turtle', 'Campaign', 'CryptoCore', 'Leery Turtle'],
    ['hiden cobra', 'Actor', 'Lazarus Group', 'HIDDEN COBRA'],
    ['lazarus grp', 'Actor', 'Lazarus Group', 'Lazarus Group'],
    ['cabbage rat', 'Tool', 'CageyChameleon', 'Cabbage RAT'],
    ['cryptomimc', 'Campaign', 'CryptoCore', 'CryptoMimic'],
    ['mimikats', 'Tool', 'Mimikatz', 'Mimikatz'],
  ])('%j finds %s %s first (matched name %s)', async (query, type, name, matched) => {
    const result = await search(query);
    expect(result.edges[0].node).toEqual({ __typename: type, name });
    expect(result.edges[0].matchedName).toBe(matched);
    const scores = result.edges.map((e) => e.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('the exact display name scores 1, an exact alias 0.95, above names merely containing the query', async () => {
    expect((await search('Lazarus Group')).edges[0]).toMatchObject({ score: 1, node: { name: 'Lazarus Group' } });
    const alias = await search('Diamond Sleet');
    expect(alias.edges[0]).toMatchObject({
      score: 0.95,
      matchedName: 'Diamond Sleet',
      node: { name: 'Lazarus Group' },
    });
    // "lazarus" is the start of "Lazarus Group" (0.7-0.9): above descriptions that mention Lazarus (0.3-0.55).
    const partial = await search('lazarus');
    expect(partial.edges[0]).toMatchObject({ matchedName: 'Lazarus Group', node: { name: 'Lazarus Group' } });
    expect(partial.edges[0].score).toBeGreaterThanOrEqual(0.7);
    for (const edge of partial.edges.filter((e) => e.matchedName === null))
      expect(edge.score).toBeLessThanOrEqual(0.55);
  });

  it('finds words of descriptions', async () => {
    const result = await search('password-manager credentials');
    expect(result.edges.map((e) => e.node.name)).toContain('CryptoCore');
    const hot = await search('hot wallets');
    expect(hot.edges[0].node.name).toBe('CryptoCore');
    expect(hot.edges[0].matchedName).toBeNull();
  });

  it('matches description words as prefixes, and only descriptions holding every word', async () => {
    const prefix = await search('hot wall');
    expect(prefix.edges[0]).toMatchObject({ matchedName: null, node: { name: 'CryptoCore' } });
    expect(prefix.edges[0].score).toBeGreaterThanOrEqual(0.3);
    expect(prefix.edges[0].score).toBeLessThanOrEqual(0.55);
    expect((await search('hot wallets zzqxw')).edges.map((e) => e.node.name)).not.toContain('CryptoCore');
  });

  it('a query without letters or digits finds nothing, without an error', async () => {
    expect((await search('--')).totalCount).toBe(0);
  });

  it('names match at a similarity of 0.45 or more (the session threshold), or as substrings', async () => {
    for (const query of ['lazarus grp', 'leery turtle', 'mimikats', 'dangerous pasword']) {
      const named = (await search(query)).edges.filter((e) => e.matchedName !== null);
      expect(named.length).toBeGreaterThan(0);
      for (const edge of named) expect(edge.score).toBeGreaterThanOrEqual(0.45);
    }
    // Below it, with no word of the query whole in the name: "Lazarus Group" is 0.3 similar to "lazarux teem".
    expect((await search('lazarux teem')).edges.filter((e) => e.matchedName !== null)).toEqual([]);
  });

  it('a name holding one word of the query whole matches at a similarity of 0.3 (a typo in the other word)', async () => {
    // "Lazarus Group" is 0.39 similar to "lazarus team", "Mimikatz" 0.38 to "mimikatz lite edition".
    for (const [query, name] of [
      ['lazarus team', 'Lazarus Group'],
      ['mimikatz lite edition', 'Mimikatz'],
    ]) {
      const [first] = (await search(query)).edges;
      expect(first.node.name).toBe(name);
      expect(first.score).toBeGreaterThanOrEqual(0.3);
      expect(first.score).toBeLessThan(0.45);
    }
  });

  it('one or two letters find names starting with them', async () => {
    const result = await search('mi');
    const named = result.edges.filter((e) => e.matchedName !== null);
    expect(named.map((e) => e.node.name)).toContain('Mimikatz');
    // "CryptoMimic" holds "mi" too, but not at its start.
    for (const edge of named) expect(edge.matchedName!.toLowerCase().replace(/[^a-z0-9]/g, '')).toMatch(/^mi/);
  });

  it('a name shared by a campaign and a tool finds both', async () => {
    const result = await search('CageyChameleon');
    expect(
      result.edges
        .slice(0, 2)
        .map((e) => e.node.__typename)
        .sort(),
    ).toEqual(['Campaign', 'Tool']);
  });

  it('restricts to the requested types and pages through the hits', async () => {
    const tools = await search('crypto', ', types: [TOOL]');
    expect(tools.edges.length).toBeGreaterThan(0);
    expect(tools.edges.every((e) => e.node.__typename === 'Tool')).toBe(true);
    const all = await search('crypto');
    const page = await server.query(
      `{ search(query: "crypto", first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { ... on Campaign { name } ... on Tool { name } ... on Actor { name } } } } }`,
    );
    expect(page.search.totalCount).toBe(all.totalCount);
    expect(page.search.edges.map((e: any) => e.node.name)).toEqual(all.edges.slice(0, 2).map((e) => e.node.name));
    expect(page.search.pageInfo.hasNextPage).toBe(all.totalCount > 2);
  });

  it('nothing similar: no hits', async () => {
    expect((await search('zzqxw')).totalCount).toBe(0);
  });
});
