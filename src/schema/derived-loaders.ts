// Derived views, batched per request: an actor's campaigns (through attributions), tools and victims
// (its own claims plus those of the campaigns currently attributed to it). One DataLoader call
// serves every actor on a page, so the number of SQL statements does not grow with the page.
import DataLoader from 'dataloader';
import type { Db } from '../db.js';
import { offsetForArgs } from '@pothos/plugin-relay';
import { Prisma, type Attribution, type Campaign, type Targeting, type Tlp, type Tool, type ToolUsage, type Victim } from '../generated/prisma/client.js';
import { visibleFact, visibleSql } from '../auth/visibility.js';

export type ActorCampaign = { campaign: Campaign; attributions: Attribution[] };
/** A tool or victim of an actor: `direct` when a claim names the actor, `via` the campaigns it is derived through. */
export type Derived<T, C> = { target: T; direct: boolean; claims: C[]; via: Campaign[] };

function groupBy<T, K>(rows: T[], key: (row: T) => K) {
  const map = new Map<K, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
}

/** Campaigns attributed (by a CURRENT claim the caller may see) to each actor: the basis of derived tools and victims. */
async function currentCampaigns(prisma: Db, actorIds: readonly string[], clearance: Tlp) {
  return prisma.attribution.findMany({
    where: { actorId: { in: [...actorIds] }, campaignId: { not: null }, status: 'CURRENT', ...visibleFact(clearance) },
    include: { campaign: true },
  });
}

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };
/** One actor's page of a derived view: the page's entries, where it starts, and how many there are in all. */
export type DerivedPage<T, C> = { items: Derived<T, C>[]; offset: number; totalCount: number };

const views = {
  tools: { claims: 'ToolUsage', column: 'toolId', targets: 'Tool' },
  victims: { claims: 'Targeting', column: 'victimId', targets: 'Victim' },
} as const;

/**
 * An actor's derived tools or victims, paged in SQL: the actor's own claims and those of the campaigns
 * currently attributed to it, one entry per target, ordered by the target's name then id. Only the
 * page's targets and claims are read, so an actor behind 50k victims costs one page, not 50k rows.
 * Every actor of a request is served by the same few statements (counts, page ids, rows).
 */
async function derivePages<C extends { id: string; actorId: string | null; campaignId: string | null }, T extends { id: string; name: string }>(
  prisma: Db,
  clearance: Tlp,
  view: keyof typeof views,
  actorIds: readonly string[],
  window: (totalCount: number) => { offset: number; limit: number },
  loadTargets: (ids: string[]) => Promise<T[]>,
  loadClaims: (where: object) => Promise<C[]>,
  targetOf: (claim: C) => string,
): Promise<DerivedPage<T, C>[]> {
  const { claims: claimTable, column, targets: targetTable } = views[view];
  const ids = [...actorIds];
  const pairs = Prisma.sql`
    WITH cur AS (SELECT a."actorId", a."campaignId" FROM "Attribution" a WHERE a."actorId" = ANY(${ids}::uuid[]) AND a."campaignId" IS NOT NULL AND a.status = 'CURRENT' AND ${visibleSql(clearance, 'a')}),
    pairs AS (
      SELECT c."actorId" AS actor, c.${Prisma.raw(`"${column}"`)} AS target FROM ${Prisma.raw(`"${claimTable}"`)} c WHERE c."actorId" = ANY(${ids}::uuid[]) AND ${visibleSql(clearance, 'c')}
      UNION
      SELECT cur."actorId", c.${Prisma.raw(`"${column}"`)} FROM cur JOIN ${Prisma.raw(`"${claimTable}"`)} c ON c."campaignId" = cur."campaignId" AND ${visibleSql(clearance, 'c')}
    )`;
  const counts = new Map((await prisma.$queryRaw<{ actor: string; total: number }[]>`${pairs} SELECT actor::text, count(*)::int AS total FROM pairs GROUP BY actor`).map((r) => [r.actor, r.total]));
  const windows = ids.map((id) => window(counts.get(id) ?? 0));
  const page = await prisma.$queryRaw<{ actor: string; target: string }[]>`${pairs},
    ranked AS (
      SELECT p.actor, t.id, row_number() OVER (PARTITION BY p.actor ORDER BY t.name COLLATE "C", t.id) - 1 AS pos
        FROM pairs p JOIN ${Prisma.raw(`"${targetTable}"`)} t ON t.id = p.target
    )
    SELECT r.actor::text, r.id::text AS target
      FROM ranked r JOIN unnest(${ids}::uuid[], ${windows.map((w) => w.offset)}::int[], ${windows.map((w) => w.limit)}::int[]) AS w(actor, "offset", "limit") ON w.actor = r.actor
     WHERE r.pos >= w."offset" AND r.pos < w."offset" + w."limit"
     ORDER BY r.actor, r.pos`;
  const pageTargets = [...new Set(page.map((r) => r.target))];
  const attributions = pageTargets.length ? await currentCampaigns(prisma, actorIds, clearance) : [];
  const campaignIds = [...new Set(attributions.map((a) => a.campaignId!))];
  const [targets, claims] = pageTargets.length
    ? await Promise.all([loadTargets(pageTargets), loadClaims({ [column]: { in: pageTargets }, OR: [{ actorId: { in: ids } }, { campaignId: { in: campaignIds } }], ...visibleFact(clearance) })])
    : [[], []];
  const targetById = new Map(targets.map((t) => [t.id, t]));
  return ids.map((actorId, i) => {
    const mine = new Set(attributions.filter((a) => a.actorId === actorId).map((a) => a.campaignId!));
    const campaignsOf = new Map(attributions.filter((a) => a.actorId === actorId).map((a) => [a.campaignId!, a.campaign!]));
    const items = page
      .filter((r) => r.actor === actorId)
      .map((r) => {
        const own = claims.filter((c) => targetOf(c) === r.target && c.actorId === actorId);
        const derived = claims.filter((c) => targetOf(c) === r.target && c.campaignId != null && mine.has(c.campaignId));
        const via = [...new Map(derived.map((c) => [c.campaignId!, campaignsOf.get(c.campaignId!)!])).values()].sort((x, y) => x.name.localeCompare(y.name));
        return { target: targetById.get(r.target)!, direct: own.length > 0, claims: [...own, ...derived.filter((c) => !own.includes(c))], via };
      });
    return { items, offset: windows[i].offset, totalCount: counts.get(actorId) ?? 0 };
  });
}

