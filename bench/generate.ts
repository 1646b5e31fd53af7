// The benchmark's synthetic dataset: deterministic (a seeded PRNG: the same scale gives the same rows,
// ids included), at scale S (1k actors, 5k campaigns, 20k victims, 2k sources, ~100k claims and
// citations) or M (10× S), plus one "hot" actor with ~50k targeted victims to expose over-fetching.
//
// Invented data, written straight into the tables with multi-row INSERTs: it stands for "many actors",
// not for real ones (names are "Synthetic Actor 0042"), and it is loaded far faster than the write path
// could (which checks every reference one by one). The schema is the project's own, applied by its
// migrations first.
import type pg from 'pg';

export type Scale = 'S' | 'M';
export const scales: Record<
  Scale,
  { actors: number; campaigns: number; victims: number; sources: number; tools: number; hotVictims: number }
> = {
  S: { actors: 1_000, campaigns: 5_000, victims: 20_000, sources: 2_000, tools: 500, hotVictims: 50_000 },
  M: { actors: 10_000, campaigns: 50_000, victims: 200_000, sources: 20_000, tools: 5_000, hotVictims: 50_000 },
};
/** Bumped when the generator changes: a database made by another version is made again. */
export const GENERATOR_VERSION = 2;
export const HOT_ACTOR_KEY = 'synthetic-hot-actor';

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = [
  'ka',
  'zu',
  'ro',
  'mi',
  'tan',
  'vel',
  'dor',
  'shi',
  'ax',
  'qu',
  'lin',
  'bor',
  'ne',
  'tra',
  'gho',
  'pel',
  'sar',
  'vin',
  'ul',
  'zet',
];
const countries = ['KP', 'RU', 'CN', 'IR', 'US', 'KR', 'JP', 'DE', 'FR', 'GB', 'IL', 'IN', 'VN', 'BR', 'UA', 'TR'];
const sectors = [
  'finance',
  'cryptocurrency',
  'government',
  'defense',
  'energy',
  'healthcare',
  'telecommunications',
  'media',
  'education',
  'manufacturing',
];

type Rows = Record<string, unknown[]>;

/** Column arrays for one table, appended to row by row. */
class Table {
  readonly columns: Rows = {};
  length = 0;
  constructor(
    readonly name: string,
    readonly types: Record<string, string>,
  ) {
    for (const c of Object.keys(types)) this.columns[c] = [];
  }
  add(row: Record<string, unknown>) {
    for (const c of Object.keys(this.types)) this.columns[c].push(row[c] ?? null);
    this.length++;
  }
}

