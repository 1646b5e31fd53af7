// Mutations through the write path: each one transaction with its audit entries, optimistic
// concurrency (a stale version is refused, concurrent updates: exactly one wins), validated inputs
// whose errors name the field, and nothing half-written when any part is refused. Resolvers and the
// write layer run in this process (in-process.ts); what HTTP adds (status codes, masking, fuzzed
// requests) is tested in bad-input.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { writtenRowCounts } from './helpers/row-counts.js';

let server: InProcess;
let analyst: string;
let admin: string;
let sourceId: string;

beforeAll(async () => {
  server = await inProcess();
  analyst = await server.key('ANALYST', 'RED', 'Jane (CTI)');
  admin = await server.key('ADMIN', 'RED');
  sourceId = (
    await server.query(
      'mutation { createSource(input: { title: "Mutation test report", kind: REPORT, url: "https://example.org/m" }) { id } }',
      {},
      analyst,
    )
  ).createSource.id;
}, 120_000);
afterAll(() => server?.stop());

const as = (query: string, variables: Record<string, unknown> = {}) => server.raw<any>(query, variables, analyst);

describe(`entity mutations (${databaseLabel})`, () => {
  it('creates, updates and deletes an actor; each change is in the audit log with who, before and after', async () => {
    const created = await as(
      'mutation { createActor(input: { name: "Test Heron", originCountry: "KP", motivations: ["financial-gain"] }) { id key version names { nodes { value } } } }',
    );
    expect(created.errors).toBeUndefined();
    const actor = created.data.createActor;
    expect(actor).toMatchObject({ key: 'test-heron', version: 1, names: { nodes: [{ value: 'Test Heron' }] } });
    // It is found like any actor: by name, and in search.
    expect((await server.query('{ actor(name: "test heron") { id } }')).actor.id).toBe(actor.id);

    const updated = await as(
      'mutation($i: UpdateActorInput!) { updateActor(input: $i) { name description version names { totalCount } } }',
      { i: { id: actor.id, expectedVersion: 1, name: 'Test Heron Group', description: 'A test record.' } },
    );
    expect(updated.data.updateActor).toEqual({
      name: 'Test Heron Group',
      description: 'A test record.',
      version: 2,
      names: { totalCount: 2 },
    });
    expect(
      (await server.query('{ search(query: "heron group") { nodes { ... on Actor { name } } } }')).search.nodes,
    ).toContainEqual({ name: 'Test Heron Group' });

    const log = await server.query(
      'query($r: ID!) { auditLog(record: $r) { totalCount nodes { operation keyName role before after } } }',
      { r: actor.id },
      admin,
    );
    expect(log.auditLog.nodes.map((n: any) => n.operation)).toEqual(['updateActor', 'createActor']);
    const [update, create] = log.auditLog.nodes;
    expect(update).toMatchObject({
      keyName: 'Jane (CTI)',
      role: 'ANALYST',
      before: { name: 'Test Heron', version: 1 },
      after: { name: 'Test Heron Group', version: 2 },
    });
    expect(create.before).toBeNull();

    const stale = await as('mutation($id: ID!) { deleteActor(id: $id, expectedVersion: 1) { id } }', { id: actor.id });
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(stale.errors?.[0].extensions?.currentVersion).toBe(2);
    const deleted = await as('mutation($id: ID!) { deleteActor(id: $id, expectedVersion: 2) { id } }', {
      id: actor.id,
    });
    expect(deleted.data.deleteActor.id).toBe(actor.id);
    expect(
      (await server.raw('query($id: ID!) { node(id: $id) { id } }', { id: actor.id })).errors?.[0].extensions?.code,
    ).toBe('NOT_FOUND');
    const after = await server.query(
      'query($r: ID!) { auditLog(record: $r) { nodes { operation after } } }',
      { r: actor.id },
      admin,
    );
    expect(after.auditLog.nodes[0]).toEqual({ operation: 'deleteActor', after: null });
  });

  it('a source is one per document: a new one for a stored URL (in any form) is refused with the stored one', async () => {
    const curated = await server.query('{ sources(filter: { host: "clearskysec.com" }) { nodes { id url } } }');
    const cryptocore = curated.sources.nodes.find((s: any) => s.url.includes('cryptocore-group'));
    const again = await as(
      'mutation { createSource(input: { title: "Same report", kind: REPORT, url: "http://clearskysec.com/cryptocore-group?utm_source=x" }) { id } }',
    );
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'ALREADY_EXISTS', id: cryptocore.id });
    expect(again.errors?.[0].message).toContain(cryptocore.id);
    // A source hidden from the writer does not exist for them: theirs is made beside it.
    const red = await as(
      'mutation { createSource(input: { title: "Red copy", kind: REPORT, tlp: RED, url: "https://example.org/red-only/" }) { id } }',
    );
    expect(red.errors).toBeUndefined();
    const clearWriter = await server.key('ANALYST', 'CLEAR');
    const beside = await server.raw<any>(
      'mutation { createSource(input: { title: "Clear copy", kind: REPORT, url: "https://example.org/red-only" }) { id } }',
      {},
      clearWriter,
    );
    expect(beside.errors).toBeUndefined();
  });

  it('a source made by a mutation gets its publisher from the hosts table and the date its permalink states', async () => {
    const made = await as(
      `mutation { createSource(input: { title: "Operation In(ter)ception", kind: REPORT,
        url: "https://www.welivesecurity.com/2020/06/17/operation-interception-aerospace-military-firms-cyberspies-lazarus/" }) {
        publishedOn publishedPrecision publisher { name } } }`,
    );
    expect(made.data.createSource).toEqual({
      publishedOn: '2020-06-17',
      publishedPrecision: 'DAY',
      publisher: { name: 'ESET' },
    });
    const given = await as(
      `mutation { createSource(input: { title: "Given", kind: REPORT, publishedOn: "2021-01-02",
        url: "https://www.welivesecurity.com/2020/06/18/another/" }) { publishedOn } }`,
    );
    expect(given.data.createSource.publishedOn).toBe('2021-01-02');
  });

  it('refuses a key that exists already, naming it', async () => {
    await as('mutation { createTool(input: { name: "Test Pliers", kind: TOOL }) { id } }');
    const again = await as('mutation { createTool(input: { name: "Test Pliers", kind: TOOL }) { id } }');
    expect(again.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    expect(again.errors?.[0].message).toContain('test-pliers');
  });

  it('concurrent conflicting updates: exactly one wins, the others get CONFLICT, none is lost silently', async () => {
    const { id } = (await as('mutation { createVictim(input: { name: "Test Race Bank", kind: ORGANIZATION }) { id } }'))
      .data.createVictim;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        as('mutation($i: UpdateVictimInput!) { updateVictim(input: $i) { sector version } }', {
          i: { id, expectedVersion: 1, sector: `sector-${n}` },
        }),
      ),
    );
    const won = results.filter((r) => r.data?.updateVictim);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'CONFLICT')).toHaveLength(5);
    const now = await server.query('query($id: ID!) { node(id: $id) { ... on Victim { sector version } } }', { id });
    expect(now.node).toEqual(won[0].data.updateVictim);
    expect(now.node.version).toBe(2);
  });

  it('validates inputs: every error names its field, and nothing is written', async () => {
    const before = await writtenRowCounts(server.prisma);
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'mutation($i: CreateActorInput!) { createActor(input: $i) { id } }',
        { i: { name: 'X', originCountry: 'XX' } },
        'input.originCountry',
      ],
      ['mutation($i: CreateActorInput!) { createActor(input: $i) { id } }', { i: { name: '' } }, 'input.name'],
      [
        'mutation($i: CreateActorInput!) { createActor(input: $i) { id } }',
        { i: { name: 'X', firstSeen: '2020-05-01', lastSeen: '2019-01-01' } },
        'input.lastSeen',
      ],
      [
        'mutation($i: CreateActorInput!) { createActor(input: $i) { id } }',
        { i: { name: 'X', key: 'Not A Slug' } },
        'input.key',
      ],
      [
        'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
        { i: { title: 'X', kind: 'REPORT', url: 'javascript:alert(1)' } },
        'input.url',
      ],
      [
        'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
        { i: { title: 'X', kind: 'REPORT', language: 'english' } },
        'input.language',
      ],
      [
        'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
        { i: { by: 'x', victim: 'y', confidence: 101, sources: [] } },
        'input.confidence',
      ],
      [
        'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
        { i: { by: 'x', victim: 'y', sources: [] } },
        'input.sources',
      ],
    ];
    for (const [query, variables, field] of cases) {
      const res = await as(query, variables);
      expect(res.errors?.[0].extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message).toContain(field);
      expect(res.data ?? null).toBeNull();
    }
    expect(await writtenRowCounts(server.prisma)).toEqual(before);
  });

  it('is all-or-nothing: a claim citing one unknown source writes neither the claim nor any citation nor an audit entry', async () => {
    const lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
    const victim = (
      await as('mutation { createVictim(input: { name: "Test Atomic Bank", kind: ORGANIZATION }) { id } }')
    ).data.createVictim.id;
    const before = await writtenRowCounts(server.prisma);
    const unknown = Buffer.from('Source:00000000-0000-4000-8000-000000000000').toString('base64');
    const res = await as('mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }', {
      i: { by: lazarus, victim, sources: [{ source: sourceId }, { source: unknown }] },
    });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(res.errors?.[0].message).toContain('input.sources.1.source');
    expect(await writtenRowCounts(server.prisma)).toEqual(before);
    const ok = await as(
      'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id confidence confidenceLabel citations { totalCount } } }',
      {
        i: {
          by: lazarus,
          victim,
          confidenceLabel: 'high',
          sources: [{ source: sourceId, excerpt: 'they hit the bank' }],
        },
      },
    );
    expect(ok.data.recordTargeting).toMatchObject({
      confidence: 85,
      confidenceLabel: 'high',
      citations: { totalCount: 1 },
    });
  });

  it("a claim's citations list in the order they were given (time-ordered ids; random ids listed them at random)", async () => {
    const sources = [];
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const made = await as(
        `mutation { createSource(input: { title: "Order test ${n}", kind: REPORT, url: "https://example.org/order-${n}" }) { id } }`,
      );
      sources.push(made.data.createSource.id as string);
    }
    const given = [sources[3], sources[0], sources[5], sources[1], sources[4], sources[2]];
    const lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
    const tool = (await server.query('{ tools(first: 1) { nodes { id } } }')).tools.nodes[0].id;
    const recorded = await as(
      'mutation($i: RecordToolUsageInput!) { recordToolUsage(input: $i) { citations { nodes { source { id } excerpt } } } }',
      { i: { by: lazarus, tool, sources: given.map((source, i) => ({ source, excerpt: `excerpt ${i}` })) } },
    );
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordToolUsage.citations.nodes).toEqual(
      given.map((id, i) => ({ source: { id }, excerpt: `excerpt ${i}` })),
    );
  });

  it('supersedes an attribution: the earlier one is kept as SUPERSEDED and points to the later', async () => {
    const campaign = (await as('mutation { createCampaign(input: { name: "Test Shifting Campaign" }) { id } }')).data
      .createCampaign.id;
    const lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
    const first = (
      await as('mutation($i: RecordAttributionInput!) { recordAttribution(input: $i) { id version } }', {
        i: {
          subject: campaign,
          attributedToDescription: 'an Eastern European group',
          attributedToCountries: ['RU'],
          sources: [{ source: sourceId }],
        },
      })
    ).data.recordAttribution;
    const later = await as(
      'mutation($i: SupersedeAttributionInput!) { supersedeAttribution(input: $i) { id status actor { name } } }',
      {
        i: {
          id: first.id,
          expectedVersion: first.version,
          actor: lazarus,
          confidence: 80,
          assessedOn: '2021-05-01',
          sources: [{ source: sourceId }],
        },
      },
    );
    expect(later.data.supersedeAttribution).toMatchObject({ status: 'CURRENT', actor: { name: 'Lazarus Group' } });
    const history = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Campaign { attributions { nodes { status attributedToDescription supersededBy { id } } } } } }',
      { id: campaign },
    );
    expect(history.node.attributions.nodes).toContainEqual({
      status: 'SUPERSEDED',
      attributedToDescription: 'an Eastern European group',
      supersededBy: { id: later.data.supersedeAttribution.id },
    });
  });

  it('the audit log is append-only, even for SQL sent by hand', async () => {
    await expect(
      server.prisma.$executeRawUnsafe('UPDATE "AuditEntry" SET "keyName" = \'someone else\''),
    ).rejects.toThrow(/append-only/);
    await expect(server.prisma.$executeRawUnsafe('DELETE FROM "AuditEntry"')).rejects.toThrow(/append-only/);
    expect(await server.prisma.auditEntry.count({ where: { keyName: 'someone else' } })).toBe(0);
  });
});