function memoize<T>(make: (key: string) => T) {
  const made = new Map<string, T>();
  return (key: string) => made.get(key) ?? made.set(key, make(key)).get(key)!;
}

export function createLoaders(prisma: Db, pageSizes: { default: number; max: number }, clearance: Tlp) {
  return {
    actorCampaigns: new DataLoader<string, ActorCampaign[]>(async (actorIds) => {
      const rows = await prisma.attribution.findMany({
        where: { actorId: { in: [...actorIds] }, campaignId: { not: null }, ...visibleFact(clearance) },
        include: { campaign: true },
        orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
      });
      return actorIds.map((actorId) => {
        const mine = rows.filter((r) => r.actorId === actorId);
        return [...groupBy(mine, (r) => r.campaignId!).values()]
          .map((attributions) => ({ campaign: attributions[0].campaign!, attributions }))
          .sort((a, b) => a.campaign.name.localeCompare(b.campaign.name) || a.campaign.id.localeCompare(b.campaign.id));
      });
    }),
    /** Derived pages, one DataLoader per view and page arguments (the same for every actor of a field). */
    derivedPage: memoize((key: string) => {
      const [view, argsJson] = [key.slice(0, key.indexOf(':')) as keyof typeof views, key.slice(key.indexOf(':') + 1)];
      const args = JSON.parse(argsJson) as PageArgs;
      const window = (totalCount: number) => {
        const { offset, expectedSize } = offsetForArgs({ args, defaultSize: pageSizes.default, maxSize: pageSizes.max, totalCount });
        return { offset, limit: expectedSize };
      };
      return view === 'tools'
        ? new DataLoader<string, DerivedPage<unknown, unknown>>((actorIds) =>
            derivePages<ToolUsage, Tool>(prisma, clearance, 'tools', actorIds, window, (ids) => prisma.tool.findMany({ where: { id: { in: ids } } }), (where) => prisma.toolUsage.findMany({ where, orderBy: { id: 'asc' } }), (c) => c.toolId),
          )
        : new DataLoader<string, DerivedPage<unknown, unknown>>((actorIds) =>
            derivePages<Targeting, Victim>(prisma, clearance, 'victims', actorIds, window, (ids) => prisma.victim.findMany({ where: { id: { in: ids } } }), (where) => prisma.targeting.findMany({ where, orderBy: { id: 'asc' } }), (c) => c.victimId),
          );
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
