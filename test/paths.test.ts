// Explained paths on the default seeded database (curated, ATT&CK with techniques, MISP): "what links
// APT38 and Kimsuky?" answered with claims and shared facts, shortest first and hubs ranked down; a
// step kind can be excluded; a hidden claim is never a step (a path through it does not exist for a
// caller below its marking); bad arguments are refused with a code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';

let server: InProcess;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,mitre-attack-techniques,misp-galaxy' });
}, 300_000);
afterAll(() => server?.stop());

const paths = `query($from: ID!, $to: ID!, $maxHops: Int, $via: [PathStepKind!], $first: Int) {
  paths(from: $from, to: $to, maxHops: $maxHops, via: $via, first: $first) {
    totalCount
    nodes { hops cost weakestConfidence steps { kind sharedValue claimId
      from { __typename ... on Actor { name } ... on Tool { name } ... on Technique { attackId } }
      to { __typename ... on Actor { name } ... on Tool { name } ... on Technique { attackId } }
      claim { __typename ... on ToolUsage { confidence citations { totalCount } } ... on TechniqueUse { note } } } }
  } }`;
const ends = async () =>
  (await server.query(`{ apt38: actor(externalId: "G0082") { id } kimsuky: actor(externalId: "G0094") { id } }`)) as {
    apt38: { id: string };
    kimsuky: { id: string };
  };
const names = (p: any) => p.steps.map((s: any) => `${s.kind}:${s.to.name ?? s.to.attackId}`);

