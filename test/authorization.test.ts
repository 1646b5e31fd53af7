// Who may do what: API keys (valid, unknown, revoked), anonymous access as a setting, and the
// authorisation matrix: every mutation, and the audit log, for anonymous / reader / analyst / admin.

import {
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/auth/keys.js';
import { schema } from '../src/schema/index.js';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
const keys: Record<string, string | undefined> = {};

beforeAll(async () => {
  server = await startTestServer();
  keys.reader = await server.key('READER', 'CLEAR');
  keys.analyst = await server.key('ANALYST', 'RED');
  keys.admin = await server.key('ADMIN', 'RED');
}, 120_000);
afterAll(() => server?.stop());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe(`API keys (${databaseLabel})`, () => {
  it('reads with a valid key, and anonymously (TLP:CLEAR) in the default local mode', async () => {
    expect((await server.raw('{ actors(first: 1) { totalCount } }', {}, keys.reader)).data).toBeTruthy();
    expect((await server.raw('{ actors(first: 1) { totalCount } }')).data).toBeTruthy();
  });

  it('refuses an unknown, a malformed and a revoked key with 401 UNAUTHENTICATED, never falling back to anonymous', async () => {
    for (const header of ['Bearer tai_not-a-key', 'Basic abc', 'Bearer']) {
      const res = await post({ query: '{ __typename }' }, { authorization: header });
      expect(res.status).toBe(401);
      const body = await res.json();
      expect(body.data ?? null).toBeNull();
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const key = await server.key('READER', 'CLEAR', 'to revoke');
    expect((await post({ query: '{ __typename }' }, { authorization: `Bearer ${key}` })).status).toBe(200);
    const [row] = await server.app.prisma.apiKey.findMany({ where: { name: 'to revoke' } });
    expect(await revokeApiKey(server.app.prisma, row.prefix)).toHaveLength(1);
    const res = await post({ query: '{ __typename }' }, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(401);
    expect((await res.json()).errors[0].message).toContain('revoked');
  });

  it('stores only the hash of a key', async () => {
    const rows = await server.app.prisma.apiKey.findMany();
    for (const row of rows)
      for (const key of Object.values(keys)) expect(JSON.stringify(row)).not.toContain(key!.slice(12));
  });
});

describe(`anonymous access off (production default) (${databaseLabel})`, () => {
  let closed: TestServer;
  beforeAll(async () => {
    closed = await startTestServer({ ANONYMOUS_READ: 'false' });
  }, 120_000);
  afterAll(() => closed?.stop());

  it('refuses a request without a key on every door, and answers one with a key', async () => {
    const res = await fetch(`${closed.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ actors { totalCount } }' }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    for (const path of ['/stix/bundle.json', '/taxii2/']) {
      const r = await fetch(`${closed.url}${path}`, { headers: { accept: 'application/taxii+json;version=2.1' } });
      expect(r.status).toBe(401);
    }
    const key = await closed.key('READER', 'CLEAR');
    expect((await closed.query('{ actors { totalCount } }', {}, key)).actors.totalCount).toBeGreaterThan(0);
    const r = await fetch(`${closed.url}/stix/bundle.json`, { headers: { authorization: `Bearer ${key}` } });
    expect(r.status).toBe(200);
  });
});

/** A syntactically valid value for an input type (IDs of records that do not exist). */
function sample(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return `[${sample(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return `{ ${fields.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')} }`;
  }
  const scalars: Record<string, string> = {
    ID: JSON.stringify(Buffer.from('Actor:00000000-0000-4000-8000-000000000000').toString('base64')),
    String: '"Matrix test"',
    Int: '1',
    Float: '1',
    Boolean: 'true',
    Date: '"2024-01-01"',
    DateTime: '"2024-01-01T00:00:00Z"',
    Decimal: '"1"',
    JSON: '"{}"',
  };
  return scalars[getNamedType(type).name];
}

function document(field: GraphQLField<unknown, unknown>) {
  const args = field.args.filter((a) => isNonNullType(a.type));
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `mutation { ${field.name}${args.length ? `(${args.map((a) => `${a.name}: ${sample(a.type)}`).join(', ')})` : ''}${selection} }`;
}

describe(`authorisation matrix (${databaseLabel})`, () => {
  const mutations = Object.values(schema.getMutationType()!.getFields());

  it('covers every mutation of the schema', () => {
    expect(mutations.length).toBeGreaterThanOrEqual(25);
  });

  const adminOnly = new Set(['importDocument']);

  it.each(mutations.map((m) => [m.name, m] as const))(
    '%s: anonymous UNAUTHENTICATED, reader FORBIDDEN, analyst and admin allowed (admin only where so)',
    async (name, field) => {
      const doc = document(field);
      const codes: Record<string, string | undefined> = {};
      for (const who of ['anonymous', 'reader', 'analyst', 'admin']) {
        const body = await server.raw(doc, {}, keys[who]);
        codes[who] = body.errors?.[0]?.extensions?.code;
        if (who === 'anonymous' || who === 'reader')
          expect(body.data ?? null, `${who} got a partial answer`).toBeNull();
      }
      expect(codes.anonymous).toBe('UNAUTHENTICATED');
      expect(codes.reader).toBe('FORBIDDEN');
      if (adminOnly.has(name)) expect(codes.analyst).toBe('FORBIDDEN');
      // Allowed: the mutation runs (and may refuse the sample input on its merits, never for the role).
      for (const who of adminOnly.has(name) ? ['admin'] : ['analyst', 'admin'])
        expect(['UNAUTHENTICATED', 'FORBIDDEN', 'INTERNAL_SERVER_ERROR']).not.toContain(codes[who]);
    },
  );

  it('the audit log is for admins only', async () => {
    const q = '{ auditLog(first: 5) { totalCount nodes { operation keyName } } }';
    expect((await server.raw(q)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    for (const who of ['reader', 'analyst']) {
      const body = await server.raw(q, {}, keys[who]);
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(body.data ?? null).toBeNull();
    }
    const data = await server.query(q, {}, keys.admin);
    expect(data.auditLog.totalCount).toBeGreaterThan(0); // the matrix's allowed mutations that succeeded
  });
});
