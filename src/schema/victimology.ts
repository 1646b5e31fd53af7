// Victimology: whom an actor, a campaign or a set of actors hits, counted by country, region, sector and
// year in SQL (distinct victims and targeting claims per group), each group pageable to its victims and
// claims. An actor's targeting is its own claims and those of the campaigns currently attributed to it
// (`direct: true`: its own only). A claim's year is its observed date's (first, else last), else the
// earliest publication date of the sources it cites that the caller may read; none: the unknown group.
import { visibleRecord, visibleRecordSql } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import { Prisma, type Targeting, type Victim as VictimRow } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { ActorFilter, actorWhere } from './actor.js';
import { nodesQuery, pageWindow, totalCountField, windowConnection } from './array-connection.js';
import { currentOnly } from './entity-fields.js';
import { checkView, currentSql, type FactScope, factSql, viewArgs } from './known-at.js';
import { Targeting as TargetingRef } from './targeting.js';
import { Victim } from './victim.js';

const dimensions = ['COUNTRY', 'REGION', 'SECTOR', 'YEAR'] as const;
type Dimension = (typeof dimensions)[number];
const column: Record<Dimension, string> = { COUNTRY: 'country', REGION: 'region', SECTOR: 'sector', YEAR: 'year' };

export const VictimologyDimensionEnum = builder.enumType('VictimologyDimension', {
  description: 'What victimology groups by: the victim’s country, region or sector, or the claim’s year.',
  values: dimensions,
});

/** Whose targeting claims are counted: actors (and their current campaigns unless `direct`), or campaigns. */
type Scope = FactScope & { actorIds: string[]; campaignIds: string[]; direct: boolean };

/**
 * The targeting claims in scope, one row each, with the victim's country, region and sector and (when
 * grouped by YEAR) the claim's year. The sources' dates are joined once for all the claims (a hash join:
 * 50k claims of one actor in ~0.25 s on PostgreSQL, where a lookup per claim took ~0.9 s; measured).
 */
function scopedSql(s: Scope, withYear: boolean) {
  return Prisma.sql`
    WITH campaigns AS (
      SELECT unnest(${s.campaignIds}::uuid[]) AS id
      UNION SELECT a."campaignId" FROM "Attribution" a
       WHERE NOT ${s.direct} AND a."actorId" = ANY(${s.actorIds}::uuid[]) AND a."campaignId" IS NOT NULL
         AND ${currentSql(s, 'a')} AND ${factSql(s, 'a', 'attributionId')}),
    claims AS (
      SELECT t.id, t."victimId", t."firstObserved", t."lastObserved" FROM "Targeting" t
       WHERE t."actorId" = ANY(${s.actorIds}::uuid[]) AND ${factSql(s, 't', 'targetingId')}
      -- Disjoint halves (a campaign's claim that also names one of the actors is in the first): no
      -- dedupe of the 50k rows a UNION would hash.
      UNION ALL SELECT t.id, t."victimId", t."firstObserved", t."lastObserved" FROM "Targeting" t
       WHERE t."campaignId" IN (SELECT id FROM campaigns) AND ${factSql(s, 't', 'targetingId')}
         AND (t."actorId" IS NULL OR NOT t."actorId" = ANY(${s.actorIds}::uuid[]))),
    published AS (
      SELECT ci."targetingId" AS id, min(src."publishedOn") AS "on" FROM "Citation" ci
        JOIN "Source" src ON src.id = ci."sourceId" AND ${visibleRecordSql(s.clearance, 'src')}
         AND ${s.known ? Prisma.sql`src."publishedOn" <= ${s.known}` : Prisma.sql`TRUE`}
       WHERE ${withYear} AND ci."targetingId" IN (SELECT id FROM claims) GROUP BY 1),
    scoped AS (
      SELECT c.id, v.id AS victim, v.name AS "victimName", v.country::text AS country, v.region, v.sector,
             EXTRACT(YEAR FROM COALESCE(c."firstObserved", c."lastObserved", p."on"))::int AS year
        FROM claims c JOIN "Victim" v ON v.id = c."victimId" AND ${visibleRecordSql(s.clearance, 'v')}
        LEFT JOIN published p ON p.id = c.id)`;
}

