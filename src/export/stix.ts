// The graph → STIX 2.1 bundles: an actor, campaign or tool with its neighbourhood (depth 1 or 2), a
// source with what it supports, or the whole database. Output is stable: the same data gives the same
// bundle (ids, timestamps, order), and a bundle imported into an empty database exports the same again.
//
// - Ids: a record's STIX id when it has one (imported objects keep theirs), else a UUIDv5 of its key.
// - Names → `aliases`; each name that has sources gets an external reference named after it, with
//   "(Citation: title)" markers naming the sources (ATT&CK's convention, which the importer reads back).
// - Claims → relationships `attributed-to`, `uses`, `targets` (an attribution to an actor the source
//   only describes in words has no STIX target and is left out); associations → relationships named
//   after their kind (`variant-of` is STIX's own; `overlaps`, `linked-to` ... are custom types, which
//   STIX 2.1 allows and which this importer and MISP read back).
import { v5 as uuidv5 } from 'uuid';

import { tlpLevels } from '../auth/principal.js';
import {
  visibleCitation,
  visibleCitationAnyWay,
  visibleFact,
  visibleRecord,
  visibleSource,
} from '../auth/visibility.js';
import type { Db } from '../db.js';
import { notFound } from '../errors.js';
import type { Prisma, Tlp } from '../generated/prisma/client.js';
import { associationTypeOf } from '../ingest/association-kinds.js';
import { type FactScope, knownCitationWhere, knownWhere } from '../schema/known-at.js';
import { foldWord } from '../write/vocabularies.js';

const NAMESPACE = '6c4b8f0e-2f5e-4c4e-9a52-6e1f6a0f3b7d'; // this API's namespace for UUIDv5 STIX ids

type StixObject = Record<string, unknown> & { type: string; id: string };
export type StixBundle = { type: 'bundle'; id: string; objects: StixObject[] };

const iso = (d: Date) => d.toISOString();

// What a caller may see decides what a bundle holds: marked names, claims and sources above the
// caller's clearance are left out, as from every other read path; under `knownAt` (scope.known), only
// the names and claims with a source published by then, and only those citations.
const factWhere = ({ clearance, known }: FactScope) =>
  known ? { AND: [visibleFact(clearance), knownWhere(known)] } : visibleFact(clearance);
const citationsWithSource = ({ clearance, known }: FactScope) => ({
  where: known ? { AND: [visibleCitation(clearance), knownCitationWhere(known)] } : visibleCitation(clearance),
  include: { source: true },
  orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }],
});
const entityInclude = (scope: FactScope) => ({
  names: {
    where: factWhere(scope),
    include: { citations: citationsWithSource(scope) },
    orderBy: [{ value: 'asc' as const }, { id: 'asc' as const }],
  },
  externalIds: { orderBy: [{ system: 'asc' as const }, { value: 'asc' as const }] },
  citations: citationsWithSource(scope),
});
type Cited = { citations: { excerpt: string | null; source: { id: string; title: string; url: string | null } }[] };
type Entity = {
  id: string;
  key: string;
  /** The dataset the fields come from (see stixIdOf). */
  dataset: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  modifiedAt: Date | null;
  revoked: boolean;
  tlp: Tlp;
} & Cited & {
    names: ({ value: string; visibility: Tlp } & Cited)[];
    externalIds: { system: string; value: string; url: string | null }[];
  };

function stixIdOf(
  kind: string,
  record: { key: string; dataset?: string; externalIds?: { system: string; value: string }[] },
  type: string,
  stixDatasets?: Map<string, string>,
) {
  const held = (record.externalIds ?? [])
    .filter((x) => x.system === 'stix' && x.value.startsWith(`${type}--`))
    .map((x) => x.value);
  // A STIX id belongs to the dataset that published the object: an entity shows it only when its fields
  // come from that dataset. One whose fields come elsewhere (the curated Lazarus Group, which combines
  // ATT&CK's intrusion set) gets an id of its own and names the object in external_references. Ids no
  // record holds (a database from before records were kept) are shown as before.
  const published = held.find((v) => stixDatasets?.get(v) === record.dataset);
  if (published) return published;
  if (held.length && !held.some((v) => stixDatasets?.has(v))) return held[0];
  if (record.key.startsWith(`${type}--`)) return record.key;
  return `${type}--${uuidv5(`${kind}:${record.key}`, NAMESPACE)}`;
}

