// Derived views, batched per request: an actor's campaigns (through attributions), tools and victims
// (its own claims plus those of the campaigns currently attributed to it). One DataLoader call
// serves every actor on a page, so the number of SQL statements does not grow with the page.

import DataLoader from 'dataloader';
import { visibleFact } from '../auth/visibility.js';
import type { Db } from '../db.js';
import {
  type Attribution,
  type Campaign,
  Prisma,
  type Targeting,
  type Tlp,
  type Tool,
  type ToolUsage,
  type Victim,
} from '../generated/prisma/client.js';
import { activityLoader, type DatedActivity, datedActivity } from './activity.js';
import { pageWindow } from './array-connection.js';
import { currentSql, currentWhere, factSql, knownWhere } from './known-at.js';
import { originsLoader } from './origin.js';

export type ActorCampaign = { campaign: Campaign; attributions: Attribution[] };
/** A tool or victim of an actor: `direct` when a claim names the actor, `via` the campaigns it is derived through. */
export type Derived<T, C> = { target: T; direct: boolean; claims: C[]; via: Campaign[] };

function groupBy<T, K>(rows: T[], key: (row: T) => K) {
  const map = new Map<K, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
}

/** Campaigns attributed (by a CURRENT claim the caller may see) to each actor: the basis of derived tools and victims. */
export async function currentCampaigns(
  prisma: Db,
  actorIds: readonly string[],
  clearance: Tlp,
  known: Date | null = null,
) {
  return prisma.attribution.findMany({
    where: {
      actorId: { in: [...actorIds] },
      campaignId: { not: null },
      AND: [currentWhere(known), knownWhere(known)],
      ...visibleFact(clearance),
    },
    include: { campaign: true },
  });
}

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };
/** One actor's page of a derived view: the page's entries, where it starts, and how many there are in all. */
export type DerivedPage<T, C> = { items: Derived<T, C>[]; offset: number; totalCount: number };

/** How a derived page is found: each actor the cheaper way (`auto`), or always one way (tests compare them). */
export type PageStrategy = 'auto' | 'rank' | 'walk';

/** An actor walks its targets in name order only from this many on (below it, ranking is cheap anyway). */
const WALK_FROM = 1000;

const views = {
  tools: { claims: 'ToolUsage', column: 'toolId', targets: 'Tool', cites: 'toolUsageId' },
  victims: { claims: 'Targeting', column: 'victimId', targets: 'Victim', cites: 'targetingId' },
} as const;

/**
 * An actor's derived tools or victims, paged in SQL: the actor's own claims and those of the campaigns
 * currently attributed to it, one entry per target, ordered by the target's name then id. Only the
 * page's targets and claims are read, so an actor behind 50k victims costs one page, not 50k rows.
 * Every actor of a request is served by the same few statements (totals, page ids by one way or
 * both, rows).
 */
/** What a derived page is read for: the actors, the view, the page window, and how its rows are loaded. */
type DerivedPageRequest<C, T> = {
  prisma: Db;
  clearance: Tlp;
  /** The request's knownAt: only claims published by then, attributions as they stood then. */
  known: Date | null;
  view: keyof typeof views;
  actorIds: readonly string[];
  /** The page (offset, limit) of an actor with this many targets. */
  window: (totalCount: number) => { offset: number; limit: number };
  /** The page's target records, with the selection the request makes. */
  loadTargets: (ids: string[]) => Promise<T[]>;
  /** The claims behind the page's edges. */
  loadClaims: (where: object) => Promise<C[]>;
  targetOf: (claim: C) => string;
  strategy: PageStrategy;
};

async function derivePages<
  C extends { id: string; actorId: string | null; campaignId: string | null },
  T extends { id: string; name: string },
