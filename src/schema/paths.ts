// Explained paths: the shortest chains of claims and shared facts between two entities (actors,
// campaigns, tools, victims, techniques), found in SQL. Every step is a claim the caller may see
// (attribution, tool or technique use, targeting, association), a name two entities share, a merge, or
// an origin country two actors share; a hidden claim is never a step, so a path through one does not
// exist for that caller. Paths are searched from both ends at once (each side at most half the hops,
// joined where they meet), so that a hub's thousands of neighbours are met once, not multiplied; and
// paths through hubs rank below paths through specific entities (a step's cost grows with the log of
// its entity's neighbours).
import { visibleRecordSql } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import { Prisma } from '../generated/prisma/client.js';
import { encodeId, idOf } from '../global-id.js';
import { Actor } from './actor.js';
import { pageWindow, windowConnection } from './array-connection.js';
import { Association } from './association.js';
import { Attribution } from './attribution.js';
import { Campaign } from './campaign.js';
import { Citation } from './citation.js';
import { checkView, type FactScope, factScope, factSql, viewArgs } from './known-at.js';
import { Organization } from './organization.js';
import { selectedRows } from './selected-rows.js';
import { Source } from './source.js';
import { Targeting } from './targeting.js';
import { Technique, TechniqueUse } from './technique.js';
import { Tool } from './tool.js';
import { ToolUsage } from './tool-usage.js';
import { tagged, tagOf } from './typed.js';
import { Victim } from './victim.js';

const stepKinds = [
  'ATTRIBUTION',
  'TOOL_USE',
  'TECHNIQUE_USE',
  'TARGETING',
  'ASSOCIATION',
  'SHARED_NAME',
  'MERGE',
  'SHARED_ORIGIN',
  'CITATION',
  'COINED',
  'PUBLISHED',
] as const;
/** Steps through sources and organisations: taken when an end is one, or when `via` names them. */
const documentKinds: readonly StepKind[] = ['CITATION', 'COINED', 'PUBLISHED'];
type StepKind = (typeof stepKinds)[number];
const claimModel: Partial<Record<StepKind, string>> = {
  ATTRIBUTION: 'Attribution',
  TOOL_USE: 'ToolUsage',
  TECHNIQUE_USE: 'TechniqueUse',
  TARGETING: 'Targeting',
  ASSOCIATION: 'Association',
};
/** Weak evidence costs more: a shared origin country links every actor of that country. */
const kindCost: Record<StepKind, number> = {
  ATTRIBUTION: 0,
  TOOL_USE: 0,
  TECHNIQUE_USE: 0.5,
  TARGETING: 0.5,
  ASSOCIATION: 0,
  SHARED_NAME: 0,
  MERGE: 0,
  SHARED_ORIGIN: 3,
  CITATION: 1,
  COINED: 0.5,
  PUBLISHED: 0,
};
const nodeTypes = ['Actor', 'Campaign', 'Tool', 'Victim', 'Technique', 'Source', 'Organization'] as const;

export const PathStepKindEnum = builder.enumType('PathStepKind', {
  description: 'What a step of a path is.',
  values: stepKinds,
});