/**
 * External references: the record's identifiers (the STIX objects it combines, other than the one it
 * is, among them), its aliases' citations, and every source it cites.
 */
function references(e: Entity, id: string) {
  const refs: Record<string, unknown>[] = [];
  for (const x of e.externalIds)
    if (x.system !== 'misp' && x.value !== id)
      refs.push(clean({ source_name: x.system, external_id: x.value, url: x.url ?? undefined }));
  const sources = new Map<string, { title: string; url: string | null }>();
  const cite = (c: Cited['citations'][number]) => sources.set(c.source.id, c.source);
  for (const n of e.names) {
    n.citations.forEach(cite);
    // Markers in title order: the order citations were stored in is not the same in every database.
    const titles = [...new Set(n.citations.map((c) => c.source.title))].sort();
    if (titles.length) refs.push({ source_name: n.value, description: titles.map((t) => `(Citation: ${t})`).join('') });
  }
  e.citations.forEach(cite);
  for (const s of [...sources.values()].sort((a, b) => (a.url ?? a.title).localeCompare(b.url ?? b.title))) {
    if (s.url) refs.push({ source_name: s.title, url: s.url });
  }
  return refs;
}

/**
 * TLP 2.0 marking definitions as OASIS publishes them (fixed ids, the TLP 2.0 extension), for what an
 * export marks: a claim by its visibility (its own marking raised by its sources'), a source by its
 * marking. TLP:CLEAR is left unmarked.
 */
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
const tlpMarkingIds: Record<Exclude<Tlp, 'CLEAR'>, string> = {
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  AMBER_STRICT: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
const markingRefs = (tlp: Tlp) => (tlp === 'CLEAR' ? undefined : [tlpMarkingIds[tlp]]);
const tlpMarkingDefinition = (tlp: Exclude<Tlp, 'CLEAR'>): StixObject => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id: tlpMarkingIds[tlp],
  created: '2022-10-01T00:00:00.000Z',
  name: `TLP:${tlp.replace('_', '+')}`,
  extensions: {
    [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase().replace('_', '+') },
  },
});
/** The marking-definition objects that the objects refer to, to go in the same bundle. */
const markingDefinitionsFor = (objects: StixObject[]) => {
  const used = new Set(
    objects.flatMap((o) => [
      ...((o.object_marking_refs as string[] | undefined) ?? []),
      ...((o.granular_markings as { marking_ref: string }[] | undefined) ?? []).map((g) => g.marking_ref),
    ]),
  );
  return (Object.keys(tlpMarkingIds) as Exclude<Tlp, 'CLEAR'>[])
    .filter((t) => used.has(tlpMarkingIds[t]))
    .map(tlpMarkingDefinition);
};

const clean = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)),
  ) as T;

function sdo(type: string, e: Entity, extra: Record<string, unknown>, stixDatasets: Map<string, string>): StixObject {
  const id = stixIdOf(type, e, type, stixDatasets);
  const modified = e.modifiedAt ?? e.updatedAt;
  const created = e.createdAt < modified ? e.createdAt : modified;
  const aliases = e.names.filter((n) => n.value !== e.name);
  // An alias more marked than the record (its own marking, or only marked sources give it) is marked
  // where it stands: a granular marking on that entry of `aliases`.
  const granular = aliases.flatMap((n, i) =>
    tlpLevels.indexOf(n.visibility) > tlpLevels.indexOf(e.tlp)
      ? [{ marking_ref: tlpMarkingIds[n.visibility as Exclude<Tlp, 'CLEAR'>], selectors: [`aliases.[${i}]`] }]
      : [],
  );
  return clean({
    type,
    spec_version: '2.1',
    id,
    created: iso(created),
    modified: iso(modified),
    name: e.name,
    description: e.description ?? undefined,
    aliases: aliases.map((n) => n.value),
    revoked: e.revoked || undefined,
    external_references: references(e, id),
    object_marking_refs: markingRefs(e.tlp),
    granular_markings: granular,
    ...extra,
  }) as StixObject;
}