>({
  prisma,
  clearance,
  known,
  view,
  actorIds,
  window,
  loadTargets,
  loadClaims,
  targetOf,
  strategy,
}: DerivedPageRequest<C, T>): Promise<DerivedPage<T, C>[]> {
  const { claims: claimTable, column, targets: targetTable, cites } = views[view];
  const scope = { clearance, known };
  const fact = (alias: string) => factSql(scope, alias, cites);
  const attribution = (alias: string) =>
    Prisma.sql`${currentSql(scope, alias)} AND ${factSql(scope, alias, 'attributionId')}`;
  const ids = [...actorIds];
  const claimRows = Prisma.raw(`"${claimTable}"`);
  const targetTableSql = Prisma.raw(`"${targetTable}"`);
  const target = Prisma.raw(`"${column}"`);
  const current = Prisma.sql`cur AS (SELECT a."actorId", a."campaignId" FROM "Attribution" a WHERE a."actorId" = ANY(${ids}::uuid[]) AND a."campaignId" IS NOT NULL AND ${attribution('a')})`;
  // (actor, target) of the actors' own claims, and of the claims of their current campaigns (after `cur`).
  const ownPairs = Prisma.sql`SELECT c."actorId" AS actor, c.${target} AS target FROM ${claimRows} c WHERE c."actorId" = ANY(${ids}::uuid[]) AND ${fact('c')}`;
  const campaignPairs = Prisma.sql`SELECT cur."actorId" AS actor, c.${target} AS target FROM cur JOIN ${claimRows} c ON c."campaignId" = cur."campaignId" AND ${fact('c')}`;
  const pairs = Prisma.sql`
    WITH ${current},
    pairs AS (${ownPairs} UNION ${campaignPairs})`;
  // The totals: the actor's own distinct targets (read in order from the (actor, target) index and
  // grouped as they come, where a UNION would hash 50k pairs), plus its campaigns' targets that are not
  // its own; and how many targets there are in all (the planner's estimate: 0 when unknown).
  const totals = await prisma.$queryRaw<{ actor: string | null; total: number }[]>`
    WITH ${current},
    own AS (${ownPairs} GROUP BY 1, 2),
    derived AS (
      ${campaignPairs}
       WHERE NOT EXISTS (SELECT 1 FROM ${claimRows} o WHERE o."actorId" = cur."actorId" AND o.${target} = c.${target} AND ${fact('o')})
       GROUP BY 1, 2)
    SELECT actor::text, count(*)::int AS total FROM (SELECT actor FROM own UNION ALL SELECT actor FROM derived) x GROUP BY actor
    UNION ALL SELECT NULL, GREATEST(reltuples, 0)::int FROM pg_class WHERE oid = ${`"${targetTable}"`}::regclass`;
  const counts = new Map(totals.filter((r) => r.actor !== null).map((r) => [r.actor!, r.total]));
  const allTargets = totals.find((r) => r.actor === null)?.total ?? 0;
  const windows = ids.map((id) => window(counts.get(id) ?? 0));
  // Two ways to a page. Ranking reads every target of the actor and sorts them: right for most
  // actors, too much for one behind 50k victims. Walking all targets in name order (an index),
  // checking each against the actor's claims and stopping at the page's end, reads about
  // (offset + limit) × all targets / the actor's total of them: ~10 for the hot actor's first page of
  // 10, but the whole table for an actor with a handful. Each actor takes the cheaper way.
  const walks = (i: number) => {
    if (strategy !== 'auto') return strategy === 'walk' && windows[i].limit > 0;
    const total = counts.get(ids[i]) ?? 0;
    const probes = ((windows[i].offset + windows[i].limit) * allTargets) / Math.max(total, 1);
    return total >= WALK_FROM && allTargets > 0 && probes * 8 < total;
  };
  const indices = ids.map((_, i) => i);
  const walked = indices.filter((i) => walks(i));
  const ranked = indices.filter((i) => !walks(i) && windows[i].limit > 0);
  /** The windows of these actors (by index) as rows w(actor, offset, limit). */
  const windowArrays = (of: number[]) =>
    Prisma.sql`unnest(${of.map((i) => ids[i])}::uuid[], ${of.map((i) => windows[i].offset)}::int[], ${of.map((i) => windows[i].limit)}::int[]) AS w(actor, "offset", "limit")`;
  const [rankedPage, walkedPage] = await Promise.all([
    ranked.length
      ? prisma.$queryRaw<{ actor: string; target: string; pos: number }[]>`${pairs},
    ranked AS (
      SELECT p.actor, t.id, row_number() OVER (PARTITION BY p.actor ORDER BY t.name COLLATE "C", t.id) - 1 AS pos
        FROM pairs p JOIN ${targetTableSql} t ON t.id = p.target
    )
    SELECT r.actor::text, r.id::text AS target, r.pos::int
      FROM ranked r JOIN ${windowArrays(ranked)} ON w.actor = r.actor
     WHERE r.pos >= w."offset" AND r.pos < w."offset" + w."limit"`
      : [],
    // Scalar subqueries (LIMIT 1), not EXISTS: PostgreSQL would turn an EXISTS into a hash of all the
    // actor's claims, which is the reading this way avoids.
    walked.length
      ? prisma.$queryRaw<{ actor: string; target: string; pos: number }[]>`
    SELECT w.actor::text, p.id::text AS target, p.pos::int
      FROM ${windowArrays(walked)}
     CROSS JOIN LATERAL (
       SELECT t.id, w."offset" + row_number() OVER () - 1 AS pos
         FROM ${targetTableSql} t
        WHERE (SELECT true FROM ${claimRows} c WHERE c.${target} = t.id AND c."actorId" = w.actor AND ${fact('c')} LIMIT 1)
           OR (SELECT true FROM ${claimRows} c JOIN "Attribution" a ON a."campaignId" = c."campaignId"
                WHERE c.${target} = t.id AND a."actorId" = w.actor AND ${attribution('a')} AND ${fact('c')} LIMIT 1)
        ORDER BY t.name COLLATE "C", t.id
       OFFSET w."offset" LIMIT w."limit") p`
      : [],
  ]);
  const page = [...rankedPage, ...walkedPage].sort((a, b) =>
    a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : a.pos - b.pos,
  );
  const pageTargets = [...new Set(page.map((r) => r.target))];
  const attributions = pageTargets.length ? await currentCampaigns(prisma, actorIds, clearance, known) : [];
  const campaignIds = [...new Set(attributions.map((a) => a.campaignId!))];
  const [targets, claims] = pageTargets.length
    ? await Promise.all([
        loadTargets(pageTargets),
        loadClaims({
          [column]: { in: pageTargets },
          OR: [{ actorId: { in: ids } }, { campaignId: { in: campaignIds } }],
          ...visibleFact(clearance),
          ...knownWhere(known),
        }),
      ])
    : [[], []];
  const targetById = new Map(targets.map((t) => [t.id, t]));
  return ids.map((actorId, i) => {
    const mine = new Set(attributions.filter((a) => a.actorId === actorId).map((a) => a.campaignId!));
    const campaignsOf = new Map(
      attributions.filter((a) => a.actorId === actorId).map((a) => [a.campaignId!, a.campaign!]),
    );
    const items = page
      .filter((r) => r.actor === actorId)
      .map((r) => {
        const own = claims.filter((c) => targetOf(c) === r.target && c.actorId === actorId);
        const derived = claims.filter(
          (c) => targetOf(c) === r.target && c.campaignId != null && mine.has(c.campaignId),
        );
        const via = [...new Map(derived.map((c) => [c.campaignId!, campaignsOf.get(c.campaignId!)!])).values()].sort(
          (x, y) => x.name.localeCompare(y.name),
        );
        return {
          target: targetById.get(r.target)!,
          direct: own.length > 0,
          claims: [...own, ...derived.filter((c) => !own.includes(c))],
          via,
        };
      });
    return { items, offset: windows[i].offset, totalCount: counts.get(actorId) ?? 0 };
  });
}

