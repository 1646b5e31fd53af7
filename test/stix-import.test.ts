// STIX 2.1 import, rule by rule, with MITRE ATT&CK's own objects (the shipped v18.1 subset), merged
// with the curated seeds the way the default first start does it.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles } from '../src/config.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers and the write layer in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
let dir: string;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack' });
  dir = await mkdtemp(path.join(tmpdir(), 'stix-'));
});
afterAll(() => server?.stop());

const [attackFile] = datasetFiles['mitre-attack'];
type Bundle = { type: 'bundle'; id: string; objects: Record<string, any>[] };
const attack = async () => JSON.parse(await readFile(attackFile, 'utf8')) as Bundle;

async function snapshotCounts() {
  const p = server.prisma;
  return Promise.all([
    p.actor.count(),
    p.campaign.count(),
    p.tool.count(),
    p.name.count(),
    p.source.count(),
    p.citation.count(),
    p.attribution.count(),
    p.toolUsage.count(),
    p.externalId.count(),
  ]);
}

describe(`STIX 2.1 import of MITRE ATT&CK (${databaseLabel})`, () => {
  it('holds the ATT&CK groups, campaigns and software next to the curated seeds', async () => {
    const data = await server.query(
      `{ actors(includeRevoked: true) { totalCount } current: actors { totalCount } campaigns { totalCount } tools { totalCount } }`,
    );
    expect(data.actors.totalCount).toBe(187); // 187 intrusion sets; G0032 and G0082 matched the curated Lazarus Group and APT38
    expect(data.current.totalCount).toBe(187 - 15); // 6 revoked and 9 deprecated intrusion sets are kept, not listed
    expect(data.campaigns.totalCount).toBe(54); // 52 ATT&CK campaigns + CryptoCore + SnatchCrypto
  });

  it('Lazarus Group is one actor, with the curated names and ATT&CK’s, each citing its sources', async () => {
    const data = await server
      .query(`{ actor(name: "G0032") { name dataset externalIds { nodes { system value } }
      names { totalCount nodes { value citations { nodes { source { url } } } } } } }`)
      .catch(() => null);
    expect(data).toBeNull(); // an external id is not a name
    const res = await server.query(`{ actor(name: "Lazarus Group") { name dataset externalIds { nodes { system value } }
      names(first: 50) { totalCount nodes { value citations { nodes { source { key url } } } } } } }`);
    const actor = res.actor;
    expect(actor.dataset).toBe('curated');
    expect(actor.externalIds.nodes.map((x: any) => `${x.system}:${x.value}`).sort()).toEqual([
      'mitre-attack:G0032',
      'stix:intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a',
    ]);
    const names = Object.fromEntries(
      actor.names.nodes.map((n: any) => [n.value, n.citations.nodes.map((c: any) => c.source.url)]),
    );
    // ATT&CK cites "Diamond Sleet" to Microsoft's naming page: the same URL as the curated source, one source.
    expect(names['Diamond Sleet']).toContain(
      'https://learn.microsoft.com/en-us/microsoft-365/security/intelligence/microsoft-threat-actor-naming?view=o365-worldwide',
    );
    expect(names['Diamond Sleet']).toContain('https://attack.mitre.org/groups/G0032');
    expect(names['Guardians of Peace']).toContain('https://www.us-cert.gov/ncas/alerts/TA17-164A');
    const byUrl = await server.prisma.source.count({
      where: { url: 'https://www.us-cert.gov/ncas/alerts/TA17-164A' },
    });
    expect(byUrl).toBe(1);
  });

  it('keeps ATT&CK’s alias citations: "(Citation: X)" in the alias reference names the sources, read as citations', async () => {
    const data =
      await server.query(`{ campaign(name: "Operation North Star") { name externalIds { nodes { system value } }
      names { nodes { value citations { nodes { source { title url authors publishedOn publishedPrecision note publisher { name } } } } } } } }`);
    expect(data.campaign.name).toBe('Operation Dream Job');
    expect(data.campaign.externalIds.nodes).toContainEqual({ system: 'mitre-attack', value: 'C0022' });
    const northStar = data.campaign.names.nodes.find((n: any) => n.value === 'Operation North Star');
    const sources = northStar.citations.nodes.map((c: any) => c.source);
    // The reference "McAfee Lazarus Nov 2020": "Beek, C. (2020, November 5). Operation North Star: Behind
    // The Scenes. Retrieved December 20, 2021." → title, author and date; McAfee from the publishers table.
    const nov = sources.find((s: any) => s.note?.startsWith('Beek, C. (2020, November 5)'));
    expect(nov).toEqual({
      title: 'Operation North Star: Behind The Scenes',
      authors: ['Beek, C.'],
      publishedOn: '2020-11-05',
      publishedPrecision: 'DAY',
      url: 'https://www.mcafee.com/blogs/other-blogs/mcafee-labs/operation-north-star-behind-the-scenes/',
      note: 'Beek, C. (2020, November 5). Operation North Star: Behind The Scenes. Retrieved December 20, 2021.',
      publisher: { name: 'McAfee' },
    });
    expect(sources.filter((s: any) => s.publisher?.name === 'McAfee').length).toBeGreaterThanOrEqual(2);
  });

  it('matches software by STIX id: Mimikatz is one tool, used by the curated claims and ATT&CK’s', async () => {
    const data = await server.query(
      `{ tool(name: "mimikatz") { kind dataset externalIds { nodes { value } } usedBy(first: 100) { totalCount nodes { by { ... on Actor { name } ... on Campaign { name } } } } } }`,
    );
    expect(data.tool.dataset).toBe('curated');
    expect(data.tool.usedBy.totalCount).toBe(59 + 2); // 59 ATT&CK "uses" + CryptoCore and APT38 from the seeds
    const users = data.tool.usedBy.nodes.map((n: any) => n.by.name);
    expect(users).toEqual(expect.arrayContaining(['CryptoCore', 'APT38', 'APT1', 'Volt Typhoon']));
    expect(users.filter((u: string) => u === 'APT38')).toHaveLength(2); // the curated claim and ATT&CK's stand side by side
  });

  it('maps attributed-to to an attribution with its citation', async () => {
    const data = await server.query(
      `{ campaign(name: "HomeLand Justice") { attributions { nodes { status actor { name } assessedOn assessedPrecision recordedAt citations { nodes { source { url } } } } } } }`,
    );
    const [a] = data.campaign.attributions.nodes;
    // Assessed when Microsoft's report said so (2022, September 8); recorded when MITRE made the relationship.
    expect(a).toMatchObject({
      status: 'CURRENT',
      actor: { name: 'HEXANE' },
      assessedOn: '2022-09-08',
      assessedPrecision: 'DAY',
      recordedAt: expect.stringMatching(/^2024-08-07T/),
    });
    expect(a.citations.nodes[0].source.url).toBe(
      'https://www.microsoft.com/en-us/security/blog/2022/09/08/microsoft-investigates-iranian-attacks-against-the-albanian-government/',
    );
  });

  it('keeps revoked and deprecated objects as such, never as current', async () => {
    const revoked = await server.query(
      `{ actors(includeRevoked: true, first: 100, filter: {}) { nodes { name revoked deprecated revokedBy { name } } } }`,
    );
    const monsoon = (await server.prisma.actor.findFirst({ where: { name: 'MONSOON' } }))!;
    expect(monsoon).toMatchObject({ revoked: true, revokedBy: expect.stringMatching(/^intrusion-set--/) });
    const lookedUp = await server.query(
      `query($id: ID!) { node(id: $id) { ... on Actor { name revoked revokedBy { name } } } }`,
      {
        id: Buffer.from(`Actor:${monsoon.id}`).toString('base64'),
      },
    );
    expect(lookedUp.node).toEqual({ name: 'MONSOON', revoked: true, revokedBy: { name: 'Patchwork' } });
    const current = await server.query(`{ actors(first: 100, filter: {}) { totalCount } }`);
    expect(current.actors.totalCount).toBeLessThan(revoked.actors.nodes.length + 100);
    const listed = await server.query(
      `{ search(query: "Night Dragon", types: [ACTOR]) { edges { node { ... on Actor { name } } } } }`,
    );
    expect(listed.search.edges.map((e: any) => e.node.name)).not.toContain('Night Dragon'); // deprecated
    expect(
      await server.prisma.actor.findFirst({ where: { name: 'Night Dragon' }, select: { deprecated: true } }),
    ).toEqual({ deprecated: true });
    // A name a revoked record shares with its replacement resolves to the current record.
    const patchwork = await server.query(`{ actor(name: "MONSOON") { name } }`);
    expect(patchwork.actor.name).toBe('Patchwork');
  });

  it('importing the same bundle again changes nothing', async () => {
    const before = await snapshotCounts();
    const { counts } = await loadSeeds(server.prisma, [attackFile]);
    for (const [type, c] of Object.entries(counts)) expect(c, type).toMatchObject({ created: 0, updated: 0 });
    expect(await snapshotCounts()).toEqual(before);
  });

  it('a newer version of an object (STIX modified) updates it; an older one does not', async () => {
    const bundle = await attack();
    const hexane = bundle.objects.find((o) => o.type === 'intrusion-set' && o.name === 'HEXANE')!;
    const write = async (modified: string, description: string) => {
      // The dataset is recognised by its file name: the new version comes from the same dataset.
      const file = path.join(dir, `enterprise-attack-18.1-hexane-${modified.slice(0, 10)}.json`);
      await writeFile(
        file,
        JSON.stringify({
          ...bundle,
          objects: [bundle.objects.find((o) => o.type === 'identity'), { ...hexane, modified, description }],
        }),
      );
      return file;
    };
    await loadSeeds(server.prisma, [await write('2030-01-01T00:00:00.000Z', 'A newer description.')]);
    expect((await server.prisma.actor.findUniqueOrThrow({ where: { key: hexane.id } })).description).toBe(
      'A newer description.',
    );
    await loadSeeds(server.prisma, [await write('2020-01-01T00:00:00.000Z', 'An older description.')]);
    expect((await server.prisma.actor.findUniqueOrThrow({ where: { key: hexane.id } })).description).toBe(
      'A newer description.',
    );
  });

  it('refuses a bundle with one broken object whole, naming the object and the problem', async () => {
    const bundle = await attack();
    const broken = structuredClone(bundle);
    const victim = broken.objects.find((o) => o.type === 'malware')!;
    delete victim.name;
    const newGroup = {
      type: 'intrusion-set',
      spec_version: '2.1',
      id: 'intrusion-set--11111111-1111-4111-8111-111111111111',
      name: 'Would Be New',
      created: '2025-01-01T00:00:00Z',
      modified: '2025-01-01T00:00:00Z',
    };
    broken.objects.push(newGroup);
    const file = path.join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    const before = await snapshotCounts();
    await expect(loadSeeds(server.prisma, [file])).rejects.toThrow(`${victim.id}: name:`);
    expect(await snapshotCounts()).toEqual(before);
  });

  it('refuses a relationship to an object that is not in the bundle', async () => {
    const bundle = await attack();
    const file = path.join(dir, 'dangling.json');
    const rel = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--22222222-2222-4222-8222-222222222222',
      relationship_type: 'uses',
      source_ref: 'intrusion-set--33333333-3333-4333-8333-333333333333',
      target_ref: 'tool--afc079f3-c0ea-4096-b75d-3f05338b7f60',
      created: '2025-01-01T00:00:00Z',
      modified: '2025-01-01T00:00:00Z',
    };
    await writeFile(file, JSON.stringify({ ...bundle, objects: [...bundle.objects, rel] }));
    await expect(loadSeeds(server.prisma, [file])).rejects.toThrow(
      'relationship--22222222-2222-4222-8222-222222222222: source_ref names an object that is not in the bundle',
    );
  });

  it('maps TLP 2.0 markings, confidence, locations and identities', async () => {
    const file = path.join(dir, 'marked.json');
    const t = '2025-02-01T00:00:00.000Z';
    const objects = [
      {
        type: 'identity',
        spec_version: '2.1',
        id: 'identity--44444444-4444-4444-8444-444444444444',
        name: 'Test Vendor',
        identity_class: 'organization',
        created: t,
        modified: t,
      },
      {
        type: 'identity',
        spec_version: '2.1',
        id: 'identity--55555555-5555-4555-8555-555555555555',
        name: 'Test banks',
        identity_class: 'class',
        sectors: ['financial-services'],
        created: t,
        modified: t,
      },
      {
        type: 'location',
        spec_version: '2.1',
        id: 'location--66666666-6666-4666-8666-666666666666',
        name: 'Testland',
        country: 'tv',
        created: t,
        modified: t,
      },
      {
        type: 'intrusion-set',
        spec_version: '2.1',
        id: 'intrusion-set--77777777-7777-4777-8777-777777777777',
        name: 'Test Group Amber',
        aliases: ['Test Group Amber', 'TGA'],
        created: t,
        modified: t,
        created_by_ref: 'identity--44444444-4444-4444-8444-444444444444',
        external_references: [
          { source_name: 'test-vendor', url: 'https://example.org/tga', external_id: 'TV-1' },
          { source_name: 'Test Vendor: TGA', url: 'https://example.org/tga' },
        ],
      },
      {
        type: 'relationship',
        spec_version: '2.1',
        id: 'relationship--88888888-8888-4888-8888-888888888888',
        relationship_type: 'targets',
        source_ref: 'intrusion-set--77777777-7777-4777-8777-777777777777',
        target_ref: 'location--66666666-6666-4666-8666-666666666666',
        confidence: 70,
        created: t,
        modified: t,
        object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
        external_references: [{ source_name: 'Test Vendor: TGA in Testland', url: 'https://example.org/tga-testland' }],
      },
      {
        type: 'relationship',
        spec_version: '2.1',
        id: 'relationship--99999999-9999-4999-8999-999999999999',
        relationship_type: 'targets',
        source_ref: 'intrusion-set--77777777-7777-4777-8777-777777777777',
        target_ref: 'identity--55555555-5555-4555-8555-555555555555',
        created: t,
        modified: t,
      },
      {
        type: 'attack-pattern',
        spec_version: '2.1',
        id: 'attack-pattern--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
        name: 'Not for this API',
        created: t,
        modified: t,
      },
    ];
    await writeFile(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', objects }),
    );
    await loadSeeds(server.prisma, [file]);
    const amber = await server.key('READER', 'AMBER');
    const data = await server.query(
      `{ actor(name: "TGA") { name dataset targetings { nodes { confidence tlp citations { nodes { source { tlp } } } victim { name kind country sector } } } names { nodes { citations { nodes { source { tlp url publisher { name } } } } } } } }`,
      {},
      amber,
    );
    expect(data.actor.dataset).toBe('stix');
    expect(data.actor.targetings.nodes.map((n: any) => n.victim)).toEqual(
      expect.arrayContaining([
        { name: 'Testland', kind: 'COUNTRY', country: 'TV', sector: null },
        { name: 'Test banks', kind: 'SECTOR', country: null, sector: 'financial-services' },
      ]),
    );
    const testland = data.actor.targetings.nodes.find((n: any) => n.victim.name === 'Testland');
    expect(testland.confidence).toBe(70);
    // The marked relationship: its claim and the source its reference gives are AMBER; unmarked objects' are CLEAR.
    expect(testland.tlp).toBe('AMBER');
    expect(testland.citations.nodes.map((c: any) => c.source.tlp)).toEqual(['AMBER']);
    expect(data.actor.names.nodes[0].citations.nodes[0].source).toEqual({
      tlp: 'CLEAR',
      url: 'https://example.org/tga',
      publisher: { name: 'Test Vendor' },
    });
    const anonymous = await server.query('{ actor(name: "TGA") { targetings { nodes { victim { name } } } } }');
    expect(anonymous.actor.targetings.nodes.map((n: any) => n.victim.name)).toEqual(['Test banks']);
  });
});

