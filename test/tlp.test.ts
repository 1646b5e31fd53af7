// TLP clearance on every read path: a marked fact is there for a cleared key and, for a caller not
// cleared for it, not there at all, with counts that agree. Marked facts are made through the
// mutations (the write path), and the response cache is on (answers are kept per caller).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let amber: string; // a reader cleared for TLP:AMBER
let analyst: string; // an analyst cleared for TLP:AMBER
const ids: Record<string, string> = {};
const EVERYTHING = '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01';

const sourceInput = (title: string, tlp: string) => ({
  title,
  kind: 'REPORT',
  tlp,
  url: `https://example.org/${title.replace(/\W+/g, '-').toLowerCase()}`,
});

beforeAll(async () => {
  server = await startTestServer({ RESPONSE_CACHE: 'true' });
  amber = await server.key('READER', 'AMBER');
  analyst = await server.key('ANALYST', 'AMBER');
  const m = (q: string, v: Record<string, unknown>) => server.query(q, v, analyst);
  ids.lazarus = (await server.query('{ actor(name: "Lazarus Group") { id } }')).actor.id;
  ids.closed = (
    await m('mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: sourceInput('Closed report', 'AMBER'),
    })
  ).createSource.id;
  ids.open = (
    await m('mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: sourceInput('Open report', 'CLEAR'),
    })
  ).createSource.id;
  const addName = async (value: string, sources: string[], tlp = 'CLEAR') =>
    (
      await m('mutation($i: AddNameInput!) { addName(input: $i) { id } }', {
        i: { owner: ids.lazarus, value, tlp, sources: sources.map((source) => ({ source })) },
      })
    ).addName.id;
  ids.quietName = await addName('Quiet Lantern', [ids.closed]); // its only source is AMBER
  ids.markedName = await addName('Marked Lantern', [ids.open], 'AMBER'); // marked AMBER itself
  ids.sharedName = await addName('Shared Lantern', [ids.closed, ids.open]); // one source is CLEAR: visible
  ids.bank = (
    await m('mutation { createVictim(input: { name: "Quiet Bank", kind: ORGANIZATION, country: "JP" }) { id } }', {})
  ).createVictim.id;
  ids.targeting = (
    await m('mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }', {
      i: { by: ids.lazarus, victim: ids.bank, confidence: 60, sources: [{ source: ids.closed }] },
    })
  ).recordTargeting.id;
  ids.campaign = (
    await m('mutation { createCampaign(input: { name: "Quiet Campaign" }) { id } }', {})
  ).createCampaign.id;
  ids.loader = (
    await m('mutation { createTool(input: { name: "Quiet Loader", kind: MALWARE }) { id } }', {})
  ).createTool.id;
  await m('mutation($i: RecordAttributionInput!) { recordAttribution(input: $i) { id } }', {
    i: { subject: ids.campaign, actor: ids.lazarus, sources: [{ source: ids.closed }] },
  });
  await m('mutation($i: RecordToolUsageInput!) { recordToolUsage(input: $i) { id } }', {
    i: { by: ids.campaign, tool: ids.loader, sources: [{ source: ids.open }] },
  });
}, 180_000);
afterAll(() => server?.stop());

/** The same query for an uncleared caller (anonymous, TLP:CLEAR) and a cleared one. */
async function both(query: string, variables: Record<string, unknown> = {}) {
  return { clear: await server.raw<any>(query, variables), amber: await server.raw<any>(query, variables, amber) };
}

