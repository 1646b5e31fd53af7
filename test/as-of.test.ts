// "What the database held at a moment" (asOf): a request asked with `asOf` answers exactly what the same
// request answered at that moment, whatever was written since (names added, descriptions changed,
// claims recorded, records deleted), for every field below the root, Prisma's and our own SQL alike
// (names, claims, citations, derived lists, search, paths). Clearance holds on both axes: a record hidden
// from the caller now or then is absent. A moment before the change log starts is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';

let server: InProcess;
let green: string;
let red: string;
beforeAll(async () => {
  server = await inProcess();
  green = await server.key('ANALYST', 'GREEN');
  red = await server.key('ANALYST', 'RED');
}, 180_000);
afterAll(() => server?.stop());

// A wide read: a campaign's own columns, names, claims with their sources and statuses, derived lists,
// a search and a path, all under one `asOf`.
const served = `query($asOf: DateTime, $from: ID!, $to: ID!) {
  campaign(name: "CryptoCore", asOf: $asOf) {
    name description version
    names(first: 100) { totalCount nodes { value tlp citations { nodes { source { title } } } } }
    attributions { totalCount nodes { status attributedToDescription actor { name } citations { nodes { source { title } } } } }
    targetings(first: 100) { totalCount nodes { victim { name } } }
  }
  actor(name: "Lazarus Group", asOf: $asOf) { name campaigns(first: 100) { nodes { name } } tools(first: 5) { totalCount } victims(first: 5) { totalCount } }
  search(query: "CryptoCore", first: 5, asOf: $asOf) { nodes { __typename ... on Campaign { name } ... on Actor { name } } }
  paths(from: $from, to: $to, maxHops: 2, first: 20, asOf: $asOf) { totalCount nodes { steps { kind } } }
}`;

const pause = () => new Promise((r) => setTimeout(r, 20));

