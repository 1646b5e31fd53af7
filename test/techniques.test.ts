// Techniques (MITRE ATT&CK® v18.1): loaded from the shipped techniques file through the write path, and
// checked against that file and the actors file: every technique and tactic, matrix order, sub-technique
// parents, Lazarus Group's technique uses claim by claim, its derived techniques (through its campaigns
// and tools), the filters, clearance on technique uses, and the technique-use mutations.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/database/migrations.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';
import { mutator } from './helpers/mutate.js';
import { startTestServer } from './helpers/server.js';
import { stixValidator } from './helpers/stix-validator.js';

type Stix = Record<string, any>;
const read = (file: string) =>
  JSON.parse(readFileSync(path.join(projectRoot, 'seeds/datasets/mitre-attack', file), 'utf8')).objects as Stix[];
const techniquesFile = read('enterprise-attack-18.1-techniques.stix21.json');
const actorsFile = read('enterprise-attack-18.1-actors-subset.stix21.json');
const attackId = (o: Stix) => o.external_references?.find((r: Stix) => r.source_name === 'mitre-attack')?.external_id;
const patterns = new Map(techniquesFile.filter((o) => o.type === 'attack-pattern').map((o) => [o.id, o]));
const lazarus = actorsFile.find((o) => o.type === 'intrusion-set' && attackId(o) === 'G0032')!;
const live = (r: Stix) => !r.revoked && !r.x_mitre_deprecated;
/** The ATT&CK ids of the techniques the file says these objects use (live relationships only). */
const usedBy = (ids: Set<string>) =>
  new Set(
    techniquesFile
      .filter((r) => r.type === 'relationship' && r.relationship_type === 'uses' && ids.has(r.source_ref) && live(r))
      .map((r) => attackId(patterns.get(r.target_ref)!)),
  );

/** Every page of an actor's derived techniques (each page's total at least `atLeast`). */
async function techniquesOf(externalId: string, atLeast = 0) {
  const all: any[] = [];
  let after: string | null = null;
  do {
    const page: any = await server.query(
      `query($x: String!, $after: String) { actor(externalId: $x) { techniques(first: 50, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { direct viaCampaigns { name } viaTools { name } claims { id } node { attackId } } } } }`,
      { x: externalId, after },
    );
    all.push(...page.actor.techniques.edges);
    after = page.actor.techniques.pageInfo.hasNextPage ? page.actor.techniques.pageInfo.endCursor : null;
    expect(page.actor.techniques.totalCount).toBeGreaterThanOrEqual(atLeast);
  } while (after);
  return all;
}
const lazarusTechniques = (atLeast = 0) => techniquesOf('G0032', atLeast);

let server: InProcess;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,mitre-attack-techniques' });
}, 300_000);
afterAll(() => server?.stop());

