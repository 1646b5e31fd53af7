// TAXII 2.1 (read-only), request by request as the specification's examples go: discovery, API root,
// collections, collection, objects (filters, paging), an object, its versions, the manifest; content
// negotiation and error bodies; paging that neither skips nor repeats while data is added.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TAXII = 'application/taxii+json;version=2.1';
const EVERYTHING = '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01';
const CURATED = '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e02';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function taxii(pathAndQuery: string, init: RequestInit & { accept?: string } = {}) {
  const res = await fetch(`${server.url}${pathAndQuery}`, {
    ...init,
    headers: { accept: init.accept ?? TAXII, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe(`TAXII 2.1 (${databaseLabel})`, () => {
  it('discovery names the API root', async () => {
    const { status, headers, body } = await taxii('/taxii2/');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe(TAXII);
    expect(body.api_roots).toEqual([`${server.url}/taxii2/api/`]);
    expect(body.default).toBe(`${server.url}/taxii2/api/`);
  });

  it('the API root gives its versions', async () => {
    const { body } = await taxii('/taxii2/api/');
    expect(body.versions).toEqual([TAXII]);
  });

  it('lists the collections: everything and one per dataset, read-only', async () => {
    const { body } = await taxii('/taxii2/api/collections/');
    expect(body.collections.map((c: any) => c.title)).toEqual(['Everything', 'Curated', 'MITRE ATT&CK', 'MISP galaxy']);
    for (const c of body.collections)
      expect(c).toMatchObject({ can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] });
    const one = await taxii(`/taxii2/api/collections/${EVERYTHING}/`);
    expect(one.body.id).toBe(EVERYTHING);
  });

  it('gets objects with the date-added headers, filtered by type and id', async () => {
    const { status, headers, body } = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/`);
    expect(status).toBe(200);
    expect(body.objects.length).toBeGreaterThan(20);
    expect(headers.get('x-taxii-date-added-first')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Date.parse(headers.get('x-taxii-date-added-last')!)).toBeGreaterThanOrEqual(
      Date.parse(headers.get('x-taxii-date-added-first')!),
    );
    const campaigns = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[type]=campaign`);
    expect(campaigns.body.objects.map((o: any) => o.name).sort()).toEqual(['CryptoCore', 'SnatchCrypto']);
    const both = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[type]=campaign,intrusion-set`);
    expect(both.body.objects).toHaveLength(4);
    const id = campaigns.body.objects[0].id;
    const byId = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[id]=${id}`);
    expect(byId.body.objects.map((o: any) => o.id)).toEqual([id]);
    const none = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[type]=indicator`);
    expect(none.body).toEqual({});
    const spec20 = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[spec_version]=2.0`);
    expect(spec20.body).toEqual({});
  });

  it('gets one object, its versions, and filters by version', async () => {
    const { body } = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?match[type]=intrusion-set`);
    const lazarus = body.objects.find((o: any) => o.name === 'Lazarus Group');
    const one = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/${lazarus.id}/`);
    expect(one.body.objects).toEqual([lazarus]);
    const versions = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/${lazarus.id}/versions/`);
    expect(versions.body).toEqual({ more: false, versions: [lazarus.modified] });
    const exact = await taxii(
      `/taxii2/api/collections/${EVERYTHING}/objects/${lazarus.id}/?match[version]=${lazarus.modified}`,
    );
    expect(exact.body.objects).toHaveLength(1);
    const other = await taxii(
      `/taxii2/api/collections/${EVERYTHING}/objects/${lazarus.id}/?match[version]=2001-01-01T00:00:00.000Z`,
    );
    expect(other.body).toEqual({});
    const missing = await taxii(
      `/taxii2/api/collections/${EVERYTHING}/objects/intrusion-set--00000000-0000-4000-8000-000000000000/`,
    );
    expect(missing.status).toBe(404);
  });

  it('the manifest lists ids, dates added, versions and media types', async () => {
    const { body } = await taxii(`/taxii2/api/collections/${CURATED}/manifest/?match[type]=campaign`);
    expect(body.objects).toHaveLength(2);
    for (const m of body.objects) expect(Object.keys(m).sort()).toEqual(['date_added', 'id', 'media_type', 'version']);
  });

  it('pages with limit and next, and added_after', async () => {
    const all = (await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=1000`)).body.objects.map(
      (o: any) => o.id,
    );
    const seen: string[] = [];
    let next: string | undefined;
    for (let i = 0; i < 100; i++) {
      const { body, headers } = await taxii(
        `/taxii2/api/collections/${EVERYTHING}/objects/?limit=7${next ? `&next=${next}` : ''}`,
      );
      seen.push(...body.objects.map((o: any) => o.id));
      expect(headers.get('x-taxii-date-added-first')).toBeTruthy();
      if (!body.more) break;
      next = body.next;
    }
    expect(seen).toEqual(all);
    const manifest = (await taxii(`/taxii2/api/collections/${EVERYTHING}/manifest/?limit=1000`)).body.objects;
    const cut = manifest[Math.floor(manifest.length / 2)].date_added;
    // (A seed's objects may all share one date added: then nothing is after it, and the answer is empty.)
    const after =
      (await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?added_after=${cut}&limit=1000`)).body.objects ?? [];
    expect(after.length).toBe(manifest.filter((m: any) => m.date_added > cut).length);
  });

  it('neither skips nor repeats objects while data is added during paging', async () => {
    const first = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=10`);
    const seen = first.body.objects.map((o: any) => o.id);
    // Data arrives between two pages.
    const dir = await mkdtemp(path.join(tmpdir(), 'taxii-'));
    const file = path.join(dir, 'more.yaml');
    await writeFile(
      file,
      stringify({
        sources: [{ key: 'taxii-src', title: 'Fictional test source', kind: 'REPORT' }],
        actors: [
          {
            key: 'taxii-new-actor',
            name: 'Test Late Actor',
            names: [{ value: 'Test Late Actor', sources: ['taxii-src'] }],
          },
        ],
      }),
    );
    await loadSeeds(server.app.prisma, [file]);
    let next = first.body.next;
    for (let i = 0; i < 100 && next; i++) {
      const { body } = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=10&next=${next}`);
      seen.push(...(body.objects ?? []).map((o: any) => o.id));
      next = body.more ? body.next : undefined;
    }
    expect(new Set(seen).size).toBe(seen.length); // no repeats
    const everything = (await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=1000`)).body.objects.map(
      (o: any) => o.id,
    );
    expect(seen.sort()).toEqual(everything.sort()); // no skips: the late actor came last
  });

  it('per-dataset collections hold their records and the relationships they start', async () => {
    const { body } = await taxii(`/taxii2/api/collections/${CURATED}/objects/?match[type]=intrusion-set`);
    expect(body.objects.map((o: any) => o.name)).toEqual(expect.arrayContaining(['APT38', 'Lazarus Group']));
    const relationships = await taxii(
      `/taxii2/api/collections/${CURATED}/objects/?match[type]=relationship&limit=1000`,
    );
    expect(relationships.body.objects.length).toBe(4 - 1 + 5 + 19); // attributions (one names no actor), usages, targetings
    const attack = await taxii(`/taxii2/api/collections/2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e03/objects/`);
    expect(attack.body).toEqual({}); // nothing from ATT&CK in this database
  });

  it('negotiates content: 406 for another Accept, 415 for another Content-Type, 403 for writes, error bodies', async () => {
    const wrong = await taxii('/taxii2/', { accept: 'application/json' });
    expect(wrong.status).toBe(406);
    expect(wrong.body).toMatchObject({ title: 'Not Acceptable', http_status: '406' });
    expect((await taxii('/taxii2/', { accept: 'application/taxii+json;version=2.0' })).status).toBe(406);
    expect((await taxii('/taxii2/', { accept: 'application/taxii+json' })).status).toBe(200);
    const post = (type: string) =>
      taxii(`/taxii2/api/collections/${EVERYTHING}/objects/`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{}',
      });
    expect((await post('application/json')).status).toBe(415);
    expect((await post(TAXII)).status).toBe(403);
    expect((await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/`, { method: 'DELETE' })).status).toBe(405);
    const unknown = await taxii('/taxii2/api/collections/00000000-0000-4000-8000-000000000000/');
    expect(unknown.status).toBe(404);
    expect(unknown.body.http_status).toBe('404');
    expect((await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=0`)).status).toBe(400);
    expect((await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?next=garbage`)).status).toBe(400);
    expect((await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?added_after=yesterday`)).status).toBe(400);
  });

  it('added_after polls the increments the change log dates: a name added dates its intrusion-set, a claim its relationship', async () => {
    const analyst = await server.key('ANALYST', 'RED');
    const actor = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
    // The time this poll starts from: every object so far was added before it.
    const everything = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?limit=1000`);
    const last = everything.headers.get('x-taxii-date-added-last')!;
    await new Promise((r) => setTimeout(r, 20));
    expect((await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?added_after=${last}`)).body).toEqual({});
    const m = async (mutation: string, input: object) => {
      const r = await server.raw<any>(mutation, { i: input }, analyst);
      expect(r.errors).toBeUndefined();
      return r.data;
    };
    // A name is a row of its own: the actor's row is unchanged, its STIX object (aliases) is not.
    await m('mutation($i: AddNameInput!) { addName(input: $i) { id } }', { owner: actor, value: 'Taxii Poll Alias' });
    const polled = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?added_after=${last}`);
    expect(polled.body.objects.map((o: any) => [o.type, o.name])).toEqual([['intrusion-set', 'Lazarus Group']]);
    expect(polled.body.objects[0].aliases).toContain('Taxii Poll Alias');
    const since = polled.headers.get('x-taxii-date-added-last')!;
    expect(Date.parse(since)).toBeGreaterThan(Date.parse(last));
    // A claim recorded: its relationship (and the new victim) come in the next increment, nothing older.
    const { createVictim } = await m('mutation($i: CreateVictimInput!) { createVictim(input: $i) { id } }', {
      name: 'Taxii Poll Exchange',
      kind: 'ORGANIZATION',
    });
    const { createSource } = await m('mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      title: 'Taxii poll report',
      kind: 'REPORT',
    });
    await m('mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }', {
      by: actor,
      victim: createVictim.id,
      sources: [{ source: createSource.id }],
    });
    const next = await taxii(`/taxii2/api/collections/${EVERYTHING}/objects/?added_after=${since}`);
    expect(next.body.objects.map((o: any) => o.type).sort()).toEqual(['identity', 'relationship']);
  });
});
