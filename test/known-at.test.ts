// "What the sources said by a date" (knownAt): CryptoCore's attribution history as it stood on
// 2020-07-01 (ClearSky's East European assessment only, CURRENT), on 2020-12-31 (F-Secure's Lazarus
// beside it, ClearSky's still CURRENT) and today (ClearSky 2020 SUPERSEDED); names and citations only
// from sources published by then; clearance holds as without a date; one date per request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';

let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
}, 180_000);
afterAll(() => server?.stop());

const history = `query($knownAt: Date) { campaign(name: "CryptoCore", knownAt: $knownAt) {
  attributions { totalCount nodes { status attributedToDescription actor { name } supersededBy { assessedOn }
    citations { nodes { source { title publishedOn } } } } } } }`;
const attributionsAt = async (knownAt?: string, key?: string) => {
  const r = await server.raw<any>(history, knownAt ? { knownAt } : {}, key);
  expect(r.errors).toBeUndefined();
  return r.data.campaign.attributions;
};
const who = (a: any) => `${a.actor?.name ?? a.attributedToDescription.slice(0, 40)}: ${a.status}`;

describe(`knownAt (${databaseLabel})`, () => {
  it('CryptoCore on 2020-07-01, 2020-12-31 and today: the attribution history as it stood', async () => {
    const july = await attributionsAt('2020-07-01');
    expect(july.nodes.map(who)).toEqual(['A threat actor linked to the East Europe: CURRENT']);
    expect(july.nodes[0].supersededBy).toBeNull();
    const december = await attributionsAt('2020-12-31');
    expect(december.nodes.map(who)).toEqual([
      'A threat actor linked to the East Europe: CURRENT',
      'Lazarus Group: CURRENT',
    ]);
    const today = await attributionsAt();
    expect(today.nodes.map(who)).toEqual([
      'A threat actor linked to the East Europe: SUPERSEDED',
      'Lazarus Group: CURRENT',
      'Lazarus Group: CURRENT',
    ]);
    expect(today.nodes[0].supersededBy).toEqual({ assessedOn: '2021-05-24' });
    // Citations as published by then: F-Secure's claim on 2020-08-26 cites only F-Secure's own report.
    const august = await attributionsAt('2020-08-26');
    const fsecure = august.nodes.find((a: any) => a.actor?.name === 'Lazarus Group');
    for (const c of fsecure.citations.nodes) expect(c.source.publishedOn <= '2020-08-26').toBe(true);
    const fsecureToday = today.nodes.find((a: any) => a.actor?.name === 'Lazarus Group');
    expect(fsecureToday.citations.nodes.length).toBeGreaterThan(fsecure.citations.nodes.length);
  });

  it('names and claims of a record are those with a source published by then, computed from what is stored', async () => {
    const q = `query($knownAt: Date) { campaign(name: "CryptoCore", knownAt: $knownAt) {
      names(first: 100) { nodes { value citations { nodes { source { publishedOn } } } } }
      targetings(first: 100) { totalCount nodes { id } } } }`;
    const today = (await server.query(q)).campaign;
    const knownBy = (date: string) => (n: any) =>
      n.citations.nodes.some((c: any) => c.source.publishedOn && c.source.publishedOn <= date);
    for (const date of ['2019-06-01', '2020-07-01', '2021-01-01']) {
      const then = (await server.query(q, { knownAt: date })).campaign;
      expect(then.names.nodes.map((n: any) => n.value)).toEqual(
        today.names.nodes.filter(knownBy(date)).map((n: any) => n.value),
      );
      expect(then.targetings.totalCount).toBeLessThanOrEqual(today.targetings.totalCount);
    }
    const early = (await server.query(q, { knownAt: '2019-06-01' })).campaign;
    expect(early.names.nodes.length).toBeLessThan(today.names.nodes.length);
    expect(early.targetings.totalCount).toBeLessThan(today.targetings.totalCount);
  });

  it('clearance holds as without a date: a RED claim published in time is there for RED only', async () => {
    const red = await server.key('ANALYST', 'RED');
    const green = await server.key('ANALYST', 'GREEN');
    const m = mutator(server, red);
    const { campaign } = await server.query('{ campaign(name: "CryptoCore") { id } }');
    const source = await m('createSource', {
      title: 'Known-at red report',
      kind: 'REPORT',
      tlp: 'RED',
      publishedOn: '2020-03-01',
    });
    await m('recordAttribution', {
      subject: campaign.id,
      attributedToDescription: 'A red-only assessment',
      sources: [{ source }],
    });
    const forGreen = await attributionsAt('2020-07-01', green);
    const forRed = await attributionsAt('2020-07-01', red);
    expect(forGreen.nodes.map(who)).toEqual(['A threat actor linked to the East Europe: CURRENT']);
    expect(forGreen.totalCount).toBe(1);
    expect(forRed.nodes.map(who).sort()).toEqual(
      ['A red-only assessment: CURRENT', 'A threat actor linked to the East Europe: CURRENT'].sort(),
    );
  });

  it("derived lists follow the dated claims: Lazarus Group's campaigns, victims and tools on two dates and today", async () => {
    const q = `query($knownAt: Date) { actor(name: "Lazarus Group", knownAt: $knownAt) {
      campaigns(first: 100) { nodes { name } } victims(first: 100) { totalCount edges { direct via { name } } }
      tools(first: 100) { totalCount } techniques(first: 1) { totalCount } } }`;
    const at = async (knownAt?: string) => (await server.query(q, knownAt ? { knownAt } : {})).actor;
    const [july, december, today] = [await at('2020-07-01'), await at('2020-12-31'), await at()];
    const campaigns = (a: any) => a.campaigns.nodes.map((c: any) => c.name);
    expect(campaigns(july)).not.toContain('CryptoCore');
    expect(campaigns(december)).toContain('CryptoCore');
    expect(campaigns(today)).toContain('CryptoCore');
    // CryptoCore's victims reach Lazarus only once F-Secure's attribution (2020-08-25) is published.
    const viaCryptoCore = (a: any) =>
      a.victims.edges.filter((e: any) => e.via.some((c: any) => c.name === 'CryptoCore')).length;
    expect(viaCryptoCore(july)).toBe(0);
    expect(viaCryptoCore(december)).toBeGreaterThan(0);
    expect(viaCryptoCore(today)).toBeGreaterThanOrEqual(viaCryptoCore(december));
    for (const field of ['victims', 'tools', 'techniques'] as const) {
      expect(july[field].totalCount).toBeLessThanOrEqual(december[field].totalCount);
      expect(december[field].totalCount).toBeLessThanOrEqual(today[field].totalCount);
    }
    expect(july.victims.totalCount).toBeLessThan(today.victims.totalCount);
  });

  it('node and nodes take knownAt: CryptoCore by id on 2020-07-01 has the one attribution', async () => {
    const { campaign } = await server.query('{ campaign(name: "CryptoCore") { id } }');
    const q = `query($id: ID!, $knownAt: Date) { node(id: $id, knownAt: $knownAt) { ... on Campaign { attributions { totalCount } } }
      nodes(ids: [$id], knownAt: $knownAt) { ... on Campaign { attributions { totalCount } } } }`;
    const july = await server.query(q, { id: campaign.id, knownAt: '2020-07-01' });
    expect(july.node.attributions.totalCount).toBe(1);
    expect(july.nodes).toEqual([july.node]);
    const today = await server.query(q, { id: campaign.id });
    expect(today.node.attributions.totalCount).toBeGreaterThan(1);
  });

  it("compareActors and activity take knownAt: APT38 and Lazarus Group's shared names and Lazarus' activity as published by then", async () => {
    const compare = `query($knownAt: Date) { compareActors(ids: [$a, $b], knownAt: $knownAt) {
      names { value shared names { citations { nodes { source { publishedOn } } } } } tools { shared } victims { shared } } }`;
    const ends = await server.query('{ a: actor(externalId: "G0082") { id } b: actor(externalId: "G0032") { id } }');
    const at = async (knownAt?: string) =>
      (
        await server.query(compare.replace('query($knownAt: Date)', 'query($a: ID!, $b: ID!, $knownAt: Date)'), {
          a: ends.a.id,
          b: ends.b.id,
          ...(knownAt ? { knownAt } : {}),
        })
      ).compareActors;
    const [early, today] = [await at('2016-01-01'), await at()];
    expect(early.names.length).toBeLessThan(today.names.length);
    for (const name of early.names)
      for (const claim of name.claims)
        expect(
          claim.citations.nodes.some((c: any) => c.source.publishedOn && c.source.publishedOn <= '2016-01-01'),
        ).toBe(true);
    expect(early.victims.length).toBeLessThanOrEqual(today.victims.length);
    // Activity: derived from what was published by then.
    const activity = `query($knownAt: Date) { actor(name: "Lazarus Group", knownAt: $knownAt) { activity { firstObserved lastObserved } } }`;
    const then = (await server.query(activity, { knownAt: '2016-01-01' })).actor.activity;
    const now = (await server.query(activity)).actor.activity;
    expect(then.lastObserved < now.lastObserved).toBe(true);
    expect(then.lastObserved <= '2016-01-01' || then.lastObserved === now.lastObserved).toBe(true);
  });

  it('paths take knownAt: CryptoCore reaches Lazarus Group in one step only once F-Secure has published', async () => {
    const q = `query($from: ID!, $to: ID!, $knownAt: Date) { paths(from: $from, to: $to, maxHops: 1, knownAt: $knownAt) {
      totalCount nodes { steps { kind claim { ... on Attribution { assessedOn } } } } } }`;
    const ends = await server.query('{ campaign(name: "CryptoCore") { id } actor(name: "Lazarus Group") { id } }');
    const vars = { from: ends.campaign.id, to: ends.actor.id };
    expect((await server.query(q, { ...vars, knownAt: '2020-07-01' })).paths.totalCount).toBe(0);
    const december = (await server.query(q, { ...vars, knownAt: '2020-12-31' })).paths;
    expect(december.nodes.map((p: any) => p.steps[0].claim.assessedOn)).toEqual(['2020-08-25']);
    expect((await server.query(q, vars)).paths.totalCount).toBe(2);
  });

  it('victimology and search take knownAt: counts and names as published by then', async () => {
    const v = `{ campaign(name: "CryptoCore") { id } }`;
    const { campaign } = await server.query(v);
    const counts = async (knownAt?: string) =>
      (
        await server.query(
          'query($of: ID!, $knownAt: Date) { victimology(of: $of, groupBy: [COUNTRY], knownAt: $knownAt) { victimCount claimCount } }',
          { of: campaign.id, ...(knownAt ? { knownAt } : {}) },
        )
      ).victimology;
    const [early, late, today] = [await counts('2020-07-01'), await counts('2021-01-01'), await counts()];
    expect(early.claimCount).toBeLessThanOrEqual(late.claimCount);
    expect(late.claimCount).toBeLessThanOrEqual(today.claimCount);
    expect(early.claimCount).toBeLessThan(today.claimCount);
    // The same claims as the campaign's targetings listed at that date.
    const listed = await server.query(
      'query($knownAt: Date) { campaign(name: "CryptoCore", knownAt: $knownAt) { targetings(first: 100) { totalCount } } }',
      { knownAt: '2020-07-01' },
    );
    expect(early.claimCount).toBe(listed.campaign.targetings.totalCount);
    const names = async (knownAt?: string) =>
      (
        await server.query(
          'query($knownAt: Date) { search(query: "CryptoCore", first: 1, knownAt: $knownAt) { edges { node { ... on Campaign { names { totalCount } } } } } }',
          knownAt ? { knownAt } : {},
        )
      ).search.edges[0].node.names.totalCount;
    expect(await names('2019-06-01')).toBeLessThan(await names());
  });

  it('one date per request: two dates (or a dated and an undated field) are refused with a code', async () => {
    const two = await server.raw<any>(
      '{ a: campaign(name: "CryptoCore", knownAt: "2020-07-01") { id } b: campaign(name: "CryptoCore", knownAt: "2021-01-01") { id } }',
    );
    expect(two.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(two.errors?.[0]?.message).toMatch(/same knownAt/);
    const mixed = await server.raw<any>(
      '{ a: campaign(name: "CryptoCore", knownAt: "2020-07-01") { id } actors { totalCount } }',
    );
    expect(mixed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await server.raw<any>('{ campaign(name: "CryptoCore", knownAt: "July 2020") { id } }');
    expect(bad.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