describe(`ATT&CK techniques from the shipped file (${databaseLabel})`, () => {
  it('holds every technique and tactic of the file, tactics in matrix order, sub-techniques under their parent', async () => {
    const matrix = techniquesFile.find((o) => o.type === 'x-mitre-matrix')!;
    const tacticsById = new Map(techniquesFile.filter((o) => o.type === 'x-mitre-tactic').map((o) => [o.id, o]));
    const data = await server.query(`{
      tactics { attackId shortName name position }
      all: techniques(includeRevoked: true, first: 1) { totalCount }
      current: techniques(first: 1) { totalCount }
      phishing: technique(externalId: "t1566.001") { attackId name isSubtechnique parent { attackId } tactics { shortName } platforms }
      parent: technique(externalId: "T1566") { subtechniques { attackId } }
    }`);
    expect(data.tactics.map((t: any) => t.attackId)).toEqual(
      matrix.tactic_refs.map((id: string) => attackId(tacticsById.get(id)!)),
    );
    expect(data.tactics.map((t: any) => t.position)).toEqual(data.tactics.map((_: unknown, i: number) => i));
    expect(data.all.totalCount).toBe(patterns.size);
    expect(data.current.totalCount).toBe([...patterns.values()].filter(live).length);
    const file = [...patterns.values()].find((o) => attackId(o) === 'T1566.001')!;
    expect(data.phishing).toEqual({
      attackId: 'T1566.001',
      name: file.name,
      isSubtechnique: true,
      parent: { attackId: 'T1566' },
      tactics: file.kill_chain_phases.map((p: Stix) => ({ shortName: p.phase_name })),
      platforms: file.x_mitre_platforms,
    });
    const children = techniquesFile
      .filter((r) => r.type === 'relationship' && r.relationship_type === 'subtechnique-of')
      .filter((r) => attackId(patterns.get(r.target_ref)!) === 'T1566' && live(patterns.get(r.source_ref)!))
      .map((r) => attackId(patterns.get(r.source_ref)!))
      .sort();
    expect(data.parent.subtechniques.map((t: any) => t.attackId)).toEqual(children);
  });

  it('filters techniques by tactic (short name, id or name), platform in any case, and words', async () => {
    const initialAccess = [...patterns.values()].filter(
      (o) => live(o) && o.kill_chain_phases.some((p: Stix) => p.phase_name === 'initial-access'),
    );
    const macos = initialAccess.filter((o) => o.x_mitre_platforms.includes('macOS'));
    const data = await server.query(`{
      a: techniques(filter: { tactic: "initial-access" }) { totalCount }
      b: techniques(filter: { tactic: "TA0001" }) { totalCount }
      c: techniques(filter: { tactic: "Initial Access", platform: "MACOS" }) { totalCount }
      d: techniques(filter: { query: "spearphishing attachment" }) { nodes { attackId } }
    }`);
    expect(data.a.totalCount).toBe(initialAccess.length);
    expect(data.b.totalCount).toBe(initialAccess.length);
    expect(data.c.totalCount).toBe(macos.length);
    expect(data.d.nodes.map((n: any) => n.attackId)).toContain('T1566.001');
    const bad = await server.raw(`{ techniques(filter: { tactic: "no such tactic" }) { totalCount } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("gives Lazarus Group's own technique uses exactly as the file has them, each with its procedure and sources", async () => {
    const own = techniquesFile.filter(
      (r) => r.type === 'relationship' && r.relationship_type === 'uses' && r.source_ref === lazarus.id,
    );
    const data = await server.query(`{
      actor(externalId: "G0032") {
        techniqueUses(first: 100) { totalCount nodes { note status technique { attackId } citations { nodes { source { url } } } } }
      }
    }`);
    const uses = data.actor.techniqueUses;
    expect(uses.totalCount).toBe(own.length);
    const byNote = new Map(uses.nodes.map((n: any) => [n.note, n]));
    for (const r of own) {
      const stored = byNote.get(r.description) as any;
      expect(stored, r.id).toBeDefined();
      expect(stored.technique.attackId).toBe(attackId(patterns.get(r.target_ref)!));
      expect(stored.status).toBe(live(r) ? 'CURRENT' : 'RETRACTED');
      expect(stored.citations.nodes.map((c: any) => c.source.url).sort()).toEqual(
        [...new Set((r.external_references ?? []).map((x: Stix) => x.url).filter(Boolean))].sort(),
      );
    }
    const direct = (await lazarusTechniques()).filter((e) => e.direct).map((e) => e.node.attackId);
    expect(new Set(direct)).toEqual(usedBy(new Set([lazarus.id])));
  });

  it("derives Lazarus Group's techniques through its campaigns and tools, as the files link them", async () => {
    const attributed = new Set(
      actorsFile
        .filter(
          (r) => r.type === 'relationship' && r.relationship_type === 'attributed-to' && r.target_ref === lazarus.id,
        )
        .map((r) => r.source_ref),
    );
    const tools = new Set(
      actorsFile
        .filter(
          (r) =>
            r.type === 'relationship' &&
            r.relationship_type === 'uses' &&
            (r.source_ref === lazarus.id || attributed.has(r.source_ref)) &&
            /^(malware|tool)--/.test(r.target_ref),
        )
        .map((r) => r.target_ref),
    );
    const expected = usedBy(new Set([lazarus.id, ...attributed, ...tools]));
    const all = await lazarusTechniques(expected.size);
    const ids = all.map((e) => e.node.attackId);
    expect(ids).toEqual([...ids].sort()); // ATT&CK id order, no repeats across pages
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of expected) expect(ids, id).toContain(id);
    // Every edge says why: a claim of the actor's own, or a campaign or tool it came through, with the claims.
    for (const e of all) {
      expect(e.claims.length).toBeGreaterThan(0);
      expect(e.direct || e.viaCampaigns.length + e.viaTools.length > 0).toBe(true);
    }
    expect(all.some((e) => e.viaCampaigns.some((c: any) => c.name === 'Operation Dream Job'))).toBe(true);
  });

  it('lists who uses a technique, and a tool’s techniques, as the file does', async () => {
    const t = [...patterns.values()].find((o) => attackId(o) === 'T1566.001')!;
    const users = techniquesFile.filter(
      (r) => r.type === 'relationship' && r.relationship_type === 'uses' && r.target_ref === t.id,
    );
    const mimikatz = actorsFile.find((o) => o.type === 'tool' && attackId(o) === 'S0002')!;
    const dreamJob = actorsFile.find((o) => o.type === 'campaign' && attackId(o) === 'C0022')!;
    const dreamJobTools = actorsFile
      .filter((r) => r.type === 'relationship' && r.relationship_type === 'uses' && r.source_ref === dreamJob.id)
      .map((r) => r.target_ref);
    const data = await server.query(`{
      technique(externalId: "T1566.001") { usedBy { totalCount } }
      tool(externalId: "S0002") { techniques(first: 100) { totalCount edges { direct } } }
      campaign(externalId: "C0022") { techniques(first: 100) { totalCount edges { direct viaTools { name } } } }
    }`);
    expect(data.campaign.techniques.totalCount).toBe(usedBy(new Set([dreamJob.id, ...dreamJobTools])).size);
    expect(data.campaign.techniques.edges.filter((e: any) => e.direct)).toHaveLength(
      usedBy(new Set([dreamJob.id])).size,
    );
    expect(data.technique.usedBy.totalCount).toBe(users.length);
    expect(data.tool.techniques.totalCount).toBe(usedBy(new Set([mimikatz.id])).size);
    expect(data.tool.techniques.edges.every((e: any) => e.direct)).toBe(true);
  });
});

/** Every property the Navigator layer format 4.5 defines, checked for presence where required and for type. */
function checkLayerFormat(layer: any) {
  const hex = /^#[0-9a-f]{6}$/i;
  expect(typeof layer.name).toBe('string');
  expect(['enterprise-attack', 'mobile-attack', 'ics-attack']).toContain(layer.domain);
  expect(typeof layer.versions.navigator).toBe('string');
  expect(layer.versions.layer).toBe('4.5');
  expect(typeof layer.versions.attack).toBe('string');
  expect(typeof layer.description).toBe('string');
  expect([0, 1, 2, 3]).toContain(layer.sorting);
  expect(['side', 'flat', 'mini']).toContain(layer.layout.layout);
  expect(typeof layer.layout.showID).toBe('boolean');
  expect(typeof layer.layout.showName).toBe('boolean');
  expect(['none', 'all', 'annotated']).toContain(layer.layout.expandedSubtechniques);
  expect(typeof layer.hideDisabled).toBe('boolean');
  expect(Array.isArray(layer.techniques)).toBe(true);
  for (const t of layer.techniques) {
    expect(t.techniqueID).toMatch(/^T\d{4}(\.\d{3})?$/);
    if (t.tactic !== undefined) expect(t.tactic).toMatch(/^[a-z-]+$/);
    expect(typeof t.comment).toBe('string');
    expect(typeof t.score).toBe('number');
    if (t.enabled !== undefined) expect(typeof t.enabled).toBe('boolean');
  }
  expect(layer.gradient.colors.length).toBeGreaterThanOrEqual(2);
  for (const c of layer.gradient.colors) expect(c).toMatch(hex);
  expect(layer.gradient.maxValue).toBeGreaterThan(layer.gradient.minValue);
  for (const l of layer.legendItems) {
    expect(typeof l.label).toBe('string');
    expect(l.color).toMatch(hex);
  }
  for (const m of layer.metadata) expect([typeof m.name, typeof m.value]).toEqual(['string', 'string']);
  for (const l of layer.links) expect(l.url).toMatch(/^[a-z]+:\/\//);
}

describe(`actors by what they use and whom they target (${databaseLabel})`, () => {
  it('finds the actors whose own claims use a technique (with its sub-techniques) or a tool, as the files say', async () => {
    const groups = new Map(
      actorsFile.filter((o) => o.type === 'intrusion-set' && live(o)).map((o) => [o.id, o.name as string]),
    );
    const phishing = new Set(
      [...patterns.values()].filter((o) => /^T1566(\.\d{3})?$/.test(attackId(o))).map((o) => o.id),
    );
    const expected = new Set(
      techniquesFile
        .filter((r) => r.type === 'relationship' && r.relationship_type === 'uses' && live(r))
        .filter((r) => phishing.has(r.target_ref) && groups.has(r.source_ref))
        .map((r) => r.source_ref),
    );
    const data = await server.query(`{
      a: actors(filter: { usesTechnique: "t1566" }, first: 100) { totalCount nodes { externalIds { nodes { system value } } } }
      b: actors(filter: { usesTechnique: "T1566.001" }) { totalCount }
      mimikatz: tool(externalId: "S0002") { id usedBy(first: 100) { nodes { actor { name revoked deprecated } } } }
    }`);
    expect(data.a.totalCount).toBe(expected.size);
    const stixIds = data.a.nodes.map(
      (n: any) =>
        n.externalIds.nodes.find((x: any) => x.system === 'stix' && x.value.startsWith('intrusion-set'))?.value,
    );
    expect(new Set(stixIds)).toEqual(expected);
    expect(data.b.totalCount).toBeLessThanOrEqual(data.a.totalCount);
    const users = new Set(
      data.mimikatz.usedBy.nodes
        .filter((n: any) => n.actor && !n.actor.revoked && !n.actor.deprecated)
        .map((n: any) => n.actor.name),
    );
    const byTool = await server.query(
      `query($t: ID!) { actors(filter: { usesTool: $t }, first: 100) { nodes { name } } }`,
      {
        t: data.mimikatz.id,
      },
    );
    expect(new Set(byTool.actors.nodes.map((n: any) => n.name))).toEqual(users);
    expect(users.size).toBeGreaterThan(10);
  });

  it('finds the actors whose own claims target a country or a sector, as far as the caller may see the claims', async () => {
    const analyst = await server.key('ANALYST', 'AMBER');
    const green = await server.key('READER', 'GREEN');
    const m = mutator(server, analyst);
    const ids = await server.query(`{
      lazarus: actor(externalId: "G0032") { id } apt38: actor(externalId: "G0082") { id } sources(first: 1) { nodes { id } }
    }`);
    const source = ids.sources.nodes[0].id;
    const bank = await m('createVictim', {
      name: 'A Seoul exchange (test)',
      kind: 'ORGANIZATION',
      country: 'KR',
      sector: 'Finance',
    });
    await m('recordTargeting', { by: ids.lazarus.id, victim: bank, sources: [{ source }] });
    await m('recordTargeting', { by: ids.apt38.id, victim: bank, tlp: 'AMBER', sources: [{ source }] });
    const ask = `{
      kr: actors(filter: { targetsCountry: "kr" }, first: 100) { nodes { name } }
      finance: actors(filter: { targetsSector: "financial services" }, first: 100) { nodes { name } }
    }`;
    const names = (list: any) => list.nodes.map((n: any) => n.name);
    const [amber, greenView] = [await server.query(ask, {}, analyst), await server.query(ask, {}, green)];
    for (const list of [amber.kr, amber.finance])
      expect(names(list)).toEqual(expect.arrayContaining(['APT38', 'Lazarus Group']));
    for (const list of [greenView.kr, greenView.finance]) {
      expect(names(list)).toContain('Lazarus Group');
      expect(names(list)).not.toContain('APT38');
    }
  });
});

describe(`ATT&CK Navigator layers (${databaseLabel})`, () => {
  it("gives Lazarus Group's techniques as a layer 4.5, scored direct / via / both, each comment naming sources", async () => {
    const { actor } = await server.query(`{ actor(externalId: "G0032") { id } }`);
    const { navigatorLayer: layer } = await server.query(`query($ids: [ID!]!) { navigatorLayer(ids: $ids) }`, {
      ids: [actor.id],
    });
    checkLayerFormat(layer);
    const edges = await lazarusTechniques();
    expect(layer.techniques.map((t: any) => t.techniqueID).sort()).toEqual(edges.map((e) => e.node.attackId).sort());
    const byId = new Map(edges.map((e) => [e.node.attackId, e]));
    for (const t of layer.techniques) {
      const e = byId.get(t.techniqueID)!;
      const via = e.viaCampaigns.length + e.viaTools.length > 0;
      expect(t.score, t.techniqueID).toBe((e.direct ? 2 : 0) + (via ? 1 : 0));
      expect(t.comment).toMatch(/^Lazarus Group: /);
    }
    // The FakeTLS procedure cites Novetta's Operation Blockbuster report (its title, parsed from ATT&CK's citation).
    expect(layer.techniques.find((t: any) => t.techniqueID === 'T1001.003').comment).toMatch(/Sources: .*Blockbuster/);
  });

  it('compares APT38 and Lazarus Group: 1 APT38 only, 2 Lazarus only, 3 both', async () => {
    const ids = await server.query(
      `{ apt38: actor(externalId: "G0082") { id } lazarus: actor(externalId: "G0032") { id } }`,
    );
    const { navigatorLayer: layer } = await server.query(`query($ids: [ID!]!) { navigatorLayer(ids: $ids) }`, {
      ids: [ids.apt38.id, ids.lazarus.id],
    });
    checkLayerFormat(layer);
    const apt38 = new Set((await techniquesOf('G0082')).map((e) => e.node.attackId));
    const lazarusSet = new Set((await lazarusTechniques()).map((e) => e.node.attackId));
    expect(layer.techniques).toHaveLength(new Set([...apt38, ...lazarusSet]).size);
    for (const t of layer.techniques)
      expect(t.score, t.techniqueID).toBe((apt38.has(t.techniqueID) ? 1 : 0) + (lazarusSet.has(t.techniqueID) ? 2 : 0));
    expect(layer.techniques.some((t: any) => t.score === 3)).toBe(true);
    const refused = await server.raw(`query($ids: [ID!]!) { navigatorLayer(ids: $ids) }`, {
      ids: [ids.apt38.id, Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64')],
    });
    expect(refused.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe(`compareActors (${databaseLabel})`, () => {
  const compare = `query($ids: [ID!]!) { compareActors(ids: $ids) {
    actors { name }
    techniques { shared technique { attackId } actors { name } claims { by { __typename } } }
    tools { shared tool { name } actors { name } claims { by { ... on Actor { name } ... on Campaign { name } } } }
    names { shared value names { owner { ... on Actor { name } } } }
    victims { shared }
  } }`;

  it('answers "is APT38 the same as Lazarus Group?" with what they share and what sets them apart, and the claims', async () => {
    const ids = await server.query(
      `{ apt38: actor(externalId: "G0082") { id } lazarus: actor(externalId: "G0032") { id } }`,
    );
    const { compareActors: c } = await server.query(compare, { ids: [ids.apt38.id, ids.lazarus.id] });
    expect(c.actors.map((a: any) => a.name)).toEqual(['APT38', 'Lazarus Group']);
    const lazarusSet = new Set((await lazarusTechniques()).map((e) => e.node.attackId));
    const apt38 = new Set((await techniquesOf('G0082')).map((e) => e.node.attackId));
    const shared = c.techniques.filter((t: any) => t.shared).map((t: any) => t.technique.attackId);
    expect(new Set(shared)).toEqual(new Set([...apt38].filter((t) => lazarusSet.has(t))));
    expect(c.techniques).toHaveLength(new Set([...apt38, ...lazarusSet]).size);
    for (const t of c.techniques) {
      expect(t.actors.map((a: any) => a.name)).toEqual(
        ['APT38', 'Lazarus Group'].filter((n) => (n === 'APT38' ? apt38 : lazarusSet).has(t.technique.attackId)),
      );
      expect(t.claims.length).toBeGreaterThan(0);
    }
    // Shared items first; each shared tool with a claim behind each actor (its own or its campaigns').
    expect(c.techniques.findIndex((t: any) => !t.shared)).toBe(shared.length);
    for (const tool of c.tools.filter((x: any) => x.shared)) expect(tool.actors).toHaveLength(2);
    for (const name of c.names.filter((n: any) => n.shared))
      expect(new Set(name.names.map((n: any) => n.owner.name))).toEqual(new Set(['APT38', 'Lazarus Group']));
  });

  it('refuses fewer than two actors and answers a hidden one as a missing one', async () => {
    const ids = await server.query(`{ apt38: actor(externalId: "G0082") { id } }`);
    const one = await server.raw(compare, { ids: [ids.apt38.id, ids.apt38.id] });
    expect(one.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await server.raw(compare, {
      ids: [ids.apt38.id, Buffer.from('Actor:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64')],
    });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe(`techniques in STIX 2.1 (${databaseLabel})`, () => {
  it('exports attack-patterns and their uses, valid, and a round trip through an empty database gives the same objects', async () => {
    const q = `{ campaign(externalId: "C0022") { techniqueUses { totalCount } stixBundle(depth: 1) } }`;
    const { campaign } = await server.query(q);
    const first = campaign.stixBundle;
    expect(stixValidator()(first)).toEqual([]);
    const patterns = first.objects.filter((o: any) => o.type === 'attack-pattern');
    const byId = new Map(first.objects.map((o: any) => [o.id, o]));
    const dreamJob = first.objects.find((o: any) => o.type === 'campaign');
    const uses = first.objects.filter(
      (o: any) =>
        o.relationship_type === 'uses' && o.source_ref === dreamJob.id && o.target_ref.startsWith('attack-pattern--'),
    );
    expect(uses).toHaveLength(campaign.techniqueUses.totalCount);
    // As ATT&CK gives them: the ATT&CK id and page, tactics as kill-chain phases, platforms, sub-technique links.
    const phishing = patterns.find((p: any) => p.external_references[0].external_id === 'T1566.001');
    const original = [...techniquesFile].find((o) => o.id === phishing.id)!;
    expect(phishing).toMatchObject({
      name: original.name,
      description: original.description,
      kill_chain_phases: original.kill_chain_phases,
      x_mitre_platforms: original.x_mitre_platforms,
      x_mitre_is_subtechnique: true,
      created: original.created,
      modified: original.modified,
    });
    const parentLink = first.objects.find(
      (o: any) => o.relationship_type === 'subtechnique-of' && o.source_ref === phishing.id,
    );
    if (parentLink) expect((byId.get(parentLink.target_ref) as any).external_references[0].external_id).toBe('T1566');
    const dir = await mkdtemp(path.join(tmpdir(), 'techniques-roundtrip-'));
    const file = path.join(dir, 'dream-job.json');
    await writeFile(file, JSON.stringify(first));
    const empty = await startTestServer({ SEED_ON_START: 'false' });
    try {
      const { loadSeeds } = await import('../src/ingest/load-seeds.js');
      await loadSeeds(empty.app.prisma, [file]);
      const again = (await empty.query(q)).campaign.stixBundle;
      expect(again.objects).toEqual(first.objects);
    } finally {
      await empty.stop();
    }
    const validator = path.join(projectRoot, '../shared/tools/stix-clients/stix-validate');
    if (existsSync(validator)) {
      const run = await promisify(execFile)(validator, [file], { maxBuffer: 64 * 1024 * 1024 }).catch((e) => e);
      expect(run.code ?? 0, `${run.stdout}\n${run.stderr}`).toBe(0);
    }
  });
});

describe(`technique uses: writes and clearance (${databaseLabel})`, () => {
  it('records, changes and deletes a technique use (audited); a marked one is hidden below its marking', async () => {
    const analyst = await server.key('ANALYST', 'AMBER');
    const green = await server.key('READER', 'GREEN');
    const ids = await server.query(`{
      actor(name: "Lazarus Group") { id techniques { totalCount } }
      technique(externalId: "T1027.013") { id }
      sources(first: 1) { nodes { id } }
    }`);
    const before = ids.actor.techniques.totalCount;
    const recorded = await server.raw<any>(
      `mutation($i: RecordTechniqueUseInput!) { recordTechniqueUse(input: $i) { id version tlp note by { ... on Actor { name } } technique { attackId } } }`,
      {
        i: {
          by: ids.actor.id,
          technique: ids.technique.id,
          note: 'Encrypted its payloads (amber procedure).',
          tlp: 'AMBER',
          sources: [{ source: ids.sources.nodes[0].id }],
        },
      },
      analyst,
    );
    expect(recorded.errors).toBeUndefined();
    const use = recorded.data.recordTechniqueUse;
    expect(use).toMatchObject({ tlp: 'AMBER', by: { name: 'Lazarus Group' }, technique: { attackId: 'T1027.013' } });
    const count = `{ actor(name: "Lazarus Group") { techniques { totalCount } techniqueUses { totalCount } } }`;
    const [amberView, greenView] = [await server.query(count, {}, analyst), await server.query(count, {}, green)];
    expect(greenView.actor.techniqueUses.totalCount).toBe(amberView.actor.techniqueUses.totalCount - 1);
    // Hidden answers exactly like missing: node(id:) NOT_FOUND for the GREEN reader.
    const hidden = await server.raw<any>(`query($id: ID!) { node(id: $id) { id } }`, { id: use.id }, green);
    const missing = await server.raw<any>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: Buffer.from('TechniqueUse:2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01').toString('base64') },
      green,
    );
    expect(hidden.errors?.[0].extensions?.code).toBe(missing.errors?.[0].extensions?.code);
    expect(amberView.actor.techniques.totalCount).toBeGreaterThanOrEqual(before);
    const updated = await server.raw<any>(
      `mutation($i: UpdateTechniqueUseInput!) { updateTechniqueUse(input: $i) { version confidence } }`,
      { i: { id: use.id, expectedVersion: use.version, confidence: 80 } },
      analyst,
    );
    expect(updated.data.updateTechniqueUse).toEqual({ version: use.version + 1, confidence: 80 });
    const refused = await server.raw<any>(
      `mutation($id: ID!) { deleteTechniqueUse(id: $id, expectedVersion: 1) { id } }`,
      { id: use.id },
      await server.key('ANALYST', 'GREEN'),
    );
    expect(refused.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const deleted = await server.raw<any>(
      `mutation($id: ID!) { deleteTechniqueUse(id: $id, expectedVersion: 2) { id } }`,
      { id: use.id },
      analyst,
    );
    expect(deleted.errors).toBeUndefined();
    const audit = await server.prisma.auditEntry.findMany({
      where: { entityType: 'TechniqueUse' },
      orderBy: { at: 'asc' },
    });
    expect(audit.map((a) => a.operation)).toEqual(['recordTechniqueUse', 'updateTechniqueUse', 'deleteTechniqueUse']);
  });
});