describe(`STIX 2.1 association relationships (${databaseLabel})`, () => {
  it('maps overlaps / variant-of between two actors or two tools to associations, and exports them back', async () => {
    const dir2 = await mkdtemp(path.join(tmpdir(), 'assoc-'));
    const file = path.join(dir2, 'assoc.json');
    const t = '2025-03-01T00:00:00.000Z';
    const set = (n: number, name: string) => ({
      type: 'intrusion-set',
      spec_version: '2.1',
      id: `intrusion-set--${String(n).repeat(8)}-${String(n).repeat(4)}-4${String(n).repeat(3)}-8${String(n).repeat(3)}-${String(n).repeat(12)}`,
      name,
      created: t,
      modified: t,
    });
    const a = set(1, 'Overlap Group One'),
      b = set(2, 'Overlap Group Two');
    const m1 = {
      type: 'malware',
      spec_version: '2.1',
      id: 'malware--31313131-3131-4131-8131-313131313131',
      name: 'Test Loader',
      is_family: true,
      created: t,
      modified: t,
    };
    const m2 = {
      type: 'malware',
      spec_version: '2.1',
      id: 'malware--32323232-3232-4232-8232-323232323232',
      name: 'Test Loader B',
      is_family: true,
      created: t,
      modified: t,
    };
    const rel = (id: string, type: string, from: string, to: string) => ({
      type: 'relationship',
      spec_version: '2.1',
      id,
      relationship_type: type,
      source_ref: from,
      target_ref: to,
      confidence: 40,
      created: t,
      modified: t,
      external_references: [{ source_name: 'Overlap report', url: 'https://example.org/overlap' }],
    });
    const objects = [
      a,
      b,
      m1,
      m2,
      rel('relationship--41414141-4141-4141-8141-414141414141', 'overlaps', a.id, b.id),
      rel('relationship--42424242-4242-4242-8242-424242424242', 'variant-of', m2.id, m1.id),
      // An actor "variant of" a tool means nothing here: left out, like other unknown relationships.
      rel('relationship--43434343-4343-4343-8343-434343434343', 'variant-of', a.id, m1.id),
    ];
    await writeFile(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--44444444-4444-4444-8444-444444444444', objects }),
    );
    await loadSeeds(server.prisma, [file]);
    const data =
      await server.query(`{ actor(name: "Overlap Group Two") { associations { totalCount nodes { kind confidence from { ... on Actor { name } } to { ... on Actor { name } } citations { nodes { source { url } } } } } }
      tool(name: "Test Loader") { associations { nodes { kind symmetric from { ... on Tool { name } } to { ... on Tool { name } } } } } }`);
    expect(data.actor.associations).toEqual({
      totalCount: 1,
      nodes: [
        {
          kind: 'OVERLAPS',
          confidence: 40,
          from: { name: 'Overlap Group One' },
          to: { name: 'Overlap Group Two' },
          citations: { nodes: [{ source: { url: 'https://example.org/overlap' } }] },
        },
      ],
    });
    expect(data.tool.associations.nodes).toEqual([
      { kind: 'VARIANT_OF', symmetric: false, from: { name: 'Test Loader B' }, to: { name: 'Test Loader' } },
    ]);
    const exported = await server.query(`{ actor(name: "Overlap Group One") { stixBundle(depth: 1) } }`);
    const back = exported.actor.stixBundle.objects.find((o: any) => o.type === 'relationship');
    expect(back).toMatchObject({
      id: 'relationship--41414141-4141-4141-8141-414141414141',
      relationship_type: 'overlaps',
      source_ref: a.id,
      target_ref: b.id,
      confidence: 40,
    });
  });
});