describe(`merge and split (${databaseLabel})`, () => {
  it('merges two actors found to be one (recorded, nothing deleted) and splits them back exactly', async () => {
    const make = async (name: string, alias: string) => {
      const { id } = (await as('mutation($i: CreateActorInput!) { createActor(input: $i) { id } }', { i: { name } }))
        .data.createActor;
      await as('mutation($i: AddNameInput!) { addName(input: $i) { id } }', {
        i: { owner: id, value: alias, sources: [{ source: sourceId }] },
      });
      const victim = (
        await as('mutation($i: CreateVictimInput!) { createVictim(input: $i) { id } }', {
          i: { name: `${name} victim`, kind: 'ORGANIZATION' },
        })
      ).data.createVictim.id;
      await as('mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }', {
        i: { by: id, victim, sources: [{ source: sourceId }] },
      });
      return id;
    };
    const survivor = await make('Test Merge Survivor', 'Survivor Alias');
    const absorbed = await make('Test Merge Absorbed', 'Absorbed Alias');
    const profile = `query($id: ID!) { node(id: $id) { ... on Actor { version revoked revokedBy { id } names { totalCount nodes { value } } targetings { totalCount } } } }`;
    const before = {
      survivor: (await server.query(profile, { id: survivor })).node,
      absorbed: (await server.query(profile, { id: absorbed })).node,
    };

    const stale = await as('mutation($i: MergeRecordsInput!) { mergeRecords(input: $i) { id } }', {
      i: { survivor, survivorVersion: 99, absorbed, absorbedVersion: before.absorbed.version },
    });
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');

    const merged = await as(
      'mutation($i: MergeRecordsInput!) { mergeRecords(input: $i) { id movedRows note survivor { ... on Actor { name } } absorbed { ... on Actor { name } } } }',
      {
        i: {
          survivor,
          survivorVersion: before.survivor.version,
          absorbed,
          absorbedVersion: before.absorbed.version,
          note: 'Same infrastructure and tooling.',
        },
      },
    );
    const merge = merged.data.mergeRecords;
    expect(merge).toMatchObject({
      survivor: { name: 'Test Merge Survivor' },
      absorbed: { name: 'Test Merge Absorbed' },
      movedRows: { 'Name.actorId': 2, 'Targeting.actorId': 1 },
    });
    const after = {
      survivor: (await server.query(profile, { id: survivor })).node,
      absorbed: (await server.query(profile, { id: absorbed })).node,
    };
    expect(after.survivor.names.nodes.map((n: any) => n.value)).toEqual(
      expect.arrayContaining(['Absorbed Alias', 'Test Merge Absorbed', 'Survivor Alias']),
    );
    expect(after.survivor.targetings.totalCount).toBe(2);
    expect(after.absorbed).toMatchObject({
      revoked: true,
      revokedBy: { id: survivor },
      names: { totalCount: 0 },
      targetings: { totalCount: 0 },
    });
    // Its names now lead to the survivor; the absorbed record is no longer listed as current.
    expect((await server.query('{ actor(name: "Absorbed Alias") { id } }')).actor.id).toBe(survivor);
    expect((await server.query(`{ merges(record: "${absorbed}") { totalCount } }`)).merges.totalCount).toBe(1);

    const split = await as('mutation($m: ID!) { splitMerge(merge: $m) { splitAt splitBy } }', { m: merge.id });
    expect(split.data.splitMerge.splitBy).toBe('Jane (CTI)');
    const restored = {
      survivor: (await server.query(profile, { id: survivor })).node,
      absorbed: (await server.query(profile, { id: absorbed })).node,
    };
    for (const side of ['survivor', 'absorbed'] as const) {
      expect(restored[side].names).toEqual(before[side].names);
      expect(restored[side].targetings).toEqual(before[side].targetings);
      expect(restored[side].revoked).toBe(false);
    }
    expect((await server.query('{ actor(name: "Absorbed Alias") { id } }')).actor.id).toBe(absorbed);
    expect(
      (await as('mutation($m: ID!) { splitMerge(merge: $m) { id } }', { m: merge.id })).errors?.[0].extensions?.code,
    ).toBe('BAD_USER_INPUT');
    const log = await server.query(
      'query($r: ID!) { auditLog(record: $r) { nodes { operation } } }',
      { r: merge.id },
      admin,
    );
    expect(log.auditLog.nodes.map((n: any) => n.operation)).toEqual(['splitMerge', 'mergeRecords']);
  });
});

