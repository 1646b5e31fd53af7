// Bad input: each case answers a GraphQL error with a specific code and a message a user can act on.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function errorOf(query: string, variables?: Record<string, unknown>) {
  const res = await server.raw(query, variables);
  expect(res.errors, JSON.stringify(res)).toBeDefined();
  return res.errors![0];
}

describe(`bad input (${databaseLabel})`, () => {
  it('unknown ID of the right form: NOT_FOUND', async () => {
    const id = encodeGlobalID('Actor', '00000000-0000-4000-8000-000000000000');
    for (const q of [`query($id: ID!) { actor(id: $id) { name } }`, `query($id: ID!) { node(id: $id) { id } }`]) {
      const e = await errorOf(q, { id });
      expect(e.extensions!.code).toBe('NOT_FOUND');
    }
  });

  it('nodes(ids:) answers null for an unknown ID and keeps the others', async () => {
    const known = (await server.query(`{ actor(name: "ZINC") { id } }`)).actor.id;
    const unknown = encodeGlobalID('Actor', '00000000-0000-4000-8000-000000000000');
    const res = await server.raw<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [known, unknown],
    });
    expect(res.data!.nodes).toEqual([{ id: known }, null]);
  });

  it.each(['not-an-id', 'QWN0b3I6MTIz' /* Actor:123 */, encodeGlobalID('Nope', 'x'), ''])(
    'malformed global ID %j: INVALID_ID',
    async (id) => {
      const e = await errorOf(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(e.extensions!.code).toBe('INVALID_ID');
      expect(e.message).toContain('not a valid ID');
    },
  );

  it('an ID of another type given to actor(id:): INVALID_ID', async () => {
    const campaignId = (await server.query(`{ campaign(name: "CryptoCore") { id } }`)).campaign.id;
    const e = await errorOf(`query($id: ID!) { actor(id: $id) { name } }`, { id: campaignId });
    expect(e.extensions!.code).toBe('INVALID_ID');
  });

  it.each([
    ['{ actors(first: -1) { totalCount } }', 'first'],
    ['{ actors(last: -5) { totalCount } }', 'last'],
    ['{ actors(first: 101) { totalCount } }', 'first'],
    ['{ actors(first: 1) { nodes { names(first: 1000) { totalCount } } } }', 'first'],
    ['{ actors(first: 1) { nodes { tools(first: -1) { totalCount } } } }', 'first'],
    ['{ search(query: "lazarus", first: 500) { totalCount } }', 'first'],
  ])('%s: INVALID_PAGE_ARGUMENT', async (query, argument) => {
    const e = await errorOf(query);
    expect(e.extensions!.code).toBe('INVALID_PAGE_ARGUMENT');
    expect(e.message).toContain(`"${argument}"`);
  });

  it('reports the maximum page size in the error', async () => {
    const e = await errorOf('{ actors(first: 101) { totalCount } }');
    expect(e.message).toContain('at most 100');
    expect(e.extensions!.max).toBe(100);
  });

  it('a malformed cursor is refused', async () => {
    const e = await errorOf('{ actors(first: 1, after: "garbage") { totalCount } }');
    expect(['INVALID_PAGE_ARGUMENT', 'BAD_USER_INPUT']).toContain(e.extensions!.code);
  });

  it('both or neither of id and name: BAD_USER_INPUT', async () => {
    expect((await errorOf('{ actor { name } }')).extensions!.code).toBe('BAD_USER_INPUT');
    const id = (await server.query(`{ actor(name: "ZINC") { id } }`)).actor.id;
    expect((await errorOf('query($id: ID!) { actor(id: $id, name: "ZINC") { name } }', { id })).extensions!.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('a name of punctuation only: BAD_USER_INPUT', async () => {
    const e = await errorOf('{ actor(name: "--- ") { name } }');
    expect(e.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('a malformed date or country code: BAD_USER_INPUT naming the argument', async () => {
    const date = await errorOf('{ actors(filter: { activeFrom: "2020-13-45" }) { totalCount } }');
    expect(date.message).toContain('YYYY-MM-DD');
    const country = await errorOf('{ actors(filter: { originCountry: "North Korea" }) { totalCount } }');
    expect(country.extensions!.code).toBe('BAD_USER_INPUT');
    expect(country.message).toContain('filter.originCountry');
    const range = await errorOf(
      '{ campaigns(filter: { activeFrom: "2022-01-01", activeTo: "2020-01-01" }) { totalCount } }',
    );
    expect(range.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('a search query too short to mean anything: BAD_USER_INPUT', async () => {
    expect((await errorOf('{ search(query: "a") { totalCount } }')).extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('an unknown field is a validation error, not a crash', async () => {
    const e = await errorOf('{ actors { nope } }');
    expect(e.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