export function generate(scale: Scale) {
  const n = scales[scale];
  const random = prng(scale === 'S' ? 20260101 : 20260202);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(xs: T[]) => xs[int(xs.length)];
  let counter = 0;
  // Deterministic v4-shaped UUIDs: from the PRNG, not from crypto.
  const uuid = () => {
    counter++;
    const hex = Array.from({ length: 32 }, () => int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const word = () => Array.from({ length: 2 + int(2) }, () => pick(syllables)).join('');
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  const day = (from: number, span: number) => new Date(Date.UTC(from, 0, 1) + int(span * 365) * 86_400_000);
  const now = new Date(Date.UTC(2026, 0, 1));
  const stamps = { createdAt: now, updatedAt: now };

  const t = {
    organization: new Table('Organization', {
      id: 'uuid',
      key: 'text',
      name: 'text',
      country: 'bpchar',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    source: new Table('Source', {
      id: 'uuid',
      key: 'text',
      title: 'text',
      url: 'text',
      publishedOn: 'date',
      kind: '"SourceKind"',
      publisherId: 'uuid',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    actor: new Table('Actor', {
      id: 'uuid',
      key: 'text',
      name: 'text',
      description: 'text',
      originCountry: 'bpchar',
      motivations: 'text[]',
      firstSeen: 'date',
      lastSeen: 'date',
      searchText: 'text',
      dataset: 'text',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    campaign: new Table('Campaign', {
      id: 'uuid',
      key: 'text',
      name: 'text',
      description: 'text',
      firstSeen: 'date',
      lastSeen: 'date',
      searchText: 'text',
      dataset: 'text',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    tool: new Table('Tool', {
      id: 'uuid',
      key: 'text',
      name: 'text',
      kind: '"ToolKind"',
      malwareTypes: 'text[]',
      searchText: 'text',
      dataset: 'text',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    victim: new Table('Victim', {
      id: 'uuid',
      key: 'text',
      name: 'text',
      kind: '"VictimKind"',
      country: 'bpchar',
      sector: 'text',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    name: new Table('Name', {
      id: 'uuid',
      value: 'text',
      normalized: 'text',
      coinedById: 'uuid',
      actorId: 'uuid',
      campaignId: 'uuid',
      toolId: 'uuid',
      createdAt: 'timestamp',
    }),
    attribution: new Table('Attribution', {
      id: 'uuid',
      key: 'text',
      campaignId: 'uuid',
      actorId: 'uuid',
      confidence: 'int4',
      assessedOn: 'date',
      status: '"ClaimStatus"',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    toolUsage: new Table('ToolUsage', {
      id: 'uuid',
      key: 'text',
      actorId: 'uuid',
      campaignId: 'uuid',
      toolId: 'uuid',
      confidence: 'int4',
      status: '"ClaimStatus"',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    targeting: new Table('Targeting', {
      id: 'uuid',
      key: 'text',
      actorId: 'uuid',
      campaignId: 'uuid',
      victimId: 'uuid',
      confidence: 'int4',
      status: '"ClaimStatus"',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    technique: new Table('Technique', {
      id: 'uuid',
      key: 'text',
      attackId: 'text',
      name: 'text',
      tactics: 'text[]',
      platforms: 'text[]',
      isSubtechnique: 'bool',
      parentId: 'uuid',
      searchText: 'text',
      dataset: 'text',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    techniqueUse: new Table('TechniqueUse', {
      id: 'uuid',
      key: 'text',
      actorId: 'uuid',
      campaignId: 'uuid',
      toolId: 'uuid',
      techniqueId: 'uuid',
      confidence: 'int4',
      status: '"ClaimStatus"',
      createdAt: 'timestamp',
      updatedAt: 'timestamp',
    }),
    citation: new Table('Citation', {
      id: 'uuid',
      sourceId: 'uuid',
      nameId: 'uuid',
      attributionId: 'uuid',
      toolUsageId: 'uuid',
      targetingId: 'uuid',
      techniqueUseId: 'uuid',
      createdAt: 'timestamp',
    }),
  };

  const orgs = Array.from({ length: 40 }, (_, i) => {
    const id = uuid();
    t.organization.add({
      id,
      key: `synthetic-vendor-${i}`,
      name: `${cap(word())} Security ${i}`,
      country: pick(countries),
      ...stamps,
    });
    return id;
  });
  const sources = Array.from({ length: n.sources }, (_, i) => {
    const id = uuid();
    t.source.add({
      id,
      key: `synthetic-source-${i}`,
      title: `Report ${i}: ${cap(word())} ${word()}`,
      url: `https://reports.example.org/${i}`,
      publishedOn: day(2012, 14),
      kind: 'REPORT',
      publisherId: pick(orgs),
      ...stamps,
    });
    return id;
  });
  const cite = (target: Record<string, string>) =>
    t.citation.add({ id: uuid(), sourceId: pick(sources), ...target, createdAt: now });
  const names = (owner: 'actorId' | 'campaignId' | 'toolId', id: string, values: string[]) => {
    for (const value of [...new Set(values)]) {
      const nameId = uuid();
      t.name.add({
        id: nameId,
        value,
        normalized: value.toLowerCase().replace(/[^a-z0-9]+/g, ''),
        coinedById: pick(orgs),
        [owner]: id,
        createdAt: now,
      });
      cite({ nameId });
    }
  };
  const entity = (
    table: Table,
    owner: 'actorId' | 'campaignId' | 'toolId',
    i: number,
    prefix: string,
    extra: Record<string, unknown>,
  ) => {
    const id = uuid();
    const name = `${prefix} ${String(i).padStart(5, '0')} ${cap(word())}`;
    const aliases = [
      name,
      `${cap(word())} ${pick(['Panda', 'Bear', 'Kitten', 'Chollima', 'Spider', 'Typhoon', 'Sleet'])}`,
      `TA${1000 + i}`,
    ];
    table.add({
      id,
      key: `${prefix.toLowerCase().replace(/ /g, '-')}-${i}`,
      name,
      searchText: aliases.join(' ').toLowerCase(),
      dataset: 'synthetic',
      ...extra,
      ...stamps,
    });
    names(owner, id, aliases);
    return id;
  };

  const actors = Array.from({ length: n.actors }, (_, i) =>
    entity(t.actor, 'actorId', i, 'Synthetic Actor', {
      description: `Synthetic actor ${i}.`,
      originCountry: pick(countries),
      motivations: [pick(['financial-gain', 'espionage', 'sabotage'])],
      firstSeen: day(2008, 8),
      lastSeen: day(2018, 8),
    }),
  );
  const campaigns = Array.from({ length: n.campaigns }, (_, i) =>
    entity(t.campaign, 'campaignId', i, 'Synthetic Campaign', {
      description: `Synthetic campaign ${i}.`,
      firstSeen: day(2010, 10),
      lastSeen: day(2020, 6),
    }),
  );
  const tools = Array.from({ length: n.tools }, (_, i) =>
    entity(t.tool, 'toolId', i, 'Synthetic Tool', {
      kind: random() < 0.7 ? 'MALWARE' : 'TOOL',
      malwareTypes: [pick(['backdoor', 'rat', 'downloader', 'stealer'])],
    }),
  );
  const victims = Array.from({ length: n.victims }, (_, i) => {
    const id = uuid();
    const kind = i < countries.length ? 'COUNTRY' : i < countries.length + sectors.length ? 'SECTOR' : 'ORGANIZATION';
    t.victim.add({
      id,
      key: `synthetic-victim-${i}`,
      name: `Victim ${String(i).padStart(6, '0')} ${cap(word())}`,
      kind,
      country: pick(countries),
      sector: pick(sectors),
      ...stamps,
    });
    return id;
  });

  // ATT&CK-sized techniques: 600, the first 100 with two sub-techniques each.
  const tactics = ['initial-access', 'execution', 'persistence', 'defense-evasion', 'credential-access', 'discovery'];
  const techniques: string[] = [];
  for (let i = 0; i < 600; i++) {
    const technique = (attackId: string, parentId: string | null) => {
      const id = uuid();
      const name = `${cap(word())} ${cap(word())}`;
      t.technique.add({
        id,
        key: `synthetic-technique-${attackId}`,
        attackId,
        name,
        tactics: [pick(tactics)],
        platforms: ['Windows'],
        isSubtechnique: parentId !== null,
        parentId,
        searchText: name.toLowerCase(),
        dataset: 'synthetic',
        ...stamps,
      });
      techniques.push(id);
      return id;
    };
    const parent = technique(`T${1000 + i}`, null);
    if (i < 100) for (let k = 1; k <= 2; k++) technique(`T${1000 + i}.00${k}`, parent);
  }

  let claims = 0;
  const claim = (
    table: Table,
    fk: 'attributionId' | 'toolUsageId' | 'targetingId' | 'techniqueUseId',
    row: Record<string, unknown>,
  ) => {
    const id = uuid();
    table.add({
      id,
      key: `synthetic-${table.name.toLowerCase()}-${claims++}`,
      confidence: 15 + int(80),
      status: 'CURRENT',
      ...row,
      ...stamps,
    });
    cite({ [fk]: id });
  };
  // Every campaign is attributed to one actor (some to two: conflicting assessments), uses 2 tools
  // and targets 4 victims; every actor uses 3 tools and targets 5 victims directly.
  for (const [i, c] of campaigns.entries()) {
    claim(t.attribution, 'attributionId', {
      campaignId: c,
      actorId: actors[i % actors.length],
      assessedOn: day(2012, 14),
    });
    if (i % 10 === 0)
      claim(t.attribution, 'attributionId', { campaignId: c, actorId: pick(actors), assessedOn: day(2012, 14) });
    for (let k = 0; k < 2; k++) claim(t.toolUsage, 'toolUsageId', { campaignId: c, toolId: pick(tools) });
    for (let k = 0; k < 4; k++) claim(t.targeting, 'targetingId', { campaignId: c, victimId: pick(victims) });
    for (let k = 0; k < 2; k++)
      claim(t.techniqueUse, 'techniqueUseId', { campaignId: c, techniqueId: pick(techniques) });
  }
  // Every tool uses 8 techniques, every actor 6 of its own (as ATT&CK's software and groups do).
  for (const tool of tools)
    for (let k = 0; k < 8; k++)
      claim(t.techniqueUse, 'techniqueUseId', { toolId: tool, techniqueId: pick(techniques) });
  for (const a of actors) {
    for (let k = 0; k < 3; k++) claim(t.toolUsage, 'toolUsageId', { actorId: a, toolId: pick(tools) });
    for (let k = 0; k < 5; k++) claim(t.targeting, 'targetingId', { actorId: a, victimId: pick(victims) });
    for (let k = 0; k < 6; k++) claim(t.techniqueUse, 'techniqueUseId', { actorId: a, techniqueId: pick(techniques) });
  }
  // The hot actor: one actor behind ~50k targetings (every victim at least once).
  const hot = entity(t.actor, 'actorId', n.actors, 'Synthetic Hot Actor', {
    description: 'The actor with the most victims.',
    originCountry: 'KP',
    motivations: ['financial-gain'],
  });
  t.actor.columns.key[t.actor.length - 1] = HOT_ACTOR_KEY;
  for (let k = 0; k < n.hotVictims; k++)
    claim(t.targeting, 'targetingId', { actorId: hot, victimId: victims[k % victims.length] });
  // ... and uses 300 techniques of its own, and 20 tools (each with its 8).
  for (let k = 0; k < 300; k++) claim(t.techniqueUse, 'techniqueUseId', { actorId: hot, techniqueId: techniques[k] });
  for (let k = 0; k < 20; k++) claim(t.toolUsage, 'toolUsageId', { actorId: hot, toolId: tools[k] });
  return { tables: Object.values(t), hotActorId: hot, counter };
}

/** Inserts the tables in batches of `batch` rows: one statement per batch, arrays unnested. */
export async function insertTables(client: pg.ClientBase, tables: Table[], batch = 5_000) {
  for (const table of tables) {
    const cols = Object.keys(table.types);
    const list = cols.map((c) => `"${c}"`).join(', ');
    const unnest = cols
      .map((c, i) => `$${i + 1}::${table.types[c].endsWith('[]') ? 'text' : table.types[c]}[]`)
      .join(', ');
    for (let start = 0; start < table.length; start += batch) {
      const slice = cols.map((c) => {
        const values = table.columns[c].slice(start, start + batch);
        // Arrays of arrays do not unnest one level: text[] columns travel as their literal form.
        return table.types[c].endsWith('[]')
          ? values.map((v) => `{${(v as string[]).map((x) => `"${x}"`).join(',')}}`)
          : values;
      });
      const casts = cols.map((c, i) => (table.types[c].endsWith('[]') ? `u${i}::text[]` : `u${i}`)).join(', ');
      const names = cols.map((_, i) => `u${i}`).join(', ');
      await client.query(
        `INSERT INTO "${table.name}" (${list}) SELECT ${casts} FROM unnest(${unnest}) AS x(${names})`,
        slice,
      );
    }
  }
}