function memoize<T>(make: (key: string) => T) {
  const made = new Map<string, T>();
  return (key: string) => made.get(key) ?? made.set(key, make(key)).get(key)!;
}

export function createLoaders(
  prisma: Db,
  pageSizes: { default: number; max: number },
  clearance: Tlp,
  strategy: PageStrategy = 'auto',
  known: Date | null = null,
) {
  let dated: Promise<DatedActivity[]> | undefined;
  const platforms = new Map<'Tool' | 'Technique', Promise<string[]>>();
  return {
    /** Other per-request loaders, by key (techniques pages, selected rows: see selected-rows.ts). */
    memo: new Map<string, unknown>(),
    /** Every spelling of a platform the tools or techniques hold, read once per request (the platform filters). */
    platforms: (table: 'Tool' | 'Technique') => {
      if (!platforms.has(table))
        platforms.set(
          table,
          prisma.$queryRaw<
            { platform: string }[]
          >`SELECT DISTINCT unnest(platforms) AS platform FROM ${Prisma.raw(`"${table}"`)}`.then((rows) =>
            rows.map((r) => r.platform),
          ),
        );
      return platforms.get(table)!;
    },
    /** Each actor's derived activity (activity.ts). */
    activity: activityLoader(prisma, { clearance, known }),
    /** Every dated actor's activity, read once per request (the activity filters). */
    datedActivity: () => {
      dated ??= datedActivity(prisma, { clearance, known });
      return dated;
    },
    /** Each actor's stated origins (origin.ts). */
    origins: originsLoader(prisma, clearance),
    /**
     * Each actor's campaigns with their attributions, one DataLoader per query the campaigns are read
     * with (the selection the request makes under the connection's nodes, plus the name they are
     * ordered by; none: whole rows).
     */
    actorCampaigns: memoize((queryJson: string) => {
      const query = JSON.parse(queryJson) as { select?: object } | null;
      const campaign = query?.select ? { select: { ...query.select, id: true, name: true } } : (query ?? true);
      return new DataLoader<string, ActorCampaign[]>(async (actorIds) => {
        const rows = (await prisma.attribution.findMany({
          where: {
            actorId: { in: [...actorIds] },
            campaignId: { not: null },
            ...visibleFact(clearance),
            ...knownWhere(known),
          },
          include: { campaign },
          orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
        })) as (Attribution & { campaign: Campaign })[];
        return actorIds.map((actorId) => {
          const mine = rows.filter((r) => r.actorId === actorId);
          return [...groupBy(mine, (r) => r.campaignId!).values()]
            .map((attributions) => ({ campaign: attributions[0].campaign, attributions }))
            .sort(
              (a, b) => a.campaign.name.localeCompare(b.campaign.name) || a.campaign.id.localeCompare(b.campaign.id),
            );
        });
      });
    }),
    /** Derived pages, one DataLoader per view and page arguments (the same for every actor of a field). */
    derivedPage: memoize((key: string) => {
      const [view, argsJson] = [key.slice(0, key.indexOf(':')) as keyof typeof views, key.slice(key.indexOf(':') + 1)];
      const { query, ...args } = JSON.parse(argsJson) as PageArgs & { query: object | null };
      const window = (totalCount: number) => pageWindow(args, pageSizes, totalCount);
      return view === 'tools'
        ? new DataLoader<string, DerivedPage<unknown, unknown>>((actorIds) =>
            derivePages<ToolUsage, Tool>({
              prisma,
              clearance,
              known,
              view: 'tools',
              actorIds,
              window,
              loadTargets: (ids) =>
                prisma.tool.findMany({ ...(query as object), where: { id: { in: ids } } }) as Promise<Tool[]>,
              loadClaims: (where) => prisma.toolUsage.findMany({ where, orderBy: { id: 'asc' } }),
              targetOf: (c) => c.toolId,
              strategy,
            }),
          )
        : new DataLoader<string, DerivedPage<unknown, unknown>>((actorIds) =>
            derivePages<Targeting, Victim>({
              prisma,
              clearance,
              known,
              view: 'victims',
              actorIds,
              window,
              loadTargets: (ids) =>
                prisma.victim.findMany({ ...(query as object), where: { id: { in: ids } } }) as Promise<Victim[]>,
              loadClaims: (where) => prisma.targeting.findMany({ where, orderBy: { id: 'asc' } }),
              targetOf: (c) => c.victimId,
              strategy,
            }),
          );
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
