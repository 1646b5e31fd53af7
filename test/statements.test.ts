// No N+1: the number of SQL statements a request sends does not grow with the page size. The count
// is what the server reports in `extensions.sqlStatements` (every statement Prisma sends through
// the driver adapter during the request).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { q2 } from '../bench/queries.js';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function statements(query: string, first: number) {
  const res = await server.raw(query, { first });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.extensions!.sqlStatements!;
}

const queries = {
  'actors → names, attributions, campaigns, tools, victims': `query($first: Int) { actors(first: $first) { totalCount nodes {
    name names(first: $first) { totalCount nodes { value coinedBy { name } } }
    attributedActivity(first: $first) { totalCount nodes { status campaign { name } } }
    campaigns(first: $first) { totalCount edges { node { name } attributions { status } } }
    tools(first: $first) { totalCount edges { direct node { name } } }
    victims(first: $first) { totalCount edges { node { name } } }
  } } }`,
  'campaigns → attributions → citations → sources': `query($first: Int) { campaigns(first: $first) { totalCount nodes {
    name attributions(first: $first) { totalCount nodes { status actor { name } citations(first: $first) { nodes { excerpt source { title publisher { name } } } } } }
    targetings(first: $first) { totalCount nodes { victim { name country } } }
  } } }`,
  'victims → targetedBy → campaign → names': `query($first: Int) { victims(first: $first) { totalCount nodes {
    name targetedBy(first: $first) { totalCount nodes { campaign { name names(first: $first) { nodes { value } } } } }
  } } }`,
  'sources → citations': `query($first: Int) { sources(first: $first) { totalCount nodes { title publisher { name } citations(first: $first) { totalCount nodes { excerpt } } } } }`,
};

describe(`SQL statements per request (${databaseLabel})`, () => {
  it.each(Object.entries(queries))('%s: the same for first = 1, 2, 5 and 20', async (_label, query) => {
    const counts = [];
    for (const first of [1, 2, 5, 20]) counts.push(await statements(query, first));
    expect(new Set(counts).size, `statements for first = 1, 2, 5, 20: ${counts.join(', ')}`).toBe(1);
  });

  it('a flat page with its total is at most two statements', async () => {
    expect(
      await statements(`query($first: Int) { actors(first: $first) { totalCount nodes { name } } }`, 10),
    ).toBeLessThanOrEqual(2);
  });

  it("the benchmark's Q2 (three levels, connections, totalCount) is at most two statements, whatever the page sizes", async () => {
    const counts = [];
    for (const [top, inner] of [
      [1, 1],
      [2, 5],
      [10, 5],
      [20, 20],
    ])
      counts.push(await statements(q2.api(top, inner), top));
    expect(Math.max(...counts), `statements: ${counts.join(', ')}`).toBeLessThanOrEqual(2);
    expect(new Set(counts).size).toBe(1);
  });

  it('a nested page of relations is one statement with relation joins', async () => {
    const count = await statements(
      `query($first: Int) { actors(first: $first) { nodes { name names(first: $first) { totalCount nodes { value } } } } }`,
      10,
    );
    expect(count).toBe(1);
  });

  it('a search page reads each type of record in one statement, with what the request selects under it', async () => {
    const query = (
      type: string,
    ) => `query($first: Int) { search(query: "and", types: [${type}], first: $first) { totalCount
      edges { node { ... on Actor { name originCountry names(first: 3) { nodes { value } } } ... on Campaign { name firstSeen } ... on Tool { name kind } } }
      nodes { ... on Actor { key } ... on Campaign { key } ... on Tool { key } } } }`;
    for (const type of ['ACTOR', 'CAMPAIGN', 'TOOL']) {
      const counts = [];
      for (const first of [1, 2, 5, 20]) counts.push(await statements(query(type), first));
      const hits = ((await server.raw(query(type), { first: 20 })).data as { search: { edges: unknown[] } }).search
        .edges.length;
      expect(hits, `${type} hits`).toBeGreaterThanOrEqual(2);
      // The ranking, then the page's records of the type (with their names, joined): nothing per record.
      expect(counts, `${type}: statements for first = 1, 2, 5, 20`).toEqual([2, 2, 2, 2]);
    }
  });

  it("an actor's campaigns, derived tools and victims read their records once, with the fields asked of them", async () => {
    const id = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
    for (const [view, edge, fields] of [
      ['victims', 'direct', 'name country sector'],
      ['tools', 'direct', 'name kind'],
      ['campaigns', 'current', 'name firstSeen'],
    ]) {
      const bare = await statements(
        `query($first: Int) { node(id: "${id}") { ... on Actor { ${view}(first: $first) { totalCount edges { ${edge} } } } } }`,
        10,
      );
      const withNodes = await statements(
        `query($first: Int) { node(id: "${id}") { ... on Actor { ${view}(first: $first) { totalCount edges { ${edge} node { ${fields} } } nodes { id } } } } }`,
        10,
      );
      expect(withNodes, view).toBe(bare);
    }
  });
});