/** A side of a claim: the node it names (an SQL expression over `x`) and the columns that hold it, by type. */
type Side = { node: string; columns: [string, string][] };
/** The claims that are steps, by kind: their table and their two sides. */
const claimSteps: Partial<Record<StepKind, { table: string; a: Side; b: Side; where?: string }>> = {
  ATTRIBUTION: {
    table: 'Attribution',
    a: { node: `'Actor:' || x."actorId"`, columns: [['Actor', 'actorId']] },
    b: {
      node: `COALESCE('Campaign:' || x."campaignId", 'Actor:' || x."subjectActorId", 'Tool:' || x."toolId")`,
      columns: [
        ['Campaign', 'campaignId'],
        ['Actor', 'subjectActorId'],
        ['Tool', 'toolId'],
      ],
    },
    where: `x."actorId" IS NOT NULL`,
  },
  TOOL_USE: {
    table: 'ToolUsage',
    a: {
      node: `COALESCE('Actor:' || x."actorId", 'Campaign:' || x."campaignId")`,
      columns: [
        ['Actor', 'actorId'],
        ['Campaign', 'campaignId'],
      ],
    },
    b: { node: `'Tool:' || x."toolId"`, columns: [['Tool', 'toolId']] },
  },
  TECHNIQUE_USE: {
    table: 'TechniqueUse',
    a: {
      node: `COALESCE('Actor:' || x."actorId", 'Campaign:' || x."campaignId", 'Tool:' || x."toolId")`,
      columns: [
        ['Actor', 'actorId'],
        ['Campaign', 'campaignId'],
        ['Tool', 'toolId'],
      ],
    },
    b: { node: `'Technique:' || x."techniqueId"`, columns: [['Technique', 'techniqueId']] },
  },
  TARGETING: {
    table: 'Targeting',
    a: {
      node: `COALESCE('Actor:' || x."actorId", 'Campaign:' || x."campaignId")`,
      columns: [
        ['Actor', 'actorId'],
        ['Campaign', 'campaignId'],
      ],
    },
    b: { node: `'Victim:' || x."victimId"`, columns: [['Victim', 'victimId']] },
  },
  ASSOCIATION: {
    table: 'Association',
    a: {
      node: `COALESCE('Actor:' || x."fromActorId", 'Tool:' || x."fromToolId")`,
      columns: [
        ['Actor', 'fromActorId'],
        ['Tool', 'fromToolId'],
      ],
    },
    b: {
      node: `COALESCE('Actor:' || x."toActorId", 'Tool:' || x."toToolId")`,
      columns: [
        ['Actor', 'toActorId'],
        ['Tool', 'toToolId'],
      ],
    },
  },
};
const nameOwner = (n: string) =>
  `COALESCE('Actor:' || ${n}."actorId", 'Campaign:' || ${n}."campaignId", 'Tool:' || ${n}."toolId")`;
const nameOwnerColumns: [string, string][] = [
  ['Actor', 'actorId'],
  ['Campaign', 'campaignId'],
  ['Tool', 'toolId'],
];

/**
 * The steps the caller may see from the nodes of `within` (a CTE of `node` rows, 'Type:uuid'), as
 * edges (a, b, kind, fact, confidence) with `a` among them: each kind read through the indexes on the
 * columns that name the nodes, never the whole graph (at scale M the whole graph is ~2 million edges:
 * 5 to 40 s a query; a node's neighbourhood, milliseconds).
 */
