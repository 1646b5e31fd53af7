// Traversal both ways, claims with their sources, and the attribution history, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
});
afterAll(() => server?.stop());

describe(`traversal (${databaseLabel})`, () => {
  it('campaign.attributions is the attribution history in date order, superseded claims kept', async () => {
    const data = await server.query(`{ campaign(name: "CryptoCore") { attributions { totalCount nodes {
      id assessedOn status confidence confidenceLabel attributedToDescription attributedToCountries
      actor { name } supersededBy { id } supersedes { nodes { id } }
      citations { nodes { excerpt source { key publisher { name } } } }
    } } } }`);
    const history = data.campaign.attributions.nodes;
    expect(data.campaign.attributions.totalCount).toBe(3);
    expect(history.map((a: any) => [a.assessedOn, a.status, a.actor?.name ?? null, a.confidenceLabel])).toEqual([
      ['2020-06-24', 'SUPERSEDED', null, 'medium'],
      ['2020-08-25', 'CURRENT', 'Lazarus Group', null],
      ['2021-05-24', 'CURRENT', 'Lazarus Group', 'medium-high'],
    ]);
    const [clearsky2020, fsecure, clearsky2021] = history;
    expect(clearsky2020.attributedToCountries).toEqual(['UA', 'RU', 'RO']);
    expect(clearsky2020.attributedToDescription).toMatch(/East European/);
    expect(clearsky2020.confidence).toBe(50);
    expect(clearsky2021.confidence).toBe(68);
    expect(clearsky2020.supersededBy.id).toBe(clearsky2021.id);
    expect(clearsky2021.supersedes.nodes.map((n: any) => n.id)).toEqual([clearsky2020.id]);
    expect(fsecure.citations.nodes.map((c: any) => c.source.publisher.name)).toContain('F-Secure');
    expect(clearsky2021.citations.nodes[0].excerpt).toBe('MEDIUM-HIGH likelihood');
    for (const a of history) expect(a.citations.nodes.length).toBeGreaterThan(0);
  });

  it('filters the history by status', async () => {
    const data = await server.query(
      `{ campaign(name: "CryptoCore") { attributions(status: [CURRENT]) { totalCount nodes { status } } } }`,
    );
    expect(data.campaign.attributions.totalCount).toBe(2);
    expect(data.campaign.attributions.nodes.every((a: any) => a.status === 'CURRENT')).toBe(true);
  });

  it('every name carries who coined it (where known) and its sources', async () => {
    const data = await server.query(
      `{ campaign(name: "CryptoCore") { names { totalCount nodes { value coinedBy { name } citations { totalCount } } } } }`,
    );
    const names = Object.fromEntries(data.campaign.names.nodes.map((n: any) => [n.value, n]));
    expect(Object.keys(names).sort()).toEqual([
      'CageyChameleon',
      'CryptoCore',
      'CryptoMimic',
      'Dangerous Password',
      'Leery Turtle',
    ]);
    expect(names.CryptoCore.coinedBy.name).toBe('ClearSky Cyber Security');
    expect(names.CryptoMimic.coinedBy.name).toBe('NTT Security');
    expect(names['Leery Turtle'].coinedBy).toBeNull();
    for (const n of data.campaign.names.nodes) expect(n.citations.totalCount).toBeGreaterThan(0);
  });

  it('actor → campaigns → tools → their users, and back', async () => {
    const data = await server.query(`{ actor(name: "Lazarus Group") {
      campaigns { totalCount edges { current attributions { assessedOn } node { name
        toolUsages { nodes { tool { name usedBy { nodes { by { __typename ... on Campaign { name } ... on Actor { name } } } } } } }
      } } }
    } }`);
    const campaigns = data.actor.campaigns;
    expect(campaigns.totalCount).toBe(1);
    const edge = campaigns.edges[0];
    expect(edge.node.name).toBe('CryptoCore');
    expect(edge.current).toBe(true);
    expect(edge.attributions.map((a: any) => a.assessedOn)).toEqual(['2020-08-25', '2021-05-24']);
    const mimikatz = edge.node.toolUsages.nodes.find((u: any) => u.tool.name === 'Mimikatz');
    const users = mimikatz.tool.usedBy.nodes.map((u: any) => `${u.by.__typename}:${u.by.name}`).sort();
    expect(users).toEqual(['Actor:APT38', 'Campaign:CryptoCore']);
  });

  it("an actor's tools include its campaigns' tools, marked as derived via the campaign", async () => {
    const data = await server.query(`{
      lazarus: actor(name: "Lazarus Group") { tools { totalCount edges { direct via { name } node { name } claims { campaign { name } actor { name } } } } }
      apt38: actor(name: "Bluenoroff") { tools { edges { direct via { name } node { name } } } }
    }`);
    const lazarus = Object.fromEntries(data.lazarus.tools.edges.map((e: any) => [e.node.name, e]));
    expect(Object.keys(lazarus).sort()).toEqual(['CageyChameleon', 'CryptoCore PowerShell backdoor', 'Mimikatz']);
    for (const e of Object.values(lazarus) as any[]) {
      expect(e.direct).toBe(false);
      expect(e.via.map((c: any) => c.name)).toEqual(['CryptoCore']);
      expect(e.claims.every((c: any) => c.campaign?.name === 'CryptoCore' && c.actor === null)).toBe(true);
    }
    const apt38 = Object.fromEntries(data.apt38.tools.edges.map((e: any) => [e.node.name, e]));
    expect(apt38.Mimikatz).toMatchObject({ direct: true, via: [] });
    expect(apt38.SnatchCrypto).toMatchObject({ direct: false, via: [{ name: 'SnatchCrypto' }] });
  });

  it("an actor's victims are derived through its campaigns, not mixed with direct claims", async () => {
    const data = await server.query(
      `{ actor(name: "Lazarus Group") { targetings { totalCount } victims { totalCount edges { direct via { name } node { name } } } } }`,
    );
    expect(data.actor.targetings.totalCount).toBe(0);
    expect(data.actor.victims.totalCount).toBe(11);
    expect(data.actor.victims.edges.every((e: any) => !e.direct && e.via[0].name === 'CryptoCore')).toBe(true);
  });

  it('victim → targetedBy lists the campaigns that target it, with sources', async () => {
    const data = await server.query(
      `{ victims(filter: { country: "JP" }) { nodes { name targetedBy { totalCount nodes { by { ... on Campaign { name } } citations { totalCount } } } } } }`,
    );
    const japan = data.victims.nodes[0];
    expect(japan.name).toBe('Japan');
    expect(japan.targetedBy.nodes.map((t: any) => t.by.name)).toEqual(['CryptoCore']);
    expect(japan.targetedBy.nodes[0].citations.totalCount).toBe(4);
    const china = await server.query(
      `{ victims(filter: { country: "CN" }) { nodes { targetedBy { nodes { by { ... on Campaign { name } } } } } } }`,
    );
    expect(china.victims.nodes[0].targetedBy.nodes.map((t: any) => t.by.name).sort()).toEqual([
      'CryptoCore',
      'SnatchCrypto',
    ]);
  });

  it('source → what it supports (names, claims, attributes)', async () => {
    const data =
      await server.query(`{ sources(filter: { publishedFrom: "2021-05-24", publishedTo: "2021-05-24" }) { nodes { key
      all: citations { totalCount nodes { supports { __typename ... on Name { value } ... on Attribution { assessedOn } ... on Targeting { victim { name } } } } }
      names: citations(target: [NAME]) { totalCount }
      claims: citations(target: [CLAIM]) { totalCount }
    } } }`);
    const report = data.sources.nodes.find((s: any) => s.key === 'clearsky-2021-cryptocore-lazarus');
    const kinds = report.all.nodes.map((c: any) => c.supports.__typename);
    expect(kinds).toContain('Name');
    expect(kinds).toContain('Attribution');
    expect(kinds).toContain('Targeting');
    expect(report.names.totalCount + report.claims.totalCount).toBe(report.all.totalCount);
    expect(
      report.all.nodes
        .filter((c: any) => c.supports.__typename === 'Name')
        .map((c: any) => c.supports.value)
        .sort(),
    ).toEqual(['CryptoCore', 'CryptoMimic', 'Dangerous Password', 'HIDDEN COBRA', 'Leery Turtle']);
  });

  it('organization → names it coined and sources it published', async () => {
    const data = await server.query(
      `{ organizations { nodes { name coinedNames { nodes { value owner { ... on Actor { name } ... on Campaign { name } } } } sources { totalCount nodes { publishedOn } } } } }`,
    );
    const microsoft = data.organizations.nodes.find((o: any) => o.name === 'Microsoft');
    expect(microsoft.coinedNames.nodes.map((n: any) => `${n.value}→${n.owner.name}`).sort()).toEqual([
      'COPERNICIUM→APT38',
      'Diamond Sleet→Lazarus Group',
      'Sapphire Sleet→APT38',
      'ZINC→Lazarus Group',
    ]);
    const clearsky = data.organizations.nodes.find((o: any) => o.name === 'ClearSky Cyber Security');
    expect(clearsky.sources.nodes.map((s: any) => s.publishedOn)).toEqual(['2021-05-24', '2020-06-24']);
  });

  it('a campaign exposes its losses and the citations behind them', async () => {
    const data = await server.query(
      `{ campaign(name: "CryptoCore") { estimatedLossUsd confirmedLossUsd citations { nodes { field excerpt source { key } } } } }`,
    );
    expect(data.campaign.estimatedLossUsd).toBe('200000000');
    expect(data.campaign.confirmedLossUsd).toBe('70000000');
    const fields = data.campaign.citations.nodes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['estimatedLossUsd', 'confirmedLossUsd', 'firstSeen']));
  });

  it('tool → attributions and external ids', async () => {
    const data = await server.query(
      `{ tool(name: "Mimikatz") { externalIds { nodes { system value url } } attributions { totalCount } } }`,
    );
    expect(data.tool.externalIds.nodes).toContainEqual({
      system: 'mitre-attack',
      value: 'S0002',
      url: 'https://attack.mitre.org/software/S0002',
    });
    expect(data.tool.attributions.totalCount).toBe(0);
  });
});