/**
 * A technique as ATT&CK's attack-pattern: its ATT&CK id and page, its tactics as kill-chain phases, its
 * platforms and whether it is a sub-technique (ATT&CK's x_mitre_ properties, which the importer reads back).
 */
function attackPattern(t: {
  key: string;
  attackId: string;
  name: string;
  description: string | null;
  url: string | null;
  tactics: string[];
  platforms: string[];
  isSubtechnique: boolean;
  revoked: boolean;
  deprecated: boolean;
  tlp: Tlp;
  createdAt: Date;
  updatedAt: Date;
  modifiedAt: Date | null;
}): StixObject {
  const modified = t.modifiedAt ?? t.updatedAt;
  return clean({
    type: 'attack-pattern',
    spec_version: '2.1',
    id: t.key.startsWith('attack-pattern--') ? t.key : `attack-pattern--${uuidv5(`technique:${t.key}`, NAMESPACE)}`,
    created: iso(t.createdAt < modified ? t.createdAt : modified),
    modified: iso(modified),
    name: t.name,
    description: t.description ?? undefined,
    revoked: t.revoked || undefined,
    external_references: [clean({ source_name: 'mitre-attack', external_id: t.attackId, url: t.url ?? undefined })],
    kill_chain_phases: t.tactics.map((phase_name) => ({ kill_chain_name: 'mitre-attack', phase_name })),
    x_mitre_platforms: t.platforms,
    x_mitre_is_subtechnique: t.isSubtechnique,
    x_mitre_deprecated: t.deprecated || undefined,
    object_marking_refs: markingRefs(t.tlp),
  }) as StixObject;
}

type Selection = { actors: Set<string>; campaigns: Set<string>; tools: Set<string>; victims: Set<string> };
const emptySelection = (): Selection => ({
  actors: new Set(),
  campaigns: new Set(),
  tools: new Set(),
  victims: new Set(),
});

/** Widens a selection by `depth` steps along attributions, tool usages, targetings and associations. */
async function neighbourhood(prisma: Db, scope: FactScope, start: Selection, depth: number) {
  const seen = factWhere(scope);
  const all = start;
  let frontier = start;
  for (let step = 0; step < depth; step++) {
    const a = [...frontier.actors],
      c = [...frontier.campaigns],
      t = [...frontier.tools],
      v = [...frontier.victims];
    const [attributions, usages, targetings, associations] = await Promise.all([
      prisma.attribution.findMany({
        where: {
          ...seen,
          OR: [{ actorId: { in: a } }, { subjectActorId: { in: a } }, { campaignId: { in: c } }, { toolId: { in: t } }],
        },
        select: { actorId: true, subjectActorId: true, campaignId: true, toolId: true },
      }),
      prisma.toolUsage.findMany({
        where: { ...seen, OR: [{ actorId: { in: a } }, { campaignId: { in: c } }, { toolId: { in: t } }] },
        select: { actorId: true, campaignId: true, toolId: true },
      }),
      prisma.targeting.findMany({
        where: { ...seen, OR: [{ actorId: { in: a } }, { campaignId: { in: c } }, { victimId: { in: v } }] },
        select: { actorId: true, campaignId: true, victimId: true },
      }),
      prisma.association.findMany({
        where: {
          ...seen,
          OR: [
            { fromActorId: { in: a } },
            { toActorId: { in: a } },
            { fromToolId: { in: t } },
            { toToolId: { in: t } },
          ],
        },
        select: { fromActorId: true, toActorId: true, fromToolId: true, toToolId: true },
      }),
    ]);
    const next = emptySelection();
    const add = (set: keyof Selection, id: string | null) => {
      if (id && !all[set].has(id)) {
        all[set].add(id);
        next[set].add(id);
      }
    };
    const ends: [keyof typeof all, string | null][] = [
      ...attributions.flatMap((x) => [
        ['actors', x.actorId],
        ['actors', x.subjectActorId],
        ['campaigns', x.campaignId],
        ['tools', x.toolId],
      ]),
      ...usages.flatMap((x) => [
        ['actors', x.actorId],
        ['campaigns', x.campaignId],
        ['tools', x.toolId],
      ]),
      ...targetings.flatMap((x) => [
        ['actors', x.actorId],
        ['campaigns', x.campaignId],
        ['victims', x.victimId],
      ]),
      ...associations.flatMap((x) => [
        ['actors', x.fromActorId],
        ['actors', x.toActorId],
        ['tools', x.fromToolId],
        ['tools', x.toToolId],
      ]),
    ] as [keyof typeof all, string | null][];
    for (const [set, id] of ends) add(set, id);
    frontier = next;
  }
  return all;
}

