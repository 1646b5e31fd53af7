// No N+1: the number of SQL statements a request sends does not grow with the page size. Run in
// process (graphql's execute(), no server): the statements are those the request's log holds, the
// log the server reports as `extensions.sqlStatements` (every statement Prisma sends through the
// driver adapter during the request).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { q2 } from '../bench/queries.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

let api: InProcess;
beforeAll(async () => {
  api = await inProcess();
});
afterAll(() => api?.stop());

async function statements(query: string, first: number) {
  const { result, statements } = await api.run(query, { first });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return statements.length;
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
      const hits = (await api.run<{ search: { edges: unknown[] } }>(query(type), { first: 20 })).result.data!.search
        .edges.length;
      expect(hits, `${type} hits`).toBeGreaterThanOrEqual(2);
      // The ranking, then the page's records of the type (with their names, joined): nothing per record.
      expect(counts, `${type}: statements for first = 1, 2, 5, 20`).toEqual([2, 2, 2, 2]);
    }
  });

  it("an actor's campaigns, derived tools and victims read their records once, with the fields asked of them", async () => {
    const id = (await api.run('{ actor(name: "Lazarus Group") { id } }')).result.data!.actor.id;
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

  it('a campaign asked by another of its names: the answer and the SQL it sends', async () => {
    const { result, statements } = await api.run(
      '{ campaign(name: "leery turtle") { name names { nodes { value coinedBy { name } } } } }',
    );
    expect(result).toMatchInlineSnapshot(`
      {
        "data": {
          "campaign": {
            "name": "CryptoCore",
            "names": {
              "nodes": [
                {
                  "coinedBy": null,
                  "value": "CageyChameleon",
                },
                {
                  "coinedBy": {
                    "name": "ClearSky Cyber Security",
                  },
                  "value": "CryptoCore",
                },
                {
                  "coinedBy": {
                    "name": "NTT Security",
                  },
                  "value": "CryptoMimic",
                },
                {
                  "coinedBy": null,
                  "value": "Dangerous Password",
                },
                {
                  "coinedBy": null,
                  "value": "Leery Turtle",
                },
              ],
            },
          },
        },
      }
    `);
    // Two statements: the lookup by normalised name, then the campaign with its names and their
    // coiners in one statement (relation joins). A change in how it reads shows here first.
    expect(statements).toMatchInlineSnapshot(`
      [
        "SELECT "t0"."id", "t0"."actorId", "t0"."campaignId", "t0"."toolId", "Name_actor"."__prisma_data__" AS "actor", "Name_campaign"."__prisma_data__" AS "campaign", "Name_tool"."__prisma_data__" AS "tool" FROM "public"."Name" AS "t0" LEFT JOIN LATERAL (SELECT JSONB_BUILD_OBJECT('name', "t1"."name", 'revoked', "t1"."revoked", 'deprecated', "t1"."deprecated") AS "__prisma_data__" FROM "public"."Actor" AS "t1" WHERE "t0"."actorId" = "t1"."id" LIMIT $1) AS "Name_actor" ON true LEFT JOIN LATERAL (SELECT JSONB_BUILD_OBJECT('name', "t2"."name", 'revoked', "t2"."revoked", 'deprecated', "t2"."deprecated") AS "__prisma_data__" FROM "public"."Campaign" AS "t2" WHERE "t0"."campaignId" = "t2"."id" LIMIT $2) AS "Name_campaign" ON true LEFT JOIN LATERAL (SELECT JSONB_BUILD_OBJECT('name', "t3"."name", 'revoked', "t3"."revoked", 'deprecated', "t3"."deprecated") AS "__prisma_data__" FROM "public"."Tool" AS "t3" WHERE "t0"."toolId" = "t3"."id" LIMIT $3) AS "Name_tool" ON true WHERE ("t0"."normalized" = $4 AND "t0"."campaignId" IS NOT NULL AND "t0"."visibility" IN (CAST($5::text AS "public"."Tlp")))",
        "SELECT "t0"."id", "Campaign_names"."__prisma_data__" AS "names", "t0"."name" FROM "public"."Campaign" AS "t0" LEFT JOIN LATERAL (SELECT COALESCE(JSONB_AGG("__prisma_data__"), '[]') AS "__prisma_data__" FROM (SELECT "t3"."__prisma_data__" FROM (SELECT JSONB_BUILD_OBJECT('coinedById', "t2"."coinedById", 'coinedBy', "Name_coinedBy"."__prisma_data__", 'id', "t2"."id", 'value', "t2"."value") AS "__prisma_data__", "t2"."value", "t2"."id", "t2"."visibility", "t2"."coinedById" FROM (SELECT "t1".* FROM "public"."Name" AS "t1" WHERE "t0"."id" = "t1"."campaignId" /* root select */) AS "t2" LEFT JOIN LATERAL (SELECT JSONB_BUILD_OBJECT('id', "t5"."id", 'tlp', "t5"."tlp", 'name', "t5"."name") AS "__prisma_data__" FROM "public"."Organization" AS "t5" WHERE "t2"."coinedById" = "t5"."id" LIMIT $1) AS "Name_coinedBy" ON true /* inner select */) AS "t3" WHERE "t3"."visibility" IN (CAST($2::text AS "public"."Tlp")) ORDER BY "t3"."value" ASC, "t3"."id" ASC LIMIT $3 OFFSET $4 /* middle select */) AS "t4" /* outer select */) AS "Campaign_names" ON true WHERE ("t0"."id" = $5 AND "t0"."tlp" IN (CAST($6::text AS "public"."Tlp"))) LIMIT $7",
      ]
    `);
  });
});