type Key = { country: string | null; region: string | null; sector: string | null; year: number | null };
type Bucket = Key & { victimCount: number; claimCount: number; scope: Scope; groupBy: Dimension[] };
type Victimology = {
  groupBy: Dimension[];
  direct: boolean;
  victimCount: number;
  claimCount: number;
  buckets: Bucket[];
};

/** The SQL condition selecting one bucket's rows of `scoped`. */
const inBucket = (b: Bucket) =>
  b.groupBy.length
    ? Prisma.join(
        b.groupBy.map(
          (d) => Prisma.sql`${Prisma.raw(`"${column[d]}"`)} IS NOT DISTINCT FROM ${b[column[d] as keyof Key]}`,
        ),
        ' AND ',
      )
    : Prisma.sql`TRUE`;

async function victimology(ctx: Context, scope: Scope, groupBy: Dimension[]): Promise<Victimology> {
  const dims = [...new Set(groupBy)];
  const cols = dims.map((d) => Prisma.raw(`"${column[d]}"`));
  const select = cols.length ? Prisma.sql`${Prisma.join(cols)}, ` : Prisma.empty;
  const order = cols.length ? Prisma.sql`, ${Prisma.join(cols.map((c) => Prisma.sql`${c} NULLS LAST`))}` : Prisma.empty;
  // Every group and the total in one statement (the total is the grouping set of no column).
  const sets = cols.length ? Prisma.sql`GROUP BY GROUPING SETS ((${Prisma.join(cols)}), ())` : Prisma.empty;
  const rowsAndTotal = await ctx.prisma.$queryRaw<
    (Partial<Key> & { victims: number; claims: number; total: boolean })[]
  >`
    ${scopedSql(scope, dims.includes('YEAR'))}
    SELECT ${select}count(DISTINCT victim)::int AS victims, count(*)::int AS claims,
           ${cols.length ? Prisma.sql`GROUPING(${Prisma.join(cols)}) <> 0` : Prisma.sql`true`} AS total
      FROM scoped ${sets} ORDER BY claims DESC${order}`;
  const total = rowsAndTotal.find((r) => r.total) ?? { victims: 0, claims: 0 };
  // Grouped by nothing: one group, the whole.
  const rows = cols.length ? rowsAndTotal.filter((r) => !r.total) : rowsAndTotal;
  return {
    groupBy: dims,
    direct: scope.direct,
    victimCount: total.victims,
    claimCount: total.claims,
    buckets: rows.map((r) => ({
      country: r.country ?? null,
      region: r.region ?? null,
      sector: r.sector ?? null,
      year: r.year ?? null,
      victimCount: r.victims,
      claimCount: r.claims,
      scope,
      groupBy: dims,
    })),
  };
}

const VictimologyBucket = builder.objectRef<Bucket>('VictimologyBucket').implement({
  description:
    'One group: the values it is grouped by (null: unknown — a victim without that field, a claim without any date), how many distinct victims and targeting claims it holds, and pages of them.',
  fields: (t) => ({
    country: t.exposeString('country', { nullable: true, description: 'ISO 3166-1 alpha-2 (grouped by COUNTRY).' }),
    region: t.exposeString('region', { nullable: true, description: 'A region-ov term (grouped by REGION).' }),
    sector: t.exposeString('sector', {
      nullable: true,
      description: 'An industry-sector-ov term (grouped by SECTOR).',
    }),
    year: t.exposeInt('year', { nullable: true, description: 'The claim’s year (grouped by YEAR).' }),
    victimCount: t.exposeInt('victimCount'),
    claimCount: t.exposeInt('claimCount'),
    victims: t.connection(
      {
        type: Victim,
        description: 'The group’s victims, by name.',
        resolve: async (bucket, args, ctx, info) => {
          const { offset, limit } = pageWindow(args, ctx.config.pageSize, bucket.victimCount);
          const ids = await ctx.prisma.$queryRaw<
            { victim: string }[]
          >`${scopedSql(bucket.scope, bucket.groupBy.includes('YEAR'))}
            SELECT victim::text FROM (SELECT DISTINCT victim, "victimName" FROM scoped WHERE ${inBucket(bucket)}) x
             ORDER BY "victimName" COLLATE "C", victim OFFSET ${offset} LIMIT ${limit}`;
          const query = nodesQuery(ctx, info, 'Victim') as object;
          const rows = (await ctx.prisma.victim.findMany({
            ...query,
            where: { id: { in: ids.map((r) => r.victim) } },
          })) as VictimRow[];
          const byId = new Map(rows.map((r) => [r.id, r]));
          return windowConnection(
            args,
            ctx,
            { items: ids.map((r) => byId.get(r.victim)!), offset, totalCount: bucket.victimCount },
            (v) => v,
          );
        },
      },
      totalCountField,
    ),
    claims: t.connection(
      {
        type: TargetingRef,
        description: 'The group’s targeting claims, in id order.',
        resolve: async (bucket, args, ctx, info) => {
          const { offset, limit } = pageWindow(args, ctx.config.pageSize, bucket.claimCount);
          const ids = await ctx.prisma.$queryRaw<
            { id: string }[]
          >`${scopedSql(bucket.scope, bucket.groupBy.includes('YEAR'))}
            SELECT id::text FROM scoped WHERE ${inBucket(bucket)} ORDER BY id OFFSET ${offset} LIMIT ${limit}`;
          const rows = (await ctx.prisma.targeting.findMany({
            ...(nodesQuery(ctx, info, 'Targeting') as object),
            where: { id: { in: ids.map((r) => r.id) } },
          })) as Targeting[];
          const byId = new Map(rows.map((r) => [r.id, r]));
          return windowConnection(
            args,
            ctx,
            { items: ids.map((r) => byId.get(r.id)! as Targeting), offset, totalCount: bucket.claimCount },
            (c) => c,
          );
        },
      },
      totalCountField,
    ),
  }),
});

