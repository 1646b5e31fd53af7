// STIX 2.1 export: valid against the OASIS JSON schemas, stable, and a round trip through an empty
// database gives the same objects. Over HTTP (GraphQL field and download).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { stixValidator } from './helpers/stix-validator.js';

let server: TestServer;
const validate = stixValidator();
beforeAll(async () => {
  server = await startTestServer({ SEED_DATASETS: 'curated,mitre-attack' });
});
afterAll(() => server?.stop());

const bundleOf = async (query: string) =>
  Object.values((await server.query(query)) as Record<string, { stixBundle: any }>)[0].stixBundle;

describe(`STIX 2.1 export (${databaseLabel})`, () => {
  it('exports a campaign with its neighbourhood, valid STIX 2.1', async () => {
    const bundle = await bundleOf(`{ campaign(name: "CryptoCore") { stixBundle(depth: 1) } }`);
    expect(validate(bundle)).toEqual([]);
    const types = bundle.objects.map((o: any) => o.type);
    expect(types).toEqual(
      expect.arrayContaining(['campaign', 'intrusion-set', 'malware', 'tool', 'location', 'identity', 'relationship']),
    );
    const campaign = bundle.objects.find((o: any) => o.type === 'campaign');
    expect(campaign.aliases).toEqual(['CageyChameleon', 'CryptoMimic', 'Dangerous Password', 'Leery Turtle']);
    const lazarus = bundle.objects.find((o: any) => o.name === 'Lazarus Group');
    // Its fields are the curated ones: it is not presented under ATT&CK's STIX id, which it names instead.
    expect(lazarus.id).not.toBe('intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a');
    expect(lazarus.external_references).toContainEqual({
      source_name: 'stix',
      external_id: 'intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a',
    });
    // An entity whose fields are ATT&CK's (Net, S0039) keeps ATT&CK's id.
    const net = (await server.query(`{ tool(externalId: "S0039") { dataset externalIds { nodes { system value } } } }`))
      .tool;
    expect(net.dataset).toBe('mitre-attack');
    const attackId = net.externalIds.nodes.find((x: any) => x.system === 'stix').value;
    const exported = await bundleOf(`{ tool(externalId: "S0039") { stixBundle } }`);
    expect(exported.objects.map((o: any) => o.id)).toContain(attackId);
    const attributed = bundle.objects.filter((o: any) => o.relationship_type === 'attributed-to');
    expect(attributed).toHaveLength(2); // the Eastern European lead names no actor: no STIX target
    expect(attributed.every((r: any) => r.source_ref === campaign.id && r.target_ref === lazarus.id)).toBe(true);
    const alias = campaign.external_references.find((r: any) => r.source_name === 'CryptoMimic');
    expect(alias.description).toContain('(Citation: Unveiling the CryptoMimic)');
  });

  it('depth 2 reaches further, and every export is valid', async () => {
    const one = await bundleOf(`{ actor(name: "Lazarus Group") { stixBundle(depth: 1) } }`);
    const two = await bundleOf(`{ actor(name: "Lazarus Group") { stixBundle(depth: 2) } }`);
    expect(two.objects.length).toBeGreaterThan(one.objects.length);
    expect(validate(one)).toEqual([]);
    expect(validate(two)).toEqual([]);
    const tool = await bundleOf(`{ tool(name: "Mimikatz") { stixBundle } }`);
    expect(validate(tool)).toEqual([]);
    expect(tool.objects.find((o: any) => o.type === 'tool').external_references).toContainEqual({
      source_name: 'mitre-attack',
      external_id: 'S0002',
      url: 'https://attack.mitre.org/software/S0002',
    });
  });

  it('exports a source as a report of what it supports', async () => {
    const data = await server.query(
      `{ sources(filter: { publishedFrom: "2021-05-24", publishedTo: "2021-05-24" }) { nodes { key stixBundle } } }`,
    );
    const bundle = data.sources.nodes.find((s: any) => s.key === 'clearsky-2021-cryptocore-lazarus').stixBundle;
    expect(validate(bundle)).toEqual([]);
    const report = bundle.objects.find((o: any) => o.type === 'report');
    expect(report.name).toBe('Attributing CryptoCore Attacks Against Crypto Exchanges to LAZARUS (North Korea)');
    expect(report.published).toBe('2021-05-24T00:00:00.000Z');
    expect(report.object_refs).toEqual(
      expect.arrayContaining([bundle.objects.find((o: any) => o.type === 'campaign').id]),
    );
  });

  it('is stable: the same data exports to the same bundle', async () => {
    const q = `{ actor(name: "Lazarus Group") { stixBundle(depth: 2) } }`;
    expect(await bundleOf(q)).toEqual(await bundleOf(q));
  });

  it('downloads the whole database over HTTP, valid, and one record by ID', async () => {
    const res = await fetch(`${server.url}/stix/bundle.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    const all = await res.json();
    expect(all.objects.length).toBeGreaterThan(2000);
    expect(validate(all)).toEqual([]);
    const id = (await server.query(`{ campaign(name: "CryptoCore") { id } }`)).campaign.id;
    const one = await (await fetch(`${server.url}/stix/${id}?depth=1`)).json();
    expect(one).toEqual(await bundleOf(`{ campaign(name: "CryptoCore") { stixBundle(depth: 1) } }`));
    const bad = await fetch(`${server.url}/stix/${id}?depth=3`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('BAD_USER_INPUT');
    expect((await fetch(`${server.url}/stix/not-an-id`)).status).toBe(400);
  });

  it('serves ATT&CK Navigator layers over HTTP: 200 with a layer, 404 unknown, 400 not an ID, 405 not GET', async () => {
    const id = (await server.query(`{ actor(name: "Lazarus Group") { id } }`)).actor.id;
    const res = await fetch(`${server.url}/navigator/${encodeURIComponent(id)}.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('-layer.json');
    const layer = await res.json();
    expect(layer).toMatchObject({
      domain: 'enterprise-attack',
      versions: { layer: '4.5' },
      name: 'Lazarus Group (actor)',
    });
    const unknown = Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64');
    const missing = await fetch(`${server.url}/navigator/${encodeURIComponent(unknown)}.json`);
    expect([missing.status, (await missing.json()).error.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await fetch(`${server.url}/navigator/not-an-id.json`);
    expect([bad.status, (await bad.json()).error.code]).toEqual([400, 'INVALID_ID']);
    const post = await fetch(`${server.url}/navigator/${encodeURIComponent(id)}.json`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('round trip: export → import into an empty database → export gives the same objects', async () => {
    const first = await bundleOf(`{ campaign(name: "CryptoCore") { stixBundle(depth: 2) } }`);
    const dir = await mkdtemp(path.join(tmpdir(), 'roundtrip-'));
    const file = path.join(dir, 'cryptocore.json');
    await writeFile(file, JSON.stringify(first));
    const empty = await startTestServer({ SEED_ON_START: 'false' });
    try {
      const { loadSeeds } = await import('../src/ingest/load-seeds.js');
      await loadSeeds(empty.app.prisma, [file]);
      const again = (await empty.query(`{ campaign(name: "CryptoCore") { stixBundle(depth: 2) } }`)).campaign
        .stixBundle;
      if (process.env.ROUNDTRIP_DUMP)
        await writeFile(process.env.ROUNDTRIP_DUMP, JSON.stringify({ first: first.objects, again: again.objects }));
      expect(again.objects).toEqual(first.objects);
    } finally {
      await empty.stop();
    }
  });

  it('?asOf= downloads what the database held at a moment; bad or too early moments are refused', async () => {
    const { campaign } = await server.query(`{ campaign(name: "CryptoCore") { id } }`);
    const before = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1`)).json();
    await new Promise((r) => setTimeout(r, 20));
    const moment = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const analyst = await server.key('ANALYST', 'CLEAR');
    const added = await server.raw<any>(
      'mutation($i: AddNameInput!) { addName(input: $i) { id } }',
      { i: { owner: campaign.id, value: 'As-of STIX alias' } },
      analyst,
    );
    expect(added.errors).toBeUndefined();
    const aliases = (bundle: any) => bundle.objects.find((o: any) => o.type === 'campaign').aliases;
    const now = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1`)).json();
    expect(aliases(now)).toContain('As-of STIX alias');
    const then = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1&asOf=${moment}`)).json();
    expect(then).toEqual(before);
    expect(validate(then)).toEqual([]);
    // The GraphQL field under asOf answers the same bundle.
    const field = await server.query(
      `query($asOf: DateTime) { campaign(name: "CryptoCore", asOf: $asOf) { stixBundle(depth: 1) } }`,
      { asOf: moment },
    );
    expect(field.campaign.stixBundle).toEqual(before);
    const whole = await (await fetch(`${server.url}/stix/bundle.json?asOf=${moment}`)).json();
    expect(whole.objects.some((o: any) => o.aliases?.includes('As-of STIX alias'))).toBe(false);
    expect(whole.objects.length).toBeGreaterThan(2000);
    for (const [asOf, message] of [
      ['yesterday', /ISO 8601/],
      ['2001-01-01T00:00:00Z', /earlier than the change log/],
    ] as const) {
      const res = await fetch(`${server.url}/stix/${campaign.id}?asOf=${asOf}`);
      const body = await res.json();
      expect([res.status, body.error.code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(body.error.message).toMatch(message);
    }
  });

  it('?knownAt= downloads what the sources said by a day: CryptoCore not yet attributed to Lazarus on 2020-07-01', async () => {
    const { campaign } = await server.query(`{ campaign(name: "CryptoCore") { id } }`);
    const attributedTo = (bundle: any) =>
      bundle.objects
        .filter((o: any) => o.type === 'relationship' && o.relationship_type === 'attributed-to')
        .map((o: any) => bundle.objects.find((x: any) => x.id === o.target_ref)?.name);
    const july = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1&knownAt=2020-07-01`)).json();
    const december = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1&knownAt=2020-12-31`)).json();
    expect(validate(july)).toEqual([]);
    expect(attributedTo(july)).toEqual([]);
    expect(attributedTo(december)).toEqual(['Lazarus Group']);
    // Every reference a name or claim carries in the July bundle was published by then.
    const field = await server.query(
      `{ campaign(name: "CryptoCore", knownAt: "2020-07-01") { stixBundle(depth: 1) } }`,
    );
    expect(field.campaign.stixBundle).toEqual(july);
    const aliases = (bundle: any) => bundle.objects.find((o: any) => o.type === 'campaign').aliases ?? [];
    const today = await (await fetch(`${server.url}/stix/${campaign.id}?depth=1`)).json();
    expect(aliases(july).length).toBeLessThan(aliases(today).length);
    for (const alias of aliases(july)) expect(aliases(today)).toContain(alias);
    const bad = await fetch(`${server.url}/stix/${campaign.id}?knownAt=July`);
    expect([bad.status, (await bad.json()).error.code]).toEqual([400, 'BAD_USER_INPUT']);
  });
});