function adjacentSql(scope: FactScope, kinds: Set<StepKind>, within: string) {
  const clearance = scope.clearance;
  /** A name or claim the scope reads (visible, and published by its knownAt), cited by Citation.`column`. */
  const fact = (alias: string, column: string) => factSql(scope, alias, column);
  const citedBy = (table: string) => `${table[0].toLowerCase()}${table.slice(1)}Id`;
  const published = (alias: string) =>
    scope.known ? Prisma.sql`${raw(`${alias}."publishedOn"`)} <= ${scope.known}` : Prisma.sql`TRUE`;
  const live = (alias: string) => Prisma.raw(`${alias}.status <> 'RETRACTED'`);
  const raw = Prisma.raw;
  /** The uuids of the nodes of one type (all types: any uuid). */
  const ids = (type: string | null) =>
    raw(
      type
        ? `ARRAY(SELECT substr(node, ${type.length + 2})::uuid FROM ${within} WHERE node LIKE '${type}:%')`
        : `ARRAY(SELECT substr(node, strpos(node, ':') + 1)::uuid FROM ${within})`,
    );
  const holds = (alias: string, columns: [string, string][]) =>
    Prisma.join(
      columns.map(([type, column]) => Prisma.sql`${raw(`${alias}."${column}"`)} = ANY(${ids(type)})`),
      ' OR ',
    );
  const parts: Prisma.Sql[] = [];
  for (const [kind, spec] of Object.entries(claimSteps) as [StepKind, NonNullable<(typeof claimSteps)[StepKind]>][]) {
    if (!kinds.has(kind)) continue;
    const where = Prisma.sql`${live('x')} AND ${fact('x', citedBy(spec.table))}${spec.where ? raw(` AND ${spec.where}`) : Prisma.empty}`;
    for (const [from, to] of [
      [spec.a, spec.b],
      [spec.b, spec.a],
    ])
      parts.push(Prisma.sql`SELECT ${raw(from.node)}, ${raw(to.node)}, ${raw(`'${kind}'`)}, x.id::text, x.confidence
        FROM ${raw(`"${spec.table}"`)} x WHERE (${holds('x', from.columns)}) AND ${where}`);
  }
  if (kinds.has('SHARED_NAME'))
    parts.push(Prisma.sql`SELECT ${raw(nameOwner('n1'))}, ${raw(nameOwner('n2'))}, 'SHARED_NAME',
        CASE WHEN ${raw(nameOwner('n1'))} < ${raw(nameOwner('n2'))} THEN n1.value ELSE n2.value END, NULL::int
      FROM "Name" n1 JOIN "Name" n2 ON n2.normalized = n1.normalized AND n2.id <> n1.id
      WHERE (${holds('n1', nameOwnerColumns)}) AND ${fact('n1', 'nameId')} AND ${fact('n2', 'nameId')}`);
  if (kinds.has('MERGE'))
    for (const [from, to] of [
      ['survivorId', 'absorbedId'],
      ['absorbedId', 'survivorId'],
    ])
      parts.push(Prisma.sql`SELECT x."entityType" || ':' || ${raw(`x."${from}"`)}, x."entityType" || ':' || ${raw(`x."${to}"`)}, 'MERGE', x.id::text, NULL::int
        FROM "Merge" x WHERE ${raw(`x."${from}"`)} = ANY(${ids(null)}) AND x."splitAt" IS NULL AND ${visibleRecordSql(clearance, 'x')}
         AND NOT EXISTS (SELECT 1 FROM (SELECT id, tlp FROM "Actor" UNION ALL SELECT id, tlp FROM "Campaign" UNION ALL SELECT id, tlp FROM "Tool") r
                          WHERE r.id IN (x."survivorId", x."absorbedId") AND NOT ${visibleRecordSql(clearance, 'r')})`);
  if (kinds.has('SHARED_ORIGIN'))
    parts.push(Prisma.sql`SELECT 'Actor:' || x.id, 'Actor:' || y.id, 'SHARED_ORIGIN', x."originCountry"::text, NULL::int
      FROM "Actor" x JOIN "Actor" y ON y."originCountry" = x."originCountry" AND y.id <> x.id
      WHERE x.id = ANY(${ids('Actor')}) AND NOT x.revoked AND NOT y.revoked
        AND ${visibleRecordSql(clearance, 'x')} AND ${visibleRecordSql(clearance, 'y')}`);
  if (kinds.has('CITATION')) {
    // A source and each record a name, a claim (both sides) or an attribute it supports names: one
    // step per (source, record), its fact the first such citation.
    const sourceIds = ids('Source');
    const cited = (join: string, record: string, recordHeld: Prisma.Sql, visible: Prisma.Sql) =>
      Prisma.sql`SELECT c.id, c."sourceId", ${raw(record)} AS b FROM "Citation" c ${raw(join)}
        WHERE (c."sourceId" = ANY(${sourceIds}) OR ${recordHeld}) AND ${visible}`;
    const members = [
      cited('JOIN "Name" x ON x.id = c."nameId"', nameOwner('x'), holds('x', nameOwnerColumns), fact('x', 'nameId')),
      ...Object.values(claimSteps).flatMap((spec) =>
        [spec!.a, spec!.b].map((side) =>
          cited(
            `JOIN "${spec!.table}" x ON x.id = c."${spec!.table[0].toLowerCase()}${spec!.table.slice(1)}Id"`,
            side.node,
            holds('x', side.columns),
            Prisma.sql`${live('x')} AND ${fact('x', citedBy(spec!.table))}`,
          ),
        ),
      ),
      ...(['Actor', 'Campaign', 'Tool', 'Victim'] as const).map((type) =>
        cited(
          `JOIN "${type}" x ON x.id = c."${type.toLowerCase()}Id"`,
          `'${type}:' || x.id`,
          Prisma.sql`x.id = ANY(${ids(type)})`,
          visibleRecordSql(clearance, 'x'),
        ),
      ),
    ];
    const pairs = Prisma.sql`(SELECT DISTINCT ON (t."sourceId", t.b) t."sourceId", t.b, t.id
      FROM (${Prisma.join(members, ' UNION ALL ')}) t JOIN "Source" s ON s.id = t."sourceId"
      WHERE t.b IS NOT NULL AND ${visibleRecordSql(clearance, 's')} AND ${published('s')} ORDER BY t."sourceId", t.b, t.id)`;
    parts.push(Prisma.sql`SELECT 'Source:' || p."sourceId", p.b, 'CITATION', p.id::text, NULL::int FROM ${pairs} p
      WHERE p."sourceId" = ANY(${sourceIds})`);
    parts.push(Prisma.sql`SELECT p.b, 'Source:' || p."sourceId", 'CITATION', p.id::text, NULL::int FROM ${pairs} p
      WHERE p.b IN (SELECT node FROM ${raw(within)})`);
  }
  if (kinds.has('COINED')) {
    const coined = Prisma.sql`FROM "Name" x JOIN "Organization" o ON o.id = x."coinedById" WHERE ${fact('x', 'nameId')} AND ${visibleRecordSql(clearance, 'o')}`;
    parts.push(Prisma.sql`SELECT 'Organization:' || x."coinedById", ${raw(nameOwner('x'))}, 'COINED', x.value, NULL::int
      ${coined} AND x."coinedById" = ANY(${ids('Organization')})`);
    parts.push(Prisma.sql`SELECT ${raw(nameOwner('x'))}, 'Organization:' || x."coinedById", 'COINED', x.value, NULL::int
      ${coined} AND (${holds('x', nameOwnerColumns)})`);
  }
  if (kinds.has('PUBLISHED')) {
    const publishers = Prisma.sql`FROM "Source" s JOIN "Organization" o ON o.id = s."publisherId"
      WHERE ${visibleRecordSql(clearance, 's')} AND ${published('s')} AND ${visibleRecordSql(clearance, 'o')}`;
    parts.push(Prisma.sql`SELECT 'Organization:' || s."publisherId", 'Source:' || s.id, 'PUBLISHED', s.id::text, NULL::int
      ${publishers} AND s."publisherId" = ANY(${ids('Organization')})`);
    parts.push(Prisma.sql`SELECT 'Source:' || s.id, 'Organization:' || s."publisherId", 'PUBLISHED', s.id::text, NULL::int
      ${publishers} AND s.id = ANY(${ids('Source')})`);
  }
  if (!parts.length)
    parts.push(Prisma.sql`SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::int WHERE false`);
  return Prisma.sql`SELECT * FROM (${Prisma.join(parts, ' UNION ALL ')}) AS e(a, b, kind, fact, confidence)
    WHERE a IS NOT NULL AND b IS NOT NULL AND a <> b`;
}