describe(`asOf (${databaseLabel})`, () => {
  it('answers what the database served at a moment, whatever was written since', async () => {
    const ends = await server.query(
      '{ campaign(name: "CryptoCore") { id version } actor(name: "Lazarus Group") { id } }',
    );
    const vars = { from: ends.campaign.id, to: ends.actor.id };
    const before = await server.raw<any>(served, vars, red);
    expect(before.errors).toBeUndefined();
    await pause();
    const moment = new Date().toISOString();
    await pause();

    const m = mutator(server, red);
    await m('addName', { owner: ends.campaign.id, value: 'As-of test alias' });
    const r = await server.raw<any>(
      `mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { id } }`,
      {
        i: { id: ends.campaign.id, expectedVersion: ends.campaign.version, description: 'Rewritten after the moment' },
      },
      red,
    );
    expect(r.errors).toBeUndefined();
    const source = await m('createSource', { title: 'As-of later report', kind: 'REPORT' });
    await m('recordAttribution', {
      subject: ends.campaign.id,
      attributedToDescription: 'A later assessment',
      sources: [{ source }],
    });

    const now = await server.raw<any>(served, vars, red);
    expect(now.data.campaign.description).toBe('Rewritten after the moment');
    expect(now.data.campaign.names.totalCount).toBe(before.data.campaign.names.totalCount + 1);
    expect(now.data.campaign.attributions.totalCount).toBe(before.data.campaign.attributions.totalCount + 1);

    const then = await server.raw<any>(served, { ...vars, asOf: moment }, red);
    expect(then.errors).toBeUndefined();
    expect(then.data).toEqual(before.data);
    // node and nodes take asOf as every root field does.
    const byId = await server.raw<any>(
      `query($id: ID!, $asOf: DateTime) { node(id: $id, asOf: $asOf) { ... on Campaign { description names { totalCount } } }
        nodes(ids: [$id], asOf: $asOf) { ... on Campaign { description } } }`,
      { id: ends.campaign.id, asOf: moment },
      red,
    );
    expect(byId.data.node).toEqual({
      description: before.data.campaign.description,
      names: { totalCount: before.data.campaign.names.totalCount },
    });
    expect(byId.data.nodes).toEqual([{ description: before.data.campaign.description }]);
    // A name added since does not find the record then.
    const byNewName = await server.raw<any>(
      'query($asOf: DateTime) { campaign(name: "As-of test alias", asOf: $asOf) { id } }',
      { asOf: moment },
      red,
    );
    expect(byNewName.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.query('{ campaign(name: "As-of test alias") { id } }', {}, red)).campaign.id).toBe(
      ends.campaign.id,
    );
  });

  it('a record created, then deleted: there between, absent before and after', async () => {
    const m = mutator(server, red);
    const t0 = new Date().toISOString();
    await pause();
    const actor = await m('createActor', { name: 'As-of short-lived actor' });
    await pause();
    const t1 = new Date().toISOString();
    await pause();
    const { actor: read } = await server.query('query($id: ID!) { actor(id: $id) { version } }', { id: actor }, red);
    const d = await server.raw<any>(
      'mutation($id: ID!, $v: Int!) { deleteActor(id: $id, expectedVersion: $v) { id } }',
      { id: actor, v: read.version },
      red,
    );
    expect(d.errors).toBeUndefined();
    const q = 'query($asOf: DateTime) { actor(name: "As-of short-lived actor", asOf: $asOf) { name } }';
    expect((await server.raw<any>(q, { asOf: t0 }, red)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.raw<any>(q, { asOf: t1 }, red)).data.actor).toEqual({ name: 'As-of short-lived actor' });
    expect((await server.raw<any>(q, {}, red)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('clearance: a record marked RED since, or RED then, is absent for GREEN; RED sees it as it stood', async () => {
    const m = mutator(server, red);
    const redThen = await m('createActor', { name: 'As-of red then', tlp: 'RED' });
    const redNow = await m('createActor', { name: 'As-of red now' });
    await pause();
    const moment = new Date().toISOString();
    await pause();
    for (const [id, tlp] of [
      [redThen, 'CLEAR'],
      [redNow, 'RED'],
    ]) {
      const { actor } = await server.query('query($id: ID!) { actor(id: $id) { version } }', { id }, red);
      const r = await server.raw<any>(
        'mutation($i: UpdateActorInput!) { updateActor(input: $i) { id } }',
        { i: { id, expectedVersion: actor.version, tlp } },
        red,
      );
      expect(r.errors).toBeUndefined();
    }
    const q = `query($asOf: DateTime) { search(query: "As-of red", types: [ACTOR], first: 10, asOf: $asOf) {
      totalCount nodes { ... on Actor { name tlp } } } }`;
    const forGreen = await server.raw<any>(q, { asOf: moment }, green);
    expect(forGreen.errors).toBeUndefined();
    expect(forGreen.data.search).toEqual({ totalCount: 0, nodes: [] });
    const forRed = await server.raw<any>(q, { asOf: moment }, red);
    expect(forRed.data.search.nodes.map((a: any) => `${a.name} ${a.tlp}`).sort()).toEqual([
      'As-of red now CLEAR',
      'As-of red then RED',
    ]);
    // At a moment after the markings changed, GREEN sees the one made CLEAR with its name: a name's
    // visibility follows its record's marking (a trigger, not a logged change) in snapshots too.
    await pause();
    const later = new Date().toISOString();
    const afterwards = await server.raw<any>(
      `query($asOf: DateTime) { actor(name: "As-of red then", asOf: $asOf) { name tlp names { totalCount nodes { value } } } }`,
      { asOf: later },
      green,
    );
    expect(afterwards.errors).toBeUndefined();
    expect(afterwards.data.actor).toEqual({
      name: 'As-of red then',
      tlp: 'CLEAR',
      names: { totalCount: 1, nodes: [{ value: 'As-of red then' }] },
    });
    // Today GREEN sees the one made CLEAR since.
    expect((await server.raw<any>(q, {}, green)).data.search.nodes.map((a: any) => a.name)).toEqual(['As-of red then']);
  });

  it('a claim whose only source was marked RED since is absent for GREEN at an earlier moment (its visibility now), and RED sees it with the source', async () => {
    const m = mutator(server, red);
    const { campaign } = await server.query('{ campaign(name: "CryptoCore") { id } }');
    const source = await m('createSource', { title: 'As-of source marked later', kind: 'REPORT' });
    await m('recordAttribution', {
      subject: campaign.id,
      attributedToDescription: 'As-of sourced claim',
      sources: [{ source }],
    });
    await pause();
    const moment = new Date().toISOString();
    await pause();
    const { node } = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Source { version } } }',
      { id: source },
      red,
    );
    const r = await server.raw<any>(
      'mutation($i: UpdateSourceInput!) { updateSource(input: $i) { id } }',
      { i: { id: source, expectedVersion: node.version, tlp: 'RED' } },
      red,
    );
    expect(r.errors).toBeUndefined();
    const q = `query($asOf: DateTime) { campaign(name: "CryptoCore", asOf: $asOf) {
      attributions { nodes { attributedToDescription citations { nodes { source { title } } } } } } }`;
    const claims = async (key: string) =>
      (await server.query(q, { asOf: moment }, key)).campaign.attributions.nodes.filter(
        (a: any) => a.attributedToDescription === 'As-of sourced claim',
      );
    expect(await claims(green)).toEqual([]);
    expect(await claims(red)).toEqual([
      {
        attributedToDescription: 'As-of sourced claim',
        citations: { nodes: [{ source: { title: 'As-of source marked later' } }] },
      },
    ]);
  });

  it('a snapshot dropped since (by another process keeping only the most recent) is built again', async () => {
    const q = 'query($asOf: DateTime) { campaign(name: "CryptoCore", asOf: $asOf) { names { totalCount } } }';
    const moment = new Date().toISOString();
    const first = await server.query(q, { asOf: moment }, red);
    const schemas = await server.prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'asof\\_%'`,
    );
    expect(schemas.length).toBeGreaterThan(0);
    for (const { name } of schemas) await server.prisma.$executeRawUnsafe(`DROP SCHEMA "${name}" CASCADE`);
    expect(await server.query(q, { asOf: moment }, red)).toEqual(first);
  });

  it('a moment before the change log, or two moments in one request, is refused with BAD_USER_INPUT', async () => {
    const early = await server.raw<any>('{ actor(name: "Lazarus Group", asOf: "2001-01-01T00:00:00Z") { name } }');
    expect(early.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(early.errors?.[0]?.message).toMatch(/earlier than the change log, which starts at/);
    expect(early.errors?.[0]?.extensions?.since).toMatch(/^\d{4}-/);
    const two = await server.raw<any>(
      `{ a: actor(name: "Lazarus Group", asOf: "2030-01-01T00:00:00Z") { name } b: actor(name: "APT38") { name } }`,
    );
    expect(two.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(two.errors?.[0]?.message).toMatch(/same knownAt and asOf/);
  });
});
