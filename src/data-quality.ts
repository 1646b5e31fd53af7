// Figures about the data itself: `npm run data:report` prints them (and `--json`), the tests assert
// them. Each is read from the database as it is, for every clearance (the report is an operator's).
import type { Db } from './db.js';
import { activeBetween, datedActivity } from './schema/activity.js';
import { rankedHits } from './schema/search-ranking.js';
import { vocabularyTerms } from './schema/vocabulary-terms.js';
import { isAssignedCountry } from './write/countries.js';
import { importJoinNote } from './write/resolution.js';
import { normalizeName } from './write/rules.js';
import { canonicalUrl, titleFromUrl } from './write/source-urls.js';
import { type VocabularyKind, vocabularyKinds } from './write/vocabularies.js';

/**
 * Display names (normalised) that more than one current entity of a type shows, each with those
 * entities' ids and names, and how many current entities there are.
 */
export async function sharedDisplayNames(prisma: Db, model: 'actor' | 'campaign' | 'tool') {
  const rows = await (
    prisma[model] as unknown as { findMany(a: object): Promise<{ id: string; name: string }[]> }
  ).findMany({ where: { revoked: false, deprecated: false }, select: { id: true, name: true } });
  const byName = new Map<string, { id: string; name: string }[]>();
  for (const r of rows) byName.set(normalizeName(r.name), [...(byName.get(normalizeName(r.name)) ?? []), r]);
  return { current: rows.length, shared: [...byName].filter(([, entities]) => entities.length > 1) };
}

/**
 * Current actors whose display name, searched for, does not find an exact name (or alias) first: the
 * search ranks exact matches above partial ones (src/schema/search-ranking.ts). `every`: one actor in
 * so many (the tests sample; the report searches all).
 */
export async function actorsNotFoundFirst(prisma: Db, { every = 1 } = {}) {
  const actors = await prisma.actor.findMany({
    where: { revoked: false, deprecated: false },
    select: { name: true },
    orderBy: { name: 'asc' },
  });
  const missed: { name: string; first: string | null }[] = [];
  let searched = 0;
  for (const [i, { name }] of actors.entries()) {
    if (i % every !== 0 || normalizeName(name).length < 2) continue;
    searched++;
    const [first] = await rankedHits(prisma, 'RED', name, ['Actor', 'Campaign', 'Tool']);
    if (!first || normalizeName(first.matched ?? '') !== normalizeName(name))
      missed.push({ name, first: first?.matched ?? null });
  }
  return { searched, missed };
}

export type SourceCounts = { total: number; withPublisher: number; withDate: number; withTitle: number };

/**
 * Sources: how many, with a publisher, a date, a title of their own (not the URL an import had to
 * stand in for one), documents stored more than once (by canonical URL), and the same per dataset: a
 * dataset's sources are the documents its records cite (a STIX object's external references, a MISP
 * cluster's `refs`), matched by canonical URL, and its own `dataset-…` source; the curated seeds'
 * sources are those keyed by a person (imports key theirs `ref-…` or `dataset-…`). A document two
 * datasets cite counts in both; the total counts it once.
 */
