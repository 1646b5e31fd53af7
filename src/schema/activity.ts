// An actor's observed activity, derived: the earliest and latest dates of the evidence about it that
// the caller may see — its own first/last seen, its claims' observed dates (tools it used, victims it
// targeted), the dates of the campaigns currently attributed to it, and the publication dates of the
// reports cited for it and for its claims (datasets' own pages left out: their date is when a
// catalogue entry was made). On the default seeds 2 of 1,155 actors state first/last seen; the derived activity dates
// most of the rest, so "active in 2020" no longer needs to count every undated actor as active.
import DataLoader from 'dataloader';
import { visibleRecordSql } from '../auth/visibility.js';
import type { Db } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import { currentSql, type FactScope, factSql } from './known-at.js';

export type Activity = { firstObserved: Date | null; lastObserved: Date | null };

/**
 * Each actor's activity as SQL `(actor, first_observed, last_observed)`, for the given actors or all.
 * Under `knownAt` (scope.known), from the claims and reports published by then.
 */
export function activitySql(scope: FactScope, actorIds?: readonly string[]) {
  const { clearance, known } = scope;
  const only = (column: string) =>
    actorIds
      ? Prisma.sql`${Prisma.raw(column)} = ANY(${[...actorIds]}::uuid[])`
      : Prisma.sql`${Prisma.raw(column)} IS NOT NULL`;
  const sourceVisible = known
    ? Prisma.sql`${visibleRecordSql(clearance, 's')} AND s."publishedOn" <= ${known}`
    : visibleRecordSql(clearance, 's');
  const citedBy = (claims: string, column: string) => Prisma.sql`
    SELECT k."actorId", s."publishedOn", s."publishedOn"
      FROM ${Prisma.raw(`"${claims}"`)} k
      JOIN "Citation" ci ON ci.${Prisma.raw(`"${column}"`)} = k.id
      JOIN "Source" s ON s.id = ci."sourceId"
     WHERE ${only('k."actorId"')} AND ${factSql(scope, 'k', column)} AND ${sourceVisible}
       AND s."publishedOn" IS NOT NULL AND s.kind <> 'DATASET'`;
  return Prisma.sql`
    SELECT actor, min(LEAST(d1, d2)) AS first_observed, max(GREATEST(d1, d2)) AS last_observed
      FROM (
        SELECT a.id AS actor, a."firstSeen" AS d1, a."lastSeen" AS d2 FROM "Actor" a WHERE ${only('a.id')}
        UNION ALL
        SELECT u."actorId", u."firstObserved", u."lastObserved" FROM "ToolUsage" u
         WHERE ${only('u."actorId"')} AND ${factSql(scope, 'u', 'toolUsageId')}
        UNION ALL
        SELECT g."actorId", g."firstObserved", g."lastObserved" FROM "Targeting" g
         WHERE ${only('g."actorId"')} AND ${factSql(scope, 'g', 'targetingId')}
        UNION ALL
        SELECT t."actorId", c."firstSeen", c."lastSeen" FROM "Attribution" t JOIN "Campaign" c ON c.id = t."campaignId"
         WHERE ${only('t."actorId"')} AND ${currentSql(scope, 't')} AND ${factSql(scope, 't', 'attributionId')} AND ${visibleRecordSql(clearance, 'c')}
        UNION ALL
        SELECT ci."actorId", s."publishedOn", s."publishedOn" FROM "Citation" ci JOIN "Source" s ON s.id = ci."sourceId"
         WHERE ${only('ci."actorId"')} AND ${sourceVisible} AND s."publishedOn" IS NOT NULL AND s.kind <> 'DATASET'
        UNION ALL ${citedBy('ToolUsage', 'toolUsageId')}
        UNION ALL ${citedBy('Targeting', 'targetingId')}
        UNION ALL ${citedBy('Attribution', 'attributionId')}
      ) dates (actor, d1, d2)
     WHERE d1 IS NOT NULL OR d2 IS NOT NULL
     GROUP BY actor`;
}

export type DatedActivity = { actor: string; firstObserved: Date; lastObserved: Date };

/** Every actor with dated evidence the scope may see, with its activity: one statement. */
export const datedActivity = (prisma: Db, scope: FactScope) =>
  prisma.$queryRaw<DatedActivity[]>`
    SELECT actor::text, first_observed AS "firstObserved", last_observed AS "lastObserved" FROM (${activitySql(scope)}) x`;

/** The actors among `dated` whose activity overlaps [from, to] (either end open). */
export const activeBetween = (dated: DatedActivity[], from?: Date | null, to?: Date | null) =>
  dated
    .filter((a) => (!from || new Date(a.lastObserved) >= from) && (!to || new Date(a.firstObserved) <= to))
    .map((a) => a.actor);

/** Each actor's activity, one statement for every actor of a request (see createLoaders). */
export const activityLoader = (prisma: Db, scope: FactScope) =>
  new DataLoader<string, Activity>(async (ids) => {
    const rows = await prisma.$queryRaw<DatedActivity[]>`
      SELECT actor::text, first_observed AS "firstObserved", last_observed AS "lastObserved"
        FROM (${activitySql(scope, ids)}) x`;
    const byActor = new Map(rows.map((r) => [r.actor, r]));
    return ids.map((id) => ({
      firstObserved: byActor.get(id)?.firstObserved ?? null,
      lastObserved: byActor.get(id)?.lastObserved ?? null,
    }));
  });