describe(`STIX 2.1 reports (${databaseLabel})`, () => {
  it('imports a report as a source supporting the objects it lists', async () => {
    const dir2 = await mkdtemp(path.join(tmpdir(), 'report-'));
    const file = path.join(dir2, 'report.json');
    const t = '2025-03-01T00:00:00.000Z';
    const group = {
      type: 'intrusion-set',
      spec_version: '2.1',
      id: 'intrusion-set--cccccccc-cccc-4ccc-8ccc-cccccccccccc',
      name: 'Test Reported Group',
      created: t,
      modified: t,
    };
    const tool = {
      type: 'tool',
      spec_version: '2.1',
      id: 'tool--dddddddd-dddd-4ddd-8ddd-dddddddddddd',
      name: 'Test Reported Tool',
      created: t,
      modified: t,
    };
    const uses = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
      relationship_type: 'uses',
      source_ref: group.id,
      target_ref: tool.id,
      created: t,
      modified: t,
    };
    const report = {
      type: 'report',
      spec_version: '2.1',
      id: 'report--ffffffff-ffff-4fff-8fff-ffffffffffff',
      name: 'Test report on a group',
      published: '2025-02-28T00:00:00.000Z',
      object_refs: [group.id, tool.id, uses.id],
      created: t,
      modified: t,
      external_references: [{ source_name: 'Test vendor', url: 'https://example.org/test-report' }],
    };
    await writeFile(
      file,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--abababab-abab-4bab-8bab-abababababab',
        objects: [group, tool, uses, report],
      }),
    );
    await loadSeeds(server.prisma, [file]);
    const data =
      await server.query(`{ sources(filter: { publishedFrom: "2025-02-28", publishedTo: "2025-02-28" }) { nodes { title url kind
      citations { nodes { field supports { __typename ... on Actor { name } ... on Tool { name } ... on ToolUsage { tool { name } } } } } } } }`);
    const source = data.sources.nodes.find((s: any) => s.title === 'Test report on a group');
    expect(source).toMatchObject({ url: 'https://example.org/test-report', kind: 'REPORT' });
    expect(
      source.citations.nodes
        .map((c: any) => `${c.supports.__typename}:${c.supports.name ?? c.supports.tool.name}`)
        .sort(),
    ).toEqual(['Actor:Test Reported Group', 'Tool:Test Reported Tool', 'ToolUsage:Test Reported Tool']);
  });
});