export async function sourceFigures(prisma: Db) {
  const urls = new Map<string, Set<string>>();
  const records = await prisma.datasetRecord.findMany({ select: { dataset: true, format: true, original: true } });
  for (const r of records) {
    const o = r.original as { external_references?: { url?: unknown }[]; meta?: { refs?: unknown } };
    const cited =
      r.format === 'stix'
        ? (o.external_references ?? []).map((x) => x.url)
        : r.format === 'misp' && Array.isArray(o.meta?.refs)
          ? o.meta.refs
          : [];
    const set = urls.get(r.dataset) ?? urls.set(r.dataset, new Set()).get(r.dataset)!;
    for (const url of cited) if (typeof url === 'string') set.add(canonicalUrl(url));
  }
  const sources = await prisma.source.findMany({
    select: { key: true, title: true, url: true, canonicalUrl: true, publisherId: true, publishedOn: true },
  });
  const total: SourceCounts = { total: 0, withPublisher: 0, withDate: 0, withTitle: 0 };
  const byDataset: Record<string, SourceCounts> = {};
  const count = (f: SourceCounts, s: (typeof sources)[number]) => {
    f.total++;
    if (s.publisherId) f.withPublisher++;
    if (s.publishedOn) f.withDate++;
    if (!s.url || s.title !== titleFromUrl(s.url)) f.withTitle++;
  };
  const inDataset = (dataset: string, s: (typeof sources)[number]) => {
    byDataset[dataset] ??= { total: 0, withPublisher: 0, withDate: 0, withTitle: 0 };
    count(byDataset[dataset], s);
  };
  const canonical = new Set<string>();
  let storedTwice = 0;
  for (const s of sources) {
    count(total, s);
    if (s.canonicalUrl) {
      if (canonical.has(s.canonicalUrl)) storedTwice++;
      canonical.add(s.canonicalUrl);
    }
    for (const [dataset, set] of urls)
      if ((s.canonicalUrl && set.has(s.canonicalUrl)) || s.key.startsWith(`dataset-${dataset}`)) inDataset(dataset, s);
    if (!s.key.startsWith('ref-') && !s.key.startsWith('dataset-')) inDataset('curated', s);
  }
  return { ...total, storedTwice, byDataset };
}

/**
 * Claims (attributions, tool usages, targetings, associations), how many cite a dated report, and the
 * attributions "assessed" on their dataset's own timestamp (an imported claim whose assessedOn is the
 * day it was recorded and no report it cites is of that day: what ATT&CK's relationships gave before
 * assessedOn came from the reports).
 */
export async function claimFigures(prisma: Db) {
  const [dates] = await prisma.$queryRaw<
    { attributions: number; assessed: number; assessedOnDatasetTimestamp: number }[]
  >`
    SELECT count(*)::int AS attributions, count("assessedOn")::int AS assessed,
           count(*) FILTER (WHERE "assessedOn" = "createdAt"::date AND "modifiedAt" IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
              WHERE c."attributionId" = a.id AND s."publishedOn" = a."assessedOn" AND s.kind <> 'DATASET'))::int
             AS "assessedOnDatasetTimestamp"
      FROM "Attribution" a`;
  const [row] = await prisma.$queryRaw<{ total: number; withDatedSource: number }[]>`
    WITH claims AS (
      SELECT id, 'attributionId' AS col FROM "Attribution" UNION ALL SELECT id, 'toolUsageId' FROM "ToolUsage"
      UNION ALL SELECT id, 'targetingId' FROM "Targeting" UNION ALL SELECT id, 'associationId' FROM "Association"),
    dated AS (
      SELECT DISTINCT COALESCE(c."attributionId", c."toolUsageId", c."targetingId", c."associationId") AS id
        FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
       WHERE s."publishedOn" IS NOT NULL AND s.kind <> 'DATASET')
    SELECT count(*)::int AS total, count(*) FILTER (WHERE id IN (SELECT id FROM dated))::int AS "withDatedSource" FROM claims`;
  return { ...row, ...dates };
}

/**
 * Each vocabulary: values held (per record, revoked and deprecated ones included, as exports hold them),
 * how many are terms of it, and the custom terms found.
 */
export async function vocabularyFigures(prisma: Db) {
  const out = {} as Record<VocabularyKind, { values: number; inVocabulary: number; customTerms: string[] }>;
  for (const kind of vocabularyKinds) {
    const terms = await vocabularyTerms(prisma, kind, 'RED', { includeRevoked: true });
    const held = terms.filter((t) => t.count > 0);
    out[kind] = {
      values: held.reduce((n, t) => n + t.count, 0),
      inVocabulary: held.filter((t) => t.inVocabulary).reduce((n, t) => n + t.count, 0),
      customTerms: held
        .filter((t) => !t.inVocabulary)
        .map((t) => t.term)
        .sort(),
    };
  }
  return out;
}

