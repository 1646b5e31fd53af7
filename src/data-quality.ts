// Figures about the data itself, read by `npm run data:report` and asserted by the tests.
import type { Db } from './db.js';
import { rankedHits } from './schema/search-ranking.js';
import { normalizeName } from './write/rules.js';

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
 * search ranks exact matches above partial ones (src/schema/search.ts).
 */
export async function actorsNotFoundFirst(prisma: Db) {
  const actors = await prisma.actor.findMany({
    where: { revoked: false, deprecated: false },
    select: { name: true },
    orderBy: { name: 'asc' },
  });
  const missed: { name: string; first: string | null }[] = [];
  for (const { name } of actors) {
    if (normalizeName(name).length < 2) continue;
    const [first] = await rankedHits(prisma, 'RED', name, ['Actor', 'Campaign', 'Tool']);
    if (!first || normalizeName(first.matched ?? '') !== normalizeName(name))
      missed.push({ name, first: first?.matched ?? null });
  }
  return { searched: actors.length, missed };
}

/**
 * Sources: how many, with a publisher, a date, a title of their own (not the URL an import had to
 * stand in for one), and documents stored more than once (by canonical URL).
 */
export async function sourceFigures(prisma: Db) {
  const [row] = await prisma.$queryRaw<
    { total: number; withPublisher: number; withDate: number; withTitle: number; storedTwice: number }[]
  >`
    SELECT count(*)::int AS "total",
           count("publisherId")::int AS "withPublisher",
           count("publishedOn")::int AS "withDate",
           count(*) FILTER (WHERE url IS NULL OR title <> left(regexp_replace(url, '^https?://(www\\.)?', ''), 200))::int AS "withTitle",
           (count("canonicalUrl") - count(DISTINCT "canonicalUrl"))::int AS "storedTwice"
      FROM "Source"`;
  return row;
}