type PathClaimRow = typeof PathClaim.$inferType;
type CitationRow = typeof Citation.$inferType;
type Step = { kind: StepKind; from: string; to: string; fact: string; confidence: number | null };
type PathRow = { nodes: string[]; steps: string[]; hops: number; cost: number; weakest: number | null };
type FoundPath = { hops: number; cost: number; weakestConfidence: number | null; nodes: string[]; steps: Step[] };

async function findPaths(
  ctx: Context,
  from: string,
  to: string,
  maxHops: number,
  kinds: Set<StepKind>,
): Promise<FoundPath[]> {
  const clearance = ctx.principal.clearance;
  const scope = factScope(ctx);
  // Each side walks half the hops; with an odd number, the end with fewer neighbours walks the longer
  // half (from a hub, two steps reach its neighbours' neighbours: the hot actor of the benchmark at
  // scale M, 50k victims, answered 3 hops in 3.8 s walking two steps from it, 2.0 s from the other end).
  let [first, second] = [Math.ceil(maxHops / 2), Math.floor(maxHops / 2)];
  if (first !== second) {
    const [sizes] = await ctx.prisma.$queryRaw<{ from: bigint; to: bigint }[]>`
      WITH fromEnd(node) AS (SELECT ${from}::text), toEnd(node) AS (SELECT ${to}::text)
      SELECT (SELECT count(*) FROM (${adjacentSql(scope, kinds, 'fromEnd')}) e) AS "from",
             (SELECT count(*) FROM (${adjacentSql(scope, kinds, 'toEnd')}) e) AS "to"`;
    if (sizes.from > sizes.to) [first, second] = [second, first];
  }
  const kindCostOf = (alias: string) =>
    Prisma.raw(`(CASE ${alias}.kind ${stepKinds.map((k) => `WHEN '${k}' THEN ${kindCost[k]}`).join(' ')} ELSE 0 END)`);
  /** A step of edge `e` (an alias), written from `a` to `b`. */
  const step = (e: string, a: string, b: string) =>
    Prisma.raw(
      `(${e}.kind || '|' || ${e}.fact || '|' || COALESCE(${e}.confidence::text, '') || '|' || ${a} || '|' || ${b})`,
    );
  // Each side walks at most two steps (maxHops ≤ 4). A side's partial path carries the cost of the
  // entities it passed (ln(1 + neighbours)) and of its kinds of steps, and its weakest confidence; only
  // the 20 cheapest partial paths reaching each entity at the second step are kept, so that two hubs
  // met from both sides do not multiply their neighbours (maxHops 4 between two actors: thousands of
  // partial paths per side, not millions of joined ones).
  /** The steps of one side, read outwards from its end: `p` names its CTEs (f: from, b: to). */
  const neighbourhood = (p: string, start: string, stop: string, hops: number) => Prisma.sql`
    ${Prisma.raw(p)}n0(node) AS (SELECT ${start}::text),
    ${Prisma.raw(p)}e1 AS (SELECT * FROM (${adjacentSql(scope, kinds, `${p}n0`)}) e WHERE ${hops} >= 1),
    ${Prisma.raw(p)}n1(node) AS (SELECT DISTINCT b FROM ${Prisma.raw(p)}e1 WHERE ${hops} >= 2 AND b <> ${stop}::text),
    ${Prisma.raw(p)}e2 AS (${adjacentSql(scope, inner, `${p}n1`)}),
    ${Prisma.raw(p)}deg AS (SELECT node, sum(d) AS d FROM (
      SELECT a AS node, count(*) AS d FROM ${Prisma.raw(p)}e2 GROUP BY a
      UNION ALL SELECT node, d FROM origins WHERE node IN (SELECT node FROM ${Prisma.raw(p)}n1)) n GROUP BY node)`;
  const side = (p: string, start: string, stop: string, hops: number, forward: boolean) => {
    const [e1, e2, deg] = [`${p}e1`, `${p}e2`, `${p}deg`].map(Prisma.raw);
    return Prisma.sql`
      SELECT ${start}::text AS node, ARRAY[${start}::text] AS nodes, ARRAY[]::text[] AS steps, 0 AS hops, 0::float8 AS cost, NULL::int AS weakest
      UNION ALL
      SELECT e.b, ${forward ? Prisma.sql`ARRAY[e.a, e.b]` : Prisma.sql`ARRAY[e.b, e.a]`}, ARRAY[${forward ? step('e', 'e.a', 'e.b') : step('e', 'e.b', 'e.a')}], 1,
             ${kindCostOf('e')}, e.confidence
        FROM ${e1} e
      UNION ALL
      SELECT node, nodes, steps, 2, cost, weakest FROM (
        SELECT e2.b AS node,
               ${forward ? Prisma.sql`ARRAY[e1.a, e1.b, e2.b]` : Prisma.sql`ARRAY[e2.b, e1.b, e1.a]`} AS nodes,
               ${forward ? Prisma.sql`ARRAY[${step('e1', 'e1.a', 'e1.b')}, ${step('e2', 'e2.a', 'e2.b')}]` : Prisma.sql`ARRAY[${step('e2', 'e2.b', 'e2.a')}, ${step('e1', 'e1.b', 'e1.a')}]`} AS steps,
               ln(1 + d.d) + ${kindCostOf('e1')} + ${kindCostOf('e2')} AS cost,
               LEAST(e1.confidence, e2.confidence) AS weakest,
               row_number() OVER (PARTITION BY e2.b ORDER BY ln(1 + d.d), e1.b, e2.kind, e2.fact) AS rank
          FROM ${e1} e1 JOIN ${e2} e2 ON e2.a = e1.b
          JOIN ${deg} d ON d.node = e1.b
         WHERE ${hops} >= 2 AND e1.b <> ${stop}::text AND e2.b <> e1.a) x
       WHERE rank <= 20`;
  };
  // A step travels as 'kind|fact|confidence|from|to'; a node as 'Type:uuid'. Each side reads only its
  // end's neighbourhood (two steps at most), and the neighbours of the entities where the sides meet
  // (for their cost).
  // A shared origin country links every actor of that country (~700 at scale M): a step only next to an
  // end of a path. Beyond the ends' own neighbours it is counted (for the cost), never walked: walking
  // it made 3 hops between two ordinary actors 1.5 s instead of 0.15 s.
  const inner = new Set([...kinds].filter((k) => k !== 'SHARED_ORIGIN'));
  const rows = await ctx.prisma.$queryRaw<PathRow[]>`
    WITH
    origins(node, d) AS (SELECT 'Actor:' || x.id, count(*) OVER (PARTITION BY x."originCountry") - 1
      FROM "Actor" x WHERE ${kinds.has('SHARED_ORIGIN')} AND x."originCountry" IS NOT NULL AND NOT x.revoked
       AND ${visibleRecordSql(clearance, 'x')}),
    ${neighbourhood('f', from, to, first)},
    ${neighbourhood('b', to, from, second)},
    fwd AS (${side('f', from, to, first, true)}),
    bwd AS (${side('b', to, from, second, false)}),
    meet(node) AS (SELECT DISTINCT f.node FROM fwd f JOIN bwd w ON w.node = f.node
                    WHERE f.node NOT IN (${from}::text, ${to}::text)),
    degree AS (SELECT a AS node, count(*) AS d FROM (${adjacentSql(scope, kinds, 'meet')}) m GROUP BY a),
    joined AS (
      SELECT DISTINCT ON (f.steps || w.steps) f.nodes || w.nodes[2:] AS nodes, f.steps || w.steps AS steps,
             f.hops + w.hops AS hops,
             f.cost + w.cost + CASE WHEN f.node IN (${from}::text, ${to}::text) THEN 0 ELSE ln(1 + COALESCE(d.d, 0)) END AS cost,
             LEAST(f.weakest, w.weakest) AS weakest
        FROM fwd f JOIN bwd w ON w.node = f.node
        LEFT JOIN degree d ON d.node = f.node
       WHERE f.hops + w.hops BETWEEN 1 AND ${maxHops}
         AND (f.hops = 0 OR f.node <> ${from}::text) AND (w.hops = 0 OR w.node <> ${to}::text)
         AND NOT (f.nodes[1:array_length(f.nodes, 1) - 1] && w.nodes)
         AND NOT (f.nodes && w.nodes[2:]))
    SELECT nodes, steps, hops, cost::float8 AS cost, weakest FROM joined ORDER BY hops, cost, steps LIMIT 1000`;
  return rows.map((r) => ({
    hops: r.hops,
    cost: Math.round(r.cost * 1000) / 1000,
    weakestConfidence: r.weakest,
    nodes: r.nodes,
    steps: r.steps.map((s) => {
      const [kind, fact, confidence, fromNode, toNode] = s.split('|');
      return {
        kind: kind as StepKind,
        fact,
        confidence: confidence ? Number(confidence) : null,
        from: fromNode,
        to: toNode,
      };
    }),
  }));
}