/** Country codes of victims, origins and organisations outside ISO 3166-1's assigned ones. */
export async function countryFigures(prisma: Db) {
  const coded = [
    ...(await prisma.victim.findMany({ where: { country: { not: null } }, select: { country: true } })).map(
      (v) => v.country!,
    ),
    ...(await prisma.actor.findMany({ where: { originCountry: { not: null } }, select: { originCountry: true } })).map(
      (a) => a.originCountry!,
    ),
    ...(await prisma.organization.findMany({ where: { country: { not: null } }, select: { country: true } })).map(
      (o) => o.country!,
    ),
  ];
  const outside = coded.filter((c) => !isAssignedCountry(c));
  return { coded: coded.length, outside: outside.length, codes: [...new Set(outside)].sort() };
}

/** Everything `npm run data:report` prints, as one object (its `--json`). */
export async function qualityReport(prisma: Db, { searchEvery = 1 } = {}) {
  const perDataset = async (model: 'actor' | 'campaign' | 'tool') =>
    (
      await (
        prisma[model] as unknown as {
          groupBy(a: object): Promise<{ dataset: string; _count: { _all: number } }[]>;
        }
      ).groupBy({ by: ['dataset'], where: { revoked: false, deprecated: false }, _count: { _all: true } })
    ).map((r) => [r.dataset, r._count._all] as const);
  const datasets: Record<string, { actors: number; campaigns: number; tools: number; records: number }> = {};
  const row = (d: string) => {
    datasets[d] ??= { actors: 0, campaigns: 0, tools: 0, records: 0 };
    return datasets[d];
  };
  for (const [d, n] of await perDataset('actor')) row(d).actors = n;
  for (const [d, n] of await perDataset('campaign')) row(d).campaigns = n;
  for (const [d, n] of await perDataset('tool')) row(d).tools = n;
  const records = await prisma.datasetRecord.groupBy({
    by: ['dataset', 'joinRule'],
    _count: { _all: true },
    orderBy: [{ dataset: 'asc' }, { joinRule: 'asc' }],
  });
  for (const r of records) row(r.dataset).records += r._count._all;
  const merges = await prisma.merge.groupBy({
    by: ['entityType'],
    where: { note: { startsWith: importJoinNote }, splitAt: null },
    _count: { _all: true },
  });
  const duplicates = {} as Record<'actor' | 'campaign' | 'tool', { current: number; sharedDisplayNames: string[] }>;
  for (const model of ['actor', 'campaign', 'tool'] as const) {
    const { current, shared } = await sharedDisplayNames(prisma, model);
    duplicates[model] = { current, sharedDisplayNames: shared.map(([, es]) => es.map((e) => e.name).join(' / ')) };
  }
  const dated = await datedActivity(prisma, { clearance: 'RED', known: null });
  const active2020 = activeBetween(dated, new Date('2020-01-01'), new Date('2020-12-31'));
  const search = await actorsNotFoundFirst(prisma, { every: searchEvery });
  return {
    datasets,
    recordsByJoinRule: records.map((r) => ({
      dataset: r.dataset,
      joinRule: r.joinRule ?? '(not an entity)',
      records: r._count._all,
    })),
    inferredMerges: Object.fromEntries(merges.map((m) => [m.entityType, m._count._all])),
    duplicates,
    sources: await sourceFigures(prisma),
    claims: await claimFigures(prisma),
    vocabularies: await vocabularyFigures(prisma),
    countries: await countryFigures(prisma),
    activity: { actorsWithDatedEvidence: dated.length, actorsActiveIn2020: active2020.length },
    search: { actorsSearched: search.searched, exactNameNotFirst: search.missed },
  };
}