describe(`TLP clearance on every read path (${databaseLabel})`, () => {
  it('names of an actor: hidden when every source is hidden or the name is marked, counts agree', async () => {
    const q = `query($id: ID!) { node(id: $id) { ... on Actor { names(first: 100) { totalCount nodes { value tlp } } } } }`;
    const { clear, amber: cleared } = await both(q, { id: ids.lazarus });
    const values = (r: any) => r.data.node.names.nodes.map((n: any) => n.value);
    expect(values(cleared)).toEqual(expect.arrayContaining(['Quiet Lantern', 'Marked Lantern', 'Shared Lantern']));
    expect(values(clear)).toContain('Shared Lantern');
    expect(values(clear)).not.toContain('Quiet Lantern');
    expect(values(clear)).not.toContain('Marked Lantern');
    expect(clear.data.node.names.totalCount).toBe(values(clear).length);
    expect(cleared.data.node.names.totalCount).toBe(clear.data.node.names.totalCount + 2);
  });

  it('node(id:) of a hidden name or source answers as for an ID that does not exist', async () => {
    for (const id of [ids.quietName, ids.markedName, ids.closed, ids.targeting]) {
      const { clear, amber: cleared } = await both('query($id: ID!) { node(id: $id) { id } }', { id });
      expect(clear.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(clear.errors?.[0].message).not.toMatch(/tlp|clearance|amber/i);
      expect(cleared.data.node.id).toBe(id);
    }
  });

  it('lookups by name, resolveName and search do not find a hidden name', async () => {
    const lookup = await both('{ actor(name: "Quiet Lantern") { name } }');
    expect(lookup.clear.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(lookup.amber.data.actor.name).toBe('Lazarus Group');
    const resolved = await both('{ resolveName(name: "quiet lantern") { entity { __typename } names { value } } }');
    expect(resolved.clear.data.resolveName).toEqual([]);
    expect(resolved.amber.data.resolveName).toHaveLength(1);
    const search = await both(
      '{ search(query: "Quiet Lantern", first: 50) { totalCount edges { matchedName node { ... on Actor { name } } } } }',
    );
    const matched = (r: any) => r.data.search.edges.map((e: any) => e.matchedName);
    expect(matched(search.amber)).toContain('Quiet Lantern');
    expect(matched(search.clear)).not.toContain('Quiet Lantern');
    expect(search.clear.data.search.totalCount).toBe(search.clear.data.search.edges.length);
  });

  it('sources: the marked one is not listed or counted', async () => {
    const { clear, amber: cleared } = await both('{ sources(first: 100) { totalCount nodes { title } } }');
    expect(cleared.data.sources.nodes.map((s: any) => s.title)).toContain('Closed report');
    expect(clear.data.sources.nodes.map((s: any) => s.title)).not.toContain('Closed report');
    expect(cleared.data.sources.totalCount).toBe(clear.data.sources.totalCount + 1);
  });

  it('a visible source does not lead to a marked name through its citations', async () => {
    const q =
      'query($id: ID!) { node(id: $id) { ... on Source { citations(first: 100) { totalCount nodes { supports { ... on Name { value } } } } } } }';
    const { clear, amber: cleared } = await both(q, { id: ids.open });
    const supported = (r: any) => r.data.node.citations.nodes.map((c: any) => c.supports?.value);
    expect(supported(cleared)).toContain('Marked Lantern');
    expect(supported(clear)).not.toContain('Marked Lantern');
    expect(cleared.data.node.citations.totalCount).toBe(clear.data.node.citations.totalCount + 1);
    // Nor does the citation's own ID.
    const withIds = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Source { citations(first: 100) { nodes { id supports { ... on Name { value } } } } } } }',
      { id: ids.open },
      amber,
    );
    const citation = withIds.node.citations.nodes.find((c: any) => c.supports?.value === 'Marked Lantern').id;
    const byId = await both('query($id: ID!) { node(id: $id) { id } }', { id: citation });
    expect(byId.clear.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(byId.amber.data.node.id).toBe(citation);
  });

  it('claims and traversals: direct targetings, derived victims, campaigns and derived tools, both ways', async () => {
    const q = `query($actor: ID!, $bank: ID!) {
      actor: node(id: $actor) { ... on Actor {
        targetings(first: 100) { totalCount }
        victims(first: 100) { totalCount nodes { name } }
        campaigns(first: 100) { totalCount nodes { name } }
        tools(first: 100) { totalCount nodes { name } } } }
      bank: node(id: $bank) { ... on Victim { targetedBy(first: 10) { totalCount } } } }`;
    const { clear, amber: cleared } = await both(q, { actor: ids.lazarus, bank: ids.bank });
    const a = (r: any) => r.data.actor;
    expect(a(cleared).targetings.totalCount).toBe(a(clear).targetings.totalCount + 1);
    expect(a(cleared).victims.nodes.map((v: any) => v.name)).toContain('Quiet Bank');
    expect(a(clear).victims.nodes.map((v: any) => v.name)).not.toContain('Quiet Bank');
    expect(a(cleared).victims.totalCount).toBe(a(clear).victims.totalCount + 1);
    expect(a(cleared).campaigns.nodes.map((c: any) => c.name)).toContain('Quiet Campaign');
    expect(a(clear).campaigns.nodes.map((c: any) => c.name)).not.toContain('Quiet Campaign');
    expect(a(cleared).campaigns.totalCount).toBe(a(clear).campaigns.totalCount + 1);
    // The loader is Lazarus's only through the hidden attribution of the campaign.
    expect(a(cleared).tools.nodes.map((t: any) => t.name)).toContain('Quiet Loader');
    expect(a(clear).tools.nodes.map((t: any) => t.name)).not.toContain('Quiet Loader');
    expect(a(cleared).tools.totalCount).toBe(a(clear).tools.totalCount + 1);
    expect(cleared.data.bank.targetedBy.totalCount).toBe(1);
    expect(clear.data.bank.targetedBy.totalCount).toBe(0);
  });

  it('STIX export (GraphQL and download) leaves out what the caller may not see', async () => {
    const q = 'query($id: ID!) { node(id: $id) { ... on Actor { stixBundle(depth: 1) } } }';
    const { clear, amber: cleared } = await both(q, { id: ids.lazarus });
    const summary = (bundle: any) => {
      const set = bundle.objects.find((o: any) => o.type === 'intrusion-set' && o.name === 'Lazarus Group');
      return {
        aliases: set.aliases as string[],
        banks: bundle.objects.filter((o: any) => o.name === 'Quiet Bank').length,
        rels: bundle.objects.filter((o: any) => o.type === 'relationship').length,
      };
    };
    const [c, a] = [summary(clear.data.node.stixBundle), summary(cleared.data.node.stixBundle)];
    expect(a.aliases).toContain('Quiet Lantern');
    expect(c.aliases).not.toContain('Quiet Lantern');
    expect(a.banks).toBe(1);
    expect(c.banks).toBe(0);
    expect(a.rels).toBeGreaterThan(c.rels);
    const download = async (key?: string) =>
      (
        await fetch(`${server.url}/stix/${encodeURIComponent(ids.lazarus)}?depth=1`, {
          headers: key ? { authorization: `Bearer ${key}` } : {},
        })
      ).json();
    expect(summary(await download()).aliases).not.toContain('Quiet Lantern');
    expect(summary(await download(amber)).aliases).toContain('Quiet Lantern');
    const hidden = await fetch(`${server.url}/stix/${encodeURIComponent(ids.closed)}`);
    expect(hidden.status).toBe(404);
    expect(
      (
        await fetch(`${server.url}/stix/${encodeURIComponent(ids.closed)}`, {
          headers: { authorization: `Bearer ${amber}` },
        })
      ).status,
    ).toBe(200);
  });

  it('TAXII: a collection holds only what the caller may see', async () => {
    const objects = async (key?: string) => {
      const all: any[] = [];
      let next: string | undefined;
      do {
        const res = await fetch(
          `${server.url}/taxii2/api/collections/${EVERYTHING}/objects/?limit=1000${next ? `&next=${next}` : ''}`,
          {
            headers: {
              accept: 'application/taxii+json;version=2.1',
              ...(key ? { authorization: `Bearer ${key}` } : {}),
            },
          },
        );
        const body = await res.json();
        all.push(...body.objects);
        next = body.more ? body.next : undefined;
      } while (next);
      return all;
    };
    const [c, a] = [await objects(), await objects(amber)];
    const lazarus = (list: any[]) => list.find((o) => o.type === 'intrusion-set' && o.name === 'Lazarus Group');
    expect(lazarus(a).aliases).toContain('Quiet Lantern');
    expect(lazarus(c).aliases).not.toContain('Quiet Lantern');
    expect(a.filter((o) => o.type === 'relationship').length).toBeGreaterThan(
      c.filter((o) => o.type === 'relationship').length,
    );
  });

  it('writes respect clearance too: no marking above one’s own, no citing a source one may not see', async () => {
    const marked = await server.raw(
      'mutation($i: AddNameInput!) { addName(input: $i) { id } }',
      { i: { owner: ids.lazarus, value: 'Red Lantern', tlp: 'RED' } },
      analyst,
    );
    expect(marked.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(marked.errors?.[0].message).toContain('input.tlp');
    const clearAnalyst = await server.key('ANALYST', 'CLEAR');
    const cited = await server.raw(
      'mutation($i: AddNameInput!) { addName(input: $i) { id } }',
      { i: { owner: ids.lazarus, value: 'Cited Lantern', sources: [{ source: ids.closed }] } },
      clearAnalyst,
    );
    expect(cited.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('lowering a source’s marking shows what only it supported (kept by the database, and the cache follows)', async () => {
    const before = await server.raw<any>('{ resolveName(name: "Quiet Lantern") { names { value } } }');
    expect(before.data.resolveName).toEqual([]);
    const { node } = await server.query(
      'query($id: ID!) { node(id: $id) { ... on Source { version } } }',
      { id: ids.closed },
      amber,
    );
    await server.query(
      'mutation($i: UpdateSourceInput!) { updateSource(input: $i) { tlp } }',
      { i: { id: ids.closed, expectedVersion: node.version, tlp: 'CLEAR' } },
      analyst,
    );
    const after = await server.raw<any>('{ resolveName(name: "Quiet Lantern") { names { value tlp } } }');
    expect(after.data.resolveName[0].names).toEqual([{ value: 'Quiet Lantern', tlp: 'CLEAR' }]);
  });
});

describe(`TLP after a source is deleted (${databaseLabel})`, () => {
  it('what only a marked source supported stays hidden once the source is deleted', async () => {
    const m = (q: string, v: Record<string, unknown>) => server.query(q, v, analyst);
    const source = (
      await m('mutation($i: CreateSourceInput!) { createSource(input: $i) { id version } }', {
        i: sourceInput('Doomed report', 'AMBER'),
      })
    ).createSource;
    await m('mutation($i: AddNameInput!) { addName(input: $i) { id } }', {
      i: { owner: ids.lazarus, value: 'Doomed Lantern', sources: [{ source: source.id }] },
    });
    const find = (key?: string) =>
      server.raw<any>('{ resolveName(name: "Doomed Lantern") { names { value tlp } } }', {}, key);
    expect((await find()).data.resolveName).toEqual([]);
    await m('mutation($id: ID!, $v: Int!) { deleteSource(id: $id, expectedVersion: $v) { id } }', {
      id: source.id,
      v: source.version,
    });
    expect((await find()).data.resolveName).toEqual([]);
    expect((await find(amber)).data.resolveName[0].names).toEqual([{ value: 'Doomed Lantern', tlp: 'AMBER' }]);
  });
});
