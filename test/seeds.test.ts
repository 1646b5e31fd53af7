// The curated seeds and the write path: validated format, every fact sourced, idempotent loading,
// all-or-nothing on a bad file.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSeeds, readSeedFile } from '../src/ingest/load-seeds.js';
import { confidenceFromLabel, normalizeName } from '../src/write/rules.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers and the write layer in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
let dir: string;
beforeAll(async () => {
  server = await inProcess();
  dir = await mkdtemp(path.join(tmpdir(), 'seeds-'));
});
afterAll(() => server?.stop());

async function seedFile(name: string, doc: unknown) {
  const file = path.join(dir, name);
  await writeFile(file, typeof doc === 'string' ? doc : stringify(doc));
  return file;
}

/** Every row of every table, for before/after comparisons. */
async function snapshot() {
  const p = server.prisma;
  return JSON.stringify(
    await Promise.all([
      p.organization.findMany({ orderBy: { id: 'asc' } }),
      p.source.findMany({ orderBy: { id: 'asc' } }),
      p.actor.findMany({ orderBy: { id: 'asc' } }),
      p.campaign.findMany({ orderBy: { id: 'asc' } }),
      p.tool.findMany({ orderBy: { id: 'asc' } }),
      p.victim.findMany({ orderBy: { id: 'asc' } }),
      p.name.findMany({ orderBy: { id: 'asc' } }),
      p.externalId.findMany({ orderBy: { id: 'asc' } }),
      p.attribution.findMany({ orderBy: { id: 'asc' } }),
      p.toolUsage.findMany({ orderBy: { id: 'asc' } }),
      p.targeting.findMany({ orderBy: { id: 'asc' } }),
      p.citation.findMany({ orderBy: { id: 'asc' } }),
    ]),
  );
}

describe('name normalisation and confidence labels', () => {
  it('folds case, spaces, punctuation and accents', () => {
    expect(
      new Set(
        ['Dangerous Password', 'dangerouspassword', 'DANGEROUS-PASSWORD', ' Dangerous_Password! '].map(normalizeName),
      ),
    ).toEqual(new Set(['dangerouspassword']));
    expect(normalizeName('Ｚｉｎｃ')).toBe('zinc');
    expect(normalizeName('Sécurité')).toBe('securite');
    expect(normalizeName('--')).toBe('');
  });
  it('maps estimative labels onto the STIX scale', () => {
    expect([
      confidenceFromLabel('low'),
      confidenceFromLabel('Medium'),
      confidenceFromLabel('MEDIUM-HIGH'),
      confidenceFromLabel('high'),
      confidenceFromLabel(undefined),
    ]).toEqual([15, 50, 68, 85, null]);
  });
});

