// Lookups by any name (normalised), ambiguity, resolveName, node / nodes, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../src/schema/name-lookup.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
});
afterAll(() => server?.stop());

describe(`lookups by name (${databaseLabel})`, () => {
  it.each([
    'Dangerous Password',
    'dangerouspassword',
    'DANGEROUS-PASSWORD',
    ' dangerous  password ',
    'CryptoMimic',
    'Leery Turtle',
    'CryptoCore',
  ])('campaign(name: %j) is CryptoCore', async (name) => {
    const data = await server.query(`query($n: String!) { campaign(name: $n) { name } }`, { n: name });
    expect(data.campaign.name).toBe('CryptoCore');
  });

  it.each([
    ['HIDDEN COBRA', 'Lazarus Group'],
    ['hidden-cobra', 'Lazarus Group'],
    ['Diamond Sleet', 'Lazarus Group'],
    ['ZINC', 'Lazarus Group'],
    ['Labyrinth Chollima', 'Lazarus Group'],
    ['bluenoroff', 'APT38'],
  ])('actor(name: %j) is %s', async (name, expected) => {
    const data = await server.query(`query($n: String!) { actor(name: $n) { name } }`, { n: name });
    expect(data.actor.name).toBe(expected);
  });

  it('finds a tool by an alias', async () => {
    const data = await server.query(`{ tool(name: "cabbage rat") { name kind malwareTypes } }`);
    expect(data.tool).toEqual({ name: 'CageyChameleon', kind: 'MALWARE', malwareTypes: ['backdoor'] });
  });

  it.each([
    ['G0032', 'Lazarus Group'],
    ['g0032', 'Lazarus Group'],
    [' G0082 ', 'APT38'],
    ['intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a', 'Lazarus Group'],
    ['INTRUSION-SET--00F67A77-86A4-4ADF-BE26-1A54FC713340', 'APT38'],
  ])('actor(externalId: %j) is %s', async (externalId, expected) => {
    const data = await server.query(`query($x: String!) { actor(externalId: $x) { name } }`, { x: externalId });
    expect(data.actor.name).toBe(expected);
  });

  it('tool(externalId:) finds by ATT&CK id and by Malpedia id; an identifier of another type is NOT_FOUND', async () => {
    expect((await server.query(`{ tool(externalId: "S0002") { name } }`)).tool.name).toBe('Mimikatz');
    expect((await server.query(`{ tool(externalId: "vbs.cageychameleon") { name } }`)).tool.name).toBe(
      'CageyChameleon',
    );
    const res = await server.raw(`{ campaign(externalId: "G0032") { name } }`);
    expect(res.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(res.errors![0].message).toContain('G0032');
  });

  it('asks for exactly one of id, name and externalId', async () => {
    const res = await server.raw(`{ actor(name: "Lazarus Group", externalId: "G0032") { name } }`);
    expect(res.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('externalId');
  });

  it('resolveName also matches identifiers, saying which one matched', async () => {
    const data = await server.query(`{ resolveName(name: "g0082") {
      entity { ... on Actor { name } } names { value } externalIds { system value }
    } }`);
    expect(data.resolveName).toEqual([
      { entity: { name: 'APT38' }, names: [], externalIds: [{ system: 'mitre-attack', value: 'G0082' }] },
    ]);
  });

  it('refuses a name several actors carry, with the candidates', async () => {
    const res = await server.raw(`{ actor(name: "APT 38") { name } }`);
    expect(res.data?.actor).toBeNull();
    const error = res.errors![0];
    expect(error.extensions!.code).toBe('AMBIGUOUS_NAME');
    expect(error.message).toContain('APT38');
    expect(error.message).toContain('Lazarus Group');
    const candidates = error.extensions!.candidates as Candidate[];
    expect(candidates.map((c) => c.name).sort()).toEqual(['APT38', 'Lazarus Group']);
    // Enough to choose: each candidate's datasets, ATT&CK ids, and the sources that use the name for it.
    const apt38 = candidates.find((c) => c.name === 'APT38')!;
    expect(apt38).toMatchObject({ datasets: ['curated'], attackIds: ['G0082'] });
    expect(apt38.matchedNames.map((n) => n.value)).toEqual(['APT38']);
    expect(error.message).toContain('G0082');
    const lazarus = candidates.find((c) => c.name === 'Lazarus Group')!;
    expect(lazarus.attackIds).toEqual(['G0032']);
    expect(lazarus.matchedNames[0].sources.length).toBeGreaterThan(0);
    // The candidates' ids work.
    for (const c of candidates) {
      const data = await server.query(`query($id: ID!) { actor(id: $id) { name } }`, { id: c.id });
      expect(data.actor.name).toBe(c.name);
    }
  });

  it('answers NOT_FOUND for a name nobody carries', async () => {
    const res = await server.raw(`{ campaign(name: "Operation Nonexistent") { name } }`);
    expect(res.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(res.errors![0].message).toContain('Operation Nonexistent');
  });

  it('resolveName shows every entity that carries a name, with the name records', async () => {
    const data = await server.query(`{ resolveName(name: "cagey chameleon") {
      entity { __typename ... on Campaign { name } ... on Tool { name } }
      names { value note citations { nodes { source { key } } } }
    } }`);
    const byType = Object.fromEntries(data.resolveName.map((r: any) => [r.entity.__typename, r]));
    expect(Object.keys(byType).sort()).toEqual(['Campaign', 'Tool']);
    expect(byType.Campaign.entity.name).toBe('CryptoCore');
    expect(byType.Tool.entity.name).toBe('CageyChameleon');
    expect(byType.Campaign.names[0].citations.nodes.map((c: any) => c.source.key)).toEqual([
      'thehackernews-2021-cryptocore',
    ]);
  });

  it('resolveName of "APT38" lists both actors, each with who uses the name', async () => {
    const data = await server.query(
      `{ resolveName(name: "APT38") { entity { ... on Actor { name } } names { value coinedBy { name } citations { nodes { source { key } } } } } }`,
    );
    const rows = Object.fromEntries(data.resolveName.map((r: any) => [r.entity.name, r.names[0]]));
    expect(rows.APT38.coinedBy.name).toBe('FireEye (Mandiant)');
    expect(rows['Lazarus Group'].coinedBy).toBeNull();
    expect(rows['Lazarus Group'].citations.nodes[0].source.key).toBe('cybersecurityasean-2020-fsecure');
  });

  it('resolveName of an unknown name is an empty list', async () => {
    expect((await server.query(`{ resolveName(name: "Nobody") { names { value } } }`)).resolveName).toEqual([]);
  });

  it('node and nodes resolve global IDs of every type', async () => {
    const data = await server.query(
      `{ campaign(name: "CryptoCore") { id attributions { nodes { id } } names { nodes { id } } } actor(name: "Lazarus Group") { id } }`,
    );
    const ids = [
      data.campaign.id,
      data.actor.id,
      data.campaign.attributions.nodes[0].id,
      data.campaign.names.nodes[0].id,
    ];
    const nodes = await server.query(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(nodes.nodes.map((n: any) => n.__typename)).toEqual(['Campaign', 'Actor', 'Attribution', 'Name']);
    const one = await server.query(`query($id: ID!) { node(id: $id) { ... on Actor { name } } }`, {
      id: data.actor.id,
    });
    expect(one.node.name).toBe('Lazarus Group');
  });
});