/** When each object's record last changed here, and the dataset it belongs to (for TAXII collections). */
/**
 * Where each exported object comes from: the row it was made from (`rowId`, whose change-log events
 * date it for TAXII), when that row last changed, and its dataset.
 */
export type Provenance = Map<string, { addedAt: Date; dataset: string | null; rowId?: string }>;

/** Builds the bundle of the selected records and every claim between them. */
async function bundleOf(
  prisma: Db,
  scope: FactScope,
  sel: Selection | 'all',
  extra: StixObject[] = [],
  provenance?: Provenance,
): Promise<StixBundle> {
  const { clearance } = scope;
  const where = (ids: Set<string>) => (sel === 'all' ? {} : { id: { in: [...ids] } });
  const pick = (key: keyof Selection) => (sel === 'all' ? undefined : sel[key]);
  const [actors, campaigns, tools, victims] = await Promise.all([
    prisma.actor.findMany({
      where: { ...where(pick('actors') ?? new Set()), ...visibleRecord(clearance) },
      include: entityInclude(scope),
    }),
    prisma.campaign.findMany({
      where: { ...where(pick('campaigns') ?? new Set()), ...visibleRecord(clearance) },
      include: entityInclude(scope),
    }),
    prisma.tool.findMany({
      where: { ...where(pick('tools') ?? new Set()), ...visibleRecord(clearance) },
      include: entityInclude(scope),
    }),
    prisma.victim.findMany({ where: { ...where(pick('victims') ?? new Set()), ...visibleRecord(clearance) } }),
  ]);
  const inSet = (ids: string[]) => ({ in: ids });
  const ids = {
    a: actors.map((x) => x.id),
    c: campaigns.map((x) => x.id),
    t: tools.map((x) => x.id),
    v: victims.map((x) => x.id),
  };
  const claimInclude = { citations: citationsWithSource(scope) };
  const seen = factWhere(scope);
  const [attributions, usages, targetings, associations] = await Promise.all([
    prisma.attribution.findMany({
      where: {
        ...seen,
        actorId: inSet(ids.a),
        OR: [{ campaignId: inSet(ids.c) }, { subjectActorId: inSet(ids.a) }, { toolId: inSet(ids.t) }],
      } as Prisma.AttributionWhereInput,
      include: claimInclude,
    }),
    prisma.toolUsage.findMany({
      where: { ...seen, toolId: inSet(ids.t), OR: [{ actorId: inSet(ids.a) }, { campaignId: inSet(ids.c) }] },
      include: claimInclude,
    }),
    prisma.targeting.findMany({
      where: { ...seen, victimId: inSet(ids.v), OR: [{ actorId: inSet(ids.a) }, { campaignId: inSet(ids.c) }] },
      include: claimInclude,
    }),
    prisma.association.findMany({
      where: {
        ...seen,
        OR: [
          { fromActorId: inSet(ids.a), toActorId: inSet(ids.a) },
          { fromToolId: inSet(ids.t), toToolId: inSet(ids.t) },
        ],
      },
      include: claimInclude,
    }),
  ]);

  // Technique uses of the selected actors, campaigns and tools, and the techniques they name (all of
  // them for the whole database): techniques are leaves, reached only through their uses.
  const techniqueUses = await prisma.techniqueUse.findMany({
    where:
      sel === 'all'
        ? seen
        : { ...seen, OR: [{ actorId: inSet(ids.a) }, { campaignId: inSet(ids.c) }, { toolId: inSet(ids.t) }] },
    include: claimInclude,
  });
  const techniques = await prisma.technique.findMany({
    where: {
      ...(sel === 'all' ? {} : { id: { in: [...new Set(techniqueUses.map((u) => u.techniqueId))] } }),
      ...visibleRecord(clearance),
    },
    orderBy: { id: 'asc' },
  });

  const idOf = new Map<string, string>();
  const objects: StixObject[] = [...extra];
  // Which dataset each STIX id the entities hold was published by (see stixIdOf).
  const stixIds = [...actors, ...campaigns, ...tools].flatMap((e) =>
    e.externalIds.filter((x) => x.system === 'stix').map((x) => x.value),
  );
  const stixDatasets = new Map(
    (
      await prisma.datasetRecord.findMany({
        where: { format: 'stix', identifier: { in: stixIds } },
        select: { identifier: true, dataset: true },
      })
    ).map((r) => [r.identifier, r.dataset]),
  );
  const note = (o: StixObject, record: { id: string; updatedAt: Date; dataset?: string }) =>
    provenance?.set(o.id, { addedAt: record.updatedAt, dataset: record.dataset ?? null, rowId: record.id });
  for (const a of actors) {
    const o = sdo(
      'intrusion-set',
      a,
      { first_seen: a.firstSeen && iso(a.firstSeen), last_seen: a.lastSeen && iso(a.lastSeen) },
      stixDatasets,
    );
    note(o, a);
    idOf.set(a.id, o.id);
    objects.push(o);
  }
  for (const c of campaigns) {
    const o = sdo(
      'campaign',
      c,
      {
        objective: c.objective ?? undefined,
        first_seen: c.firstSeen && iso(c.firstSeen),
        last_seen: c.lastSeen && iso(c.lastSeen),
      },
      stixDatasets,
    );
    note(o, c);
    idOf.set(c.id, o.id);
    objects.push(o);
  }
  for (const t of tools) {
    const type = t.kind === 'MALWARE' ? 'malware' : 'tool';
    const o = sdo(
      type,
      t,
      type === 'malware' ? { is_family: true, malware_types: t.malwareTypes } : { tool_types: t.malwareTypes },
      stixDatasets,
    );
    note(o, t);
    idOf.set(t.id, o.id);
    objects.push(o);
  }
  for (const v of victims) {
    const isLocation = v.kind === 'COUNTRY' || v.kind === 'REGION';
    const type = isLocation ? 'location' : 'identity';
    const o = clean({
      type,
      spec_version: '2.1',
      id: stixIdOf('victim', { key: v.key }, type),
      created: iso(v.createdAt < (v.modifiedAt ?? v.updatedAt) ? v.createdAt : (v.modifiedAt ?? v.updatedAt)),
      modified: iso(v.modifiedAt ?? v.updatedAt),
      name: v.name,
      description: v.description ?? undefined,
      object_marking_refs: markingRefs(v.tlp),
      ...(isLocation
        ? v.country
          ? { country: v.country }
          : { region: v.region ?? foldWord(v.name) }
        : {
            identity_class: v.kind === 'SECTOR' ? 'class' : 'organization',
            sectors: v.sector ? [v.sector] : undefined,
          }),
    }) as StixObject;
    note(o, v);
    idOf.set(v.id, o.id);
    objects.push(o);
  }
  for (const t of techniques) {
    const o = attackPattern(t);
    note(o, t);
    idOf.set(t.id, o.id);
    objects.push(o);
  }
  // A sub-technique's link to its parent, where both are in the bundle (an id of their keys: stable).
  for (const t of techniques) {
    const parent = t.parentId && idOf.get(t.parentId);
    if (!parent) continue;
    const modified = t.modifiedAt ?? t.updatedAt;
    const rel = clean({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuidv5(`subtechnique-of:${t.key}`, NAMESPACE)}`,
      created: iso(t.createdAt < modified ? t.createdAt : modified),
      modified: iso(modified),
      relationship_type: 'subtechnique-of',
      source_ref: idOf.get(t.id)!,
      target_ref: parent,
      object_marking_refs: markingRefs(t.tlp),
    }) as StixObject;
    objects.push(rel);
    provenance?.set(rel.id, { addedAt: t.updatedAt, dataset: t.dataset, rowId: t.id });
  }
  const relationship = (
    claim: {
      id: string;
      key: string;
      visibility: Tlp;
      confidence: number | null;
      note: string | null;
      firstObserved: Date | null;
      lastObserved: Date | null;
      createdAt: Date;
      updatedAt: Date;
      modifiedAt: Date | null;
      status: string;
    } & Cited,
    type: string,
    from: string | null,
    to: string | null,
  ) => {
    const source = from && idOf.get(from);
    const target = to && idOf.get(to);
    if (!source || !target) return;
    const refs = [
      ...new Map(
        claim.citations
          .filter((c) => c.source.url)
          .map((c) => [c.source.id, { source_name: c.source.title, url: c.source.url! }]),
      ).values(),
    ].sort((x, y) => x.source_name.localeCompare(y.source_name) || x.url.localeCompare(y.url));
    const stop =
      claim.lastObserved && claim.firstObserved && claim.lastObserved <= claim.firstObserved
        ? undefined
        : claim.lastObserved;
    const rel = clean({
      type: 'relationship',
      spec_version: '2.1',
      id: claim.key.startsWith('relationship--')
        ? claim.key
        : `relationship--${uuidv5(`claim:${claim.key}`, NAMESPACE)}`,
      created: iso(
        claim.createdAt < (claim.modifiedAt ?? claim.updatedAt)
          ? claim.createdAt
          : (claim.modifiedAt ?? claim.updatedAt),
      ),
      modified: iso(claim.modifiedAt ?? claim.updatedAt),
      relationship_type: type,
      source_ref: source,
      target_ref: target,
      description: claim.note ?? undefined,
      confidence: claim.confidence ?? undefined,
      start_time: claim.firstObserved ? iso(claim.firstObserved) : undefined,
      stop_time: stop ? iso(stop) : undefined,
      revoked: claim.status === 'RETRACTED' || undefined,
      external_references: refs,
      object_marking_refs: markingRefs(claim.visibility),
    }) as StixObject;
    objects.push(rel);
    // A relationship belongs to the dataset of the record it starts from.
    provenance?.set(rel.id, {
      addedAt: claim.updatedAt,
      dataset: provenance.get(source)?.dataset ?? null,
      rowId: claim.id,
    });
  };
  for (const a of attributions)
    relationship(a, 'attributed-to', a.campaignId ?? a.subjectActorId ?? a.toolId, a.actorId);
  for (const u of usages) relationship(u, 'uses', u.actorId ?? u.campaignId, u.toolId);
  for (const t of targetings) relationship(t, 'targets', t.actorId ?? t.campaignId, t.victimId);
  for (const u of techniqueUses) relationship(u, 'uses', u.actorId ?? u.campaignId ?? u.toolId, u.techniqueId);
  for (const x of associations)
    relationship(x, associationTypeOf(x.kind), x.fromActorId ?? x.fromToolId, x.toActorId ?? x.toToolId);

  objects.push(...markingDefinitionsFor(objects));
  objects.sort((x, y) => x.id.localeCompare(y.id));
  const bundleId = `bundle--${uuidv5(objects.map((o) => `${o.id}@${o.modified}`).join('|'), NAMESPACE)}`;
  return { type: 'bundle', id: bundleId, objects };
}

export type ExportRoot = { type: 'Actor' | 'Campaign' | 'Tool'; id: string };

/** A record with its neighbourhood: `depth` 1 adds what its claims name, 2 what theirs name too. */
export async function exportNeighbourhood(
  prisma: Db,
  scope: FactScope,
  root: ExportRoot,
  depth: 1 | 2,
): Promise<StixBundle> {
  const start = emptySelection();
  start[root.type === 'Actor' ? 'actors' : root.type === 'Campaign' ? 'campaigns' : 'tools'].add(root.id);
  return bundleOf(prisma, scope, await neighbourhood(prisma, scope, start, depth));
}

/** Everything in the database; with `provenance`, also when and from which dataset each object came. */
export function exportAll(prisma: Db, scope: FactScope, provenance?: Provenance): Promise<StixBundle> {
  return bundleOf(prisma, scope, 'all', [], provenance);
}

/** A source as a STIX report whose object_refs are the records and claims it supports. */
export async function exportSource(prisma: Db, scope: FactScope, sourceId: string): Promise<StixBundle> {
  const { clearance } = scope;
  const source = await prisma.source.findFirst({
    where: { id: sourceId, ...visibleSource(clearance) },
    include: {
      citations: {
        where: visibleCitationAnyWay(clearance),
        include: { name: true, attribution: true, toolUsage: true, targeting: true, association: true },
      },
    },
  });
  // A source above the caller's clearance is answered like one that does not exist.
  if (!source) throw notFound('source', 'that ID');
  const sel = emptySelection();
  for (const c of source.citations) {
    if (c.association) {
      for (const id of [c.association.fromActorId, c.association.toActorId]) if (id) sel.actors.add(id);
      for (const id of [c.association.fromToolId, c.association.toToolId]) if (id) sel.tools.add(id);
      continue;
    }
    const owner = c.name ?? c.attribution ?? c.toolUsage ?? c.targeting ?? c;
    const o = owner as {
      actorId?: string | null;
      subjectActorId?: string | null;
      campaignId?: string | null;
      toolId?: string | null;
      victimId?: string | null;
    };
    if (o.actorId) sel.actors.add(o.actorId);
    if (o.subjectActorId) sel.actors.add(o.subjectActorId);
    if (o.campaignId) sel.campaigns.add(o.campaignId);
    if (o.toolId) sel.tools.add(o.toolId);
    if (o.victimId) sel.victims.add(o.victimId);
  }
  const inner = await bundleOf(prisma, scope, sel);
  const published = source.publishedOn ?? source.createdAt;
  const report = clean({
    type: 'report',
    spec_version: '2.1',
    id: `report--${uuidv5(`source:${source.key}`, NAMESPACE)}`,
    created: iso(source.createdAt < source.updatedAt ? source.createdAt : source.updatedAt),
    modified: iso(source.updatedAt),
    name: source.title,
    description: source.note ?? undefined,
    published: iso(published),
    report_types: ['threat-report'],
    object_refs: inner.objects.map((o) => o.id),
    external_references: source.url ? [{ source_name: source.title, url: source.url }] : undefined,
    object_marking_refs: markingRefs(source.tlp),
  }) as StixObject;
  if (!inner.objects.length) return inner; // a report must reference something
  const objects = [...inner.objects, report];
  const missing = markingDefinitionsFor([report]).filter((d) => !objects.some((o) => o.id === d.id));
  return { ...inner, objects: [...objects, ...missing].sort((x, y) => x.id.localeCompare(y.id)) };
}