describe(`seeds and the write path (${databaseLabel})`, () => {
  it('the curated seed file is valid and every name and claim cites a source', async () => {
    const doc = await readSeedFile(path.resolve('seeds/cryptocore.yaml'));
    expect(doc.campaigns.map((c) => c.key)).toContain('cryptocore');
    const p = server.prisma;
    expect(await p.name.count({ where: { citations: { none: {} } } })).toBe(0);
    expect(await p.attribution.count({ where: { citations: { none: {} } } })).toBe(0);
    expect(await p.toolUsage.count({ where: { citations: { none: {} } } })).toBe(0);
    expect(await p.targeting.count({ where: { citations: { none: {} } } })).toBe(0);
    expect(await p.name.count()).toBeGreaterThan(20);
  });

  it('keeps what the facts mark unverified out', async () => {
    const res = await server.query(
      `{ resolveName(name: "CookieTime") { names { value } } search(query: "JScript RAT") { edges { node { ... on Tool { name } } } } }`,
    );
    expect(res.resolveName).toEqual([]);
    const p = server.prisma;
    expect(await p.source.count({ where: { url: { contains: 'cyberstruggle' } } })).toBe(0);
    expect(await p.name.findFirst({ where: { normalized: 'leeryturtle' }, select: { coinedById: true } })).toEqual({
      coinedById: null,
    });
  });

  it('loading the seeds again changes nothing, timestamps included', async () => {
    const before = await snapshot();
    const { counts } = await loadSeeds(server.prisma);
    for (const c of Object.values(counts)) expect(c).toMatchObject({ created: 0, updated: 0 });
    expect(await snapshot()).toBe(before);
  });

  it('a newer version of a record updates it in place', async () => {
    const file = await seedFile('update.yaml', {
      organizations: [{ key: 'test-org', name: 'Test Org' }],
    });
    await loadSeeds(server.prisma, [file]);
    const first = await server.prisma.organization.findUniqueOrThrow({ where: { key: 'test-org' } });
    const file2 = await seedFile('update2.yaml', { organizations: [{ key: 'test-org', name: 'Test Org (renamed)' }] });
    const { counts } = await loadSeeds(server.prisma, [file2]);
    expect(counts.Organization).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const second = await server.prisma.organization.findUniqueOrThrow({ where: { key: 'test-org' } });
    expect(second.id).toBe(first.id);
    expect(second.name).toBe('Test Org (renamed)');
  });

  it('a file with one bad reference is refused whole, naming the record, and nothing is written', async () => {
    const before = await snapshot();
    const file = await seedFile('broken-ref.yaml', {
      organizations: [{ key: 'fresh-org', name: 'Fresh' }],
      sources: [{ key: 'fresh-source', title: 'Fresh report', kind: 'REPORT', publisher: 'fresh-org' }],
      actors: [
        { key: 'fresh-actor', name: 'Fresh Actor', names: [{ value: 'Fresh Actor', sources: ['fresh-source'] }] },
      ],
      attributions: [
        { key: 'fresh-attr', subjectActor: 'fresh-actor', actor: 'no-such-actor', sources: ['fresh-source'] },
      ],
    });
    await expect(loadSeeds(server.prisma, [file])).rejects.toThrow(
      'attributions[fresh-attr].actor: there is no actor with key "no-such-actor"',
    );
    expect(await snapshot()).toBe(before);
  });

  it('a file that breaks the format is refused with every problem and its path', async () => {
    const file = await seedFile('bad-format.yaml', {
      sources: [{ key: 'Bad Key', title: '', kind: 'BOOK', url: 'ftp://x' }],
      actors: [{ key: 'a1', name: 'A', originCountry: 'North Korea', names: [] }],
      attributions: [{ key: 'x1', sources: [] }],
    });
    const error = await loadSeeds(server.prisma, [file]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    for (const fragment of [
      'sources[0].key',
      'sources[0].kind',
      'sources[0].url',
      'actors[0].originCountry',
      'actors[0].names: every entity has at least one name',
      'attributions[0].sources: every claim cites at least one source',
      'expected exactly one of campaign, subjectActor, tool',
    ]) {
      expect(message).toContain(fragment);
    }
  });

  it('refuses invalid YAML with the file name', async () => {
    const file = await seedFile('not-yaml.yaml', 'actors: [unclosed');
    await expect(loadSeeds(server.prisma, [file])).rejects.toThrow(/not-yaml\.yaml could not be read as YAML/);
  });

  it('a record of another dataset with the same hard identifier is the same entity: it adds names, fills gaps, overwrites nothing', async () => {
    const lazarus = await server.prisma.actor.findUniqueOrThrow({ where: { key: 'lazarus-group' } });
    const file = await seedFile('other-dataset.yaml', {
      dataset: 'test-dataset',
      sources: [{ key: 'other-src', title: 'Another dataset', kind: 'DATASET' }],
      actors: [
        {
          key: 'other-lazarus',
          name: 'Lazarus (other spelling)',
          description: 'Another description',
          sponsor: 'Someone else',
          lastSeen: '2024-01-01',
          externalIds: [
            { system: 'mitre-attack', value: 'G0032' },
            { system: 'test', value: 'other-1' },
            { system: 'mitre-attack', value: 'G0082' },
          ],
          names: [
            { value: 'Lazarus (other spelling)', sources: ['other-src'] },
            { value: 'hidden cobra', coinedBy: 'clearsky', sources: ['other-src'] },
          ],
        },
      ],
    });
    const { counts, warnings } = await loadSeeds(server.prisma, [file]);
    expect(counts.Actor).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(warnings).toEqual([
      'actors[other-lazarus]: external id mitre-attack:G0082 already belongs to another record; left there',
    ]);
    const after = await server.prisma.actor.findUniqueOrThrow({
      where: { key: 'lazarus-group' },
      include: { names: true, externalIds: true },
    });
    expect(after).toMatchObject({
      id: lazarus.id,
      name: 'Lazarus Group',
      description: lazarus.description,
      sponsor: lazarus.sponsor,
      dataset: 'curated',
    });
    expect(after.lastSeen?.toISOString().slice(0, 10)).toBe('2024-01-01'); // was empty: filled
    expect(after.names.map((n) => n.value)).toContain('Lazarus (other spelling)');
    const cobra = after.names.find((n) => n.normalized === 'hiddencobra')!;
    expect(cobra.value).toBe('HIDDEN COBRA'); // the first spelling and coiner stay
    expect(after.externalIds.map((x) => `${x.system}:${x.value}`).sort()).toEqual([
      'mitre-attack:G0032',
      'stix:intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a',
      'test:other-1',
    ]);
    // The other dataset's name cites its source.
    const data = await server.query(
      `{ resolveName(name: "Lazarus (other spelling)") { entity { ... on Actor { name } } names { citations { nodes { source { key } } } } } }`,
    );
    expect(data.resolveName).toEqual([
      { entity: { name: 'Lazarus Group' }, names: [{ citations: { nodes: [{ source: { key: 'other-src' } }] } }] },
    ]);
  });

  it('an attribution to an actor that is itself a subgroup is traversable both ways', async () => {
    const file = await seedFile('subgroup.yaml', {
      sources: [{ key: 'sub-src', title: 'Fictional test report', kind: 'REPORT' }],
      actors: [
        { key: 'test-parent', name: 'Test Parent', names: [{ value: 'Test Parent', sources: ['sub-src'] }] },
        { key: 'test-child', name: 'Test Child', names: [{ value: 'Test Child', sources: ['sub-src'] }] },
      ],
      attributions: [
        {
          key: 'child-of-parent',
          subjectActor: 'test-child',
          actor: 'test-parent',
          confidenceLabel: 'low',
          sources: ['sub-src'],
        },
      ],
    });
    await loadSeeds(server.prisma, [file]);
    const data = await server.query(`{
      child: actor(name: "test child") { attributions { nodes { confidence actor { name } subject { ... on Actor { name } } } } }
      parent: actor(name: "test parent") { attributedActivity { nodes { subjectActor { name } } } }
    }`);
    expect(data.child.attributions.nodes).toEqual([
      { confidence: 15, actor: { name: 'Test Parent' }, subject: { name: 'Test Child' } },
    ]);
    expect(data.parent.attributedActivity.nodes).toEqual([{ subjectActor: { name: 'Test Child' } }]);
  });
});