describe(`paths (${databaseLabel})`, () => {
  it('answers "what links APT38 and Kimsuky?": both North Korean, both use Mimikatz, shared techniques', async () => {
    const { apt38, kimsuky } = await ends();
    const { paths: found } = await server.query(paths, { from: apt38.id, to: kimsuky.id, maxHops: 2, first: 100 });
    expect(found.totalCount).toBeGreaterThan(10);
    // Shortest first; among paths of one length, the least hub-leaning first.
    const hops = found.nodes.map((p: any) => p.hops);
    expect(hops).toEqual([...hops].sort((a, b) => a - b));
    for (let i = 1; i < found.nodes.length; i++)
      if (found.nodes[i].hops === found.nodes[i - 1].hops)
        expect(found.nodes[i].cost).toBeGreaterThanOrEqual(found.nodes[i - 1].cost);
    expect(found.nodes[0]).toMatchObject({ hops: 1, steps: [{ kind: 'SHARED_ORIGIN', sharedValue: 'KP' }] });
    const mimikatz = found.nodes.find((p: any) => names(p).join() === 'TOOL_USE:Mimikatz,TOOL_USE:Kimsuky');
    expect(mimikatz).toBeDefined();
    // Each step names its claim, with its sources.
    for (const step of mimikatz.steps) {
      expect(step.claim.__typename).toBe('ToolUsage');
      expect(step.claim.citations.totalCount).toBeGreaterThan(0);
      expect(step.claimId).toBeTruthy();
    }
    expect(found.nodes.some((p: any) => p.steps.every((s: any) => s.kind === 'TECHNIQUE_USE'))).toBe(true);
  });

  it('answers four hops between two hubs-heavy actors, capped and ranked, within the request', async () => {
    const { apt38, kimsuky } = await ends();
    const { paths: found } = await server.query(paths, { from: apt38.id, to: kimsuky.id, maxHops: 4, first: 50 });
    expect(found.totalCount).toBeGreaterThan(50);
    expect(found.totalCount).toBeLessThanOrEqual(1000);
    for (const p of found.nodes) {
      expect(p.hops).toBeLessThanOrEqual(4);
      expect(p.steps).toHaveLength(p.hops);
      // A chain: each step starts where the last ended, from APT38 to Kimsuky, no entity twice.
      expect(p.steps[0].from.name).toBe('APT38');
      expect(p.steps.at(-1).to.name).toBe('Kimsuky');
      for (let i = 1; i < p.steps.length; i++)
        expect(JSON.stringify(p.steps[i].from)).toBe(JSON.stringify(p.steps[i - 1].to));
      const visited = [...p.steps.map((s: any) => JSON.stringify(s.from)), JSON.stringify(p.steps.at(-1).to)];
      expect(new Set(visited).size).toBe(visited.length);
    }
  });

  it('keeps to the kinds of steps asked for (`via`)', async () => {
    const { apt38, kimsuky } = await ends();
    const { paths: found } = await server.query(paths, {
      from: apt38.id,
      to: kimsuky.id,
      maxHops: 2,
      via: ['TOOL_USE'],
      first: 100,
    });
    expect(found.totalCount).toBeGreaterThan(0);
    for (const p of found.nodes) for (const s of p.steps) expect(s.kind).toBe('TOOL_USE');
  });

  it('never steps through a claim the caller may not see: the path exists for AMBER, not for GREEN', async () => {
    const analyst = await server.key('ANALYST', 'AMBER');
    const green = await server.key('READER', 'GREEN');
    const { apt38, kimsuky } = await ends();
    const m = mutator(server, analyst);
    const source = (await server.query(`{ sources(first: 1) { nodes { id } } }`)).sources.nodes[0].id;
    const tool = await m('createTool', { name: 'Quiet Bridge (test)', kind: 'MALWARE' });
    await m('recordToolUsage', { by: apt38.id, tool, tlp: 'AMBER', sources: [{ source }] });
    await m('recordToolUsage', { by: kimsuky.id, tool, sources: [{ source }] });
    const ask = { from: apt38.id, to: kimsuky.id, maxHops: 2, via: ['TOOL_USE'], first: 100 };
    const through = (list: any) => list.paths.nodes.filter((p: any) => names(p)[0] === 'TOOL_USE:Quiet Bridge (test)');
    expect(through(await server.query(paths, ask, analyst))).toHaveLength(1);
    const seen = await server.query(paths, ask, green);
    expect(through(seen)).toHaveLength(0);
    expect(JSON.stringify(seen)).not.toContain('Quiet Bridge');
  });

  it('refuses bad arguments with a code, and answers a hidden end as a missing one', async () => {
    const { apt38, kimsuky } = await ends();
    const code = async (vars: Record<string, unknown>) => (await server.raw(paths, vars)).errors?.[0].extensions?.code;
    expect(await code({ from: apt38.id, to: kimsuky.id, maxHops: 5 })).toBe('BAD_USER_INPUT');
    expect(await code({ from: apt38.id, to: apt38.id })).toBe('BAD_USER_INPUT');
    const unknown = Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64');
    expect(await code({ from: apt38.id, to: unknown })).toBe('NOT_FOUND');
    expect(await code({ from: apt38.id, to: 'not-an-id' })).toBe('INVALID_ID');
  });

  it('links sources and organisations: ClearSky coined CryptoCore and published the reports that cite it', async () => {
    const docPaths = `query($from: ID!, $to: ID!, $maxHops: Int) { paths(from: $from, to: $to, maxHops: $maxHops, first: 20) {
      totalCount nodes { hops steps { kind sharedValue citation { source { title } }
        to { __typename ... on Source { title } ... on Campaign { name } ... on Actor { name } } } } } }`;
    const { organizations } = await server.query('{ organizations(first: 100) { nodes { id name } } }');
    const clearsky = organizations.nodes.find((o: any) => /ClearSky/.test(o.name));
    const { campaign } = await server.query('{ campaign(name: "CryptoCore") { id } }');
    const found = (await server.query(docPaths, { from: clearsky.id, to: campaign.id, maxHops: 2 })).paths;
    expect(found.nodes[0]).toMatchObject({ hops: 1, steps: [{ kind: 'COINED', sharedValue: 'CryptoCore' }] });
    const viaReports = found.nodes.filter((p: any) => p.steps.map((s: any) => s.kind).join() === 'PUBLISHED,CITATION');
    expect(viaReports.length).toBeGreaterThanOrEqual(2);
    for (const p of viaReports) expect(p.steps[1].citation.source.title).toBe(p.steps[0].to.title);
    // From a report to an actor it never names: through the records it supports.
    const { sources } = await server.query(
      '{ sources(filter: { query: "Attributing CryptoCore Attacks" }, first: 1) { nodes { id } } }',
    );
    const { kimsuky } = await ends();
    const fromReport = (await server.query(docPaths, { from: sources.nodes[0].id, to: kimsuky.id, maxHops: 3 })).paths;
    expect(fromReport.totalCount).toBeGreaterThan(0);
    for (const p of fromReport.nodes) expect(p.steps[0].kind).toBe('CITATION');
    // Between two actors, sources are not steps unless asked for.
    const { apt38 } = await ends();
    const plain = (await server.query(paths, { from: apt38.id, to: kimsuky.id, maxHops: 2, first: 100 })).paths;
    expect(plain.nodes.flatMap((p: any) => p.steps.map((s: any) => s.kind))).not.toContain('CITATION');
  });

  it("a source above the caller's clearance is no end and no step: its organisation reaches the campaign for RED only", async () => {
    const red = await server.key('ANALYST', 'RED');
    const green = await server.key('READER', 'GREEN');
    const m = mutator(server, red);
    const org = await m('createOrganization', { name: 'Paths Test Vendor' });
    const report = await m('createSource', {
      title: 'Paths test red report',
      kind: 'REPORT',
      tlp: 'RED',
      publisher: org,
    });
    const camp = await m('createCampaign', { name: 'Paths Test Campaign' });
    const { apt38 } = await ends();
    await m('recordAttribution', { subject: camp, actor: apt38.id, sources: [{ source: report }] });
    const ask = `query($from: ID!, $to: ID!) { paths(from: $from, to: $to, maxHops: 2) { totalCount nodes { steps { kind } } } }`;
    const forRed = await server.query(ask, { from: org, to: camp }, red);
    expect(forRed.paths.nodes.map((p: any) => p.steps.map((s: any) => s.kind).join())).toEqual(['PUBLISHED,CITATION']);
    const forGreen = await server.query(ask, { from: org, to: camp }, green);
    expect(forGreen.paths.totalCount).toBe(0);
    const hidden = await server.raw<any>(ask, { from: report, to: camp }, green);
    const unknown = await server.raw<any>(
      ask,
      { from: Buffer.from('Source:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64'), to: camp },
      green,
    );
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(hidden.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });
});