describe(`importDocument (${databaseLabel})`, () => {
  const bundle = (name: string) =>
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--0d6a6b44-0c4c-4e43-9b1e-3f6a4c1d2e01',
      objects: [
        {
          type: 'intrusion-set',
          spec_version: '2.1',
          id: 'intrusion-set--0d6a6b44-0c4c-4e43-9b1e-3f6a4c1d2e02',
          name,
          created: '2025-01-01T00:00:00Z',
          modified: '2025-01-01T00:00:00Z',
        },
      ],
    });

  it('imports a STIX bundle for an admin, all or nothing, audited', async () => {
    const q =
      'mutation($c: String!, $f: String!) { importDocument(content: $c, filename: $f) { format total counts warnings } }';
    const res = await server.raw<any>(q, { c: bundle('Imported Test Group'), f: 'test.json' }, admin);
    expect(res.data.importDocument).toMatchObject({ format: 'stix', total: 2 }); // the actor, and the source the bundle stands for
    expect((await server.query('{ actor(name: "Imported Test Group") { dataset } }')).actor.dataset).toBe('stix');
    const log = await server.query('{ auditLog(operation: "importDocument") { nodes { keyName after } } }', {}, admin);
    expect(log.auditLog.nodes[0].after).toMatchObject({ files: [{ file: 'test.json', format: 'stix' }] });

    const before = await writtenRowCounts(server.prisma);
    const broken = await server.raw<any>(
      q,
      { c: '{"type": "bundle", "objects": [{"type": "intrusion-set"}]}', f: 'broken.json' },
      admin,
    );
    expect(broken.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await writtenRowCounts(server.prisma)).toEqual(before);
    expect(
      (await server.raw(q, { c: bundle('Analyst Group'), f: 'a.json' }, analyst)).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
  });
});