/** A node as a record of its type (tagged for the union), if the caller may see it. */
async function nodeRecord(ctx: Context, node: string) {
  const [type, id] = node.split(':');
  const [row] = await selectedRows<{ id: string }>(ctx, type, {}, [id]);
  return tagged(type, row ?? null);
}

const PathNode = builder.unionType('PathNode', {
  description: 'An entity on a path.',
  types: () => [Actor, Campaign, Tool, Victim, Technique, Source, Organization],
  resolveType: (row) => tagOf(row),
});

const PathClaim = builder.unionType('PathClaim', {
  description: 'The claim a step stands for.',
  types: () => [Attribution, ToolUsage, TechniqueUse, Targeting, Association],
  resolveType: (row) => tagOf(row),
});

const PathStepRef = builder.objectRef<Step>('PathStep').implement({
  description:
    'One step of a path: a claim (with its sources, confidence and status), a name both ends carry, a merge of the two, or an origin country two actors share.',
  fields: (t) => ({
    kind: t.field({ type: PathStepKindEnum, resolve: (s) => s.kind }),
    from: t.field({ type: PathNode, nullable: true, resolve: (s, _a, ctx) => nodeRecord(ctx, s.from) }),
    to: t.field({ type: PathNode, nullable: true, resolve: (s, _a, ctx) => nodeRecord(ctx, s.to) }),
    confidence: t.int({ nullable: true, resolve: (s) => s.confidence }),
    claim: t.field({
      type: PathClaim,
      nullable: true,
      description:
        'The claim of this step (attribution, tool use, technique use, targeting, association), with its sources, confidence and status.',
      resolve: async (s, _a, ctx) => {
        const model = claimModel[s.kind];
        if (!model) return null;
        const [row] = await selectedRows<PathClaimRow>(ctx, model, {}, [s.fact]);
        return row ? tagged(model, row) : null;
      },
    }),
    claimId: t.id({
      nullable: true,
      description: 'The global ID of the claim (its sources: node(id:) … on the claim’s type).',
      resolve: (s) => (claimModel[s.kind] ? encodeId(claimModel[s.kind]!, s.fact) : null),
    }),
    sharedValue: t.string({
      nullable: true,
      description: 'The shared name (SHARED_NAME), origin country (SHARED_ORIGIN) or coined name (COINED).',
      resolve: (s) => (s.kind === 'SHARED_NAME' || s.kind === 'SHARED_ORIGIN' || s.kind === 'COINED' ? s.fact : null),
    }),
    citation: t.field({
      type: Citation,
      nullable: true,
      description:
        'The citation of a CITATION step: the source supporting a name, a claim or an attribute of the record.',
      resolve: async (s, _a, ctx) =>
        s.kind === 'CITATION' ? ((await selectedRows<CitationRow>(ctx, 'Citation', {}, [s.fact]))[0] ?? null) : null,
    }),
    mergeId: t.id({
      nullable: true,
      resolve: (s) => (s.kind === 'MERGE' ? encodeId('Merge', s.fact) : null),
    }),
  }),
});