const VictimologyRef = builder.objectRef<Victimology>('Victimology').implement({
  description: 'Counts of distinct victims and of targeting claims, grouped (see VictimologyBucket).',
  fields: (t) => ({
    groupBy: t.field({ type: [VictimologyDimensionEnum], resolve: (v) => v.groupBy }),
    direct: t.exposeBoolean('direct', {
      description: 'True: the actors’ own claims only; false: also their current campaigns’.',
    }),
    victimCount: t.exposeInt('victimCount', { description: 'Distinct victims in all groups.' }),
    claimCount: t.exposeInt('claimCount', { description: 'Targeting claims in all groups.' }),
    buckets: t.field({
      type: [VictimologyBucket],
      description: 'The groups, most claims first.',
      resolve: (v) => v.buckets,
    }),
  }),
});

builder.queryField('victimology', (t) =>
  t.field({
    type: VictimologyRef,
    description:
      'Whom an actor (its own targeting and its current campaigns’), a campaign, or the actors a filter selects hit: distinct victims and targeting claims per country, region, sector and/or year, each group pageable to its victims and claims. Counted in SQL over what your clearance lets you see. Give `of` or `filter` (neither: every current actor).',
    args: {
      of: t.arg.id({ description: 'An actor or a campaign.' }),
      groupBy: t.arg({ type: [VictimologyDimensionEnum], required: true }),
      direct: t.arg.boolean({
        defaultValue: false,
        description: 'Only the actors’ own claims, not their campaigns’.',
      }),
      filter: t.arg({ type: ActorFilter, description: 'The actors whose targeting is counted (without `of`).' }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, args, ctx) => {
      checkView(ctx);
      const clearance = ctx.principal.clearance;
      const known = ctx.view.knownAt;
      const direct = args.direct ?? false;
      if (args.of != null && args.filter)
        throw userError('BAD_USER_INPUT', 'Give "of" or "filter", not both.', { argument: 'filter' });
      if (args.of != null) {
        const { type, id } = idOf(args.of, ['Actor', 'Campaign'], 'of');
        const where = { id, ...visibleRecord(clearance) };
        const found =
          type === 'Actor' ? await ctx.prisma.actor.count({ where }) : await ctx.prisma.campaign.count({ where });
        if (!found) throw notFound(type.toLowerCase(), 'the ID given in "of"');
        return victimology(
          ctx,
          {
            clearance,
            known,
            direct,
            actorIds: type === 'Actor' ? [id] : [],
            campaignIds: type === 'Campaign' ? [id] : [],
          },
          args.groupBy,
        );
      }
      const actors = await ctx.prisma.actor.findMany({
        where: { ...(await actorWhere(args.filter, ctx)), ...currentOnly(false), ...visibleRecord(clearance) },
        select: { id: true },
      });
      return victimology(
        ctx,
        { clearance, known, direct, actorIds: actors.map((a) => a.id), campaignIds: [] },
        args.groupBy,
      );
    },
  }),
);