const PathRef = builder.objectRef<FoundPath>('Path').implement({
  description: 'A chain of steps from one entity to another, with its length, its weakest confidence and its rank.',
  fields: (t) => ({
    hops: t.exposeInt('hops'),
    weakestConfidence: t.int({
      nullable: true,
      description: 'The lowest confidence among its claims (null: none says).',
      resolve: (p) => p.weakestConfidence,
    }),
    cost: t.float({
      description:
        'How much it leans on hubs and weak evidence: the sum of ln(1 + neighbours) of the entities it passes through, plus 3 per shared origin and 0.5 per technique use or targeting. Lower first.',
      resolve: (p) => p.cost,
    }),
    steps: t.field({ type: [PathStepRef], resolve: (p) => p.steps }),
  }),
});

builder.queryField('paths', (t) =>
  t.connection(
    {
      type: PathRef,
      description:
        'The shortest chains of claims and shared facts between two records (actors, campaigns, tools, victims, techniques, sources, organisations), within `maxHops` (1-4), shortest first and, among those, the ones through the most specific records. Only claims, names and sources you may see are steps; steps through sources and organisations (CITATION, COINED, PUBLISHED) are taken when an end is one or `via` names them.',
      args: {
        from: t.arg.id({ required: true }),
        to: t.arg.id({ required: true }),
        maxHops: t.arg.int({ defaultValue: 3 }),
        via: t.arg({
          type: [PathStepKindEnum],
          description: 'Only these kinds of steps (default: all).',
        }),
        ...viewArgs(t.arg),
      },
      resolve: async (_root, args, ctx) => {
        checkView(ctx);
        const maxHops = args.maxHops ?? 3;
        if (maxHops < 1 || maxHops > 4)
          throw userError('BAD_USER_INPUT', '"maxHops" must be between 1 and 4.', { argument: 'maxHops' });
        const ends = [];
        for (const [name, value] of [
          ['from', args.from],
          ['to', args.to],
        ] as const) {
          const { type, id } = idOf(value, nodeTypes, name);
          if (!(await nodeVisible(ctx, type, id))) throw notFound(type.toLowerCase(), `the ID given in "${name}"`);
          ends.push(`${type}:${id}`);
        }
        if (ends[0] === ends[1]) throw userError('BAD_USER_INPUT', '"from" and "to" are the same.', { argument: 'to' });
        // Sources and organisations link almost everything: their steps are taken when an end is one.
        const documentEnd = ends.some((end) => end.startsWith('Source:') || end.startsWith('Organization:'));
        const kinds = new Set<StepKind>(
          args.via?.length ? args.via : stepKinds.filter((k) => documentEnd || !documentKinds.includes(k)),
        );
        const found = await findPaths(ctx, ends[0], ends[1], maxHops, kinds);
        const { offset, limit } = pageWindow(args, ctx.config.pageSize, found.length);
        return windowConnection(
          args,
          ctx,
          { items: found.slice(offset, offset + limit), offset, totalCount: found.length },
          (p) => p,
        );
      },
    },
    {
      name: 'PathConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many paths there are (at most 1,000 are ranked).',
          resolve: (x) => (x as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
  ),
);

async function nodeVisible(ctx: Context, type: string, id: string) {
  return (await selectedRows(ctx, type, { select: { id: true } }, [id])).length > 0;
}
