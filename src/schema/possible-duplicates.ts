// possibleDuplicates(type:): pairs of current entities that share names but were not joined, with the
// evidence for and against joining them, for curators. Resolution (src/write/resolution.ts) joins
// records only on strong evidence; what it leaves apart on shared names is listed here.

import { visibleFact, visibleRecord, visibleRecordSql, visibleSql } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { Prisma } from '../generated/prisma/client.js';
import { arrayConnection, totalCountField } from './array-connection.js';
import { EntityTypeEnum, entityTypeName } from './enums.js';
import { type EntityType, tagged } from './typed.js';
import { NamedEntity } from './unions.js';

type Pair = { a: string; b: string; names: string[] };

/** How many pairs are compared at most: the list is for review, ordered by how many names they share. */
const MAX_PAIRS = 500;

const sqlOf = {
  Actor: { table: Prisma.raw('"Actor"'), owner: Prisma.raw('"actorId"') },
  Campaign: { table: Prisma.raw('"Campaign"'), owner: Prisma.raw('"campaignId"') },
  Tool: { table: Prisma.raw('"Tool"'), owner: Prisma.raw('"toolId"') },
} as const;

/** Pairs of current, visible entities that carry the same (normalised) visible name, most shared names first. */
async function sharedNamePairs(ctx: Context, type: EntityType): Promise<Pair[]> {
  const { table, owner } = sqlOf[type];
  const clearance = ctx.principal.clearance;
  return ctx.prisma.$queryRaw<Pair[]>`
    SELECT x.${owner}::text AS a, y.${owner}::text AS b, array_agg(DISTINCT x.value ORDER BY x.value) AS names
      FROM "Name" x
      JOIN "Name" y ON y.normalized = x.normalized AND y.${owner} > x.${owner}
      JOIN ${table} ea ON ea.id = x.${owner} AND NOT (ea.revoked OR ea.deprecated)
      JOIN ${table} eb ON eb.id = y.${owner} AND NOT (eb.revoked OR eb.deprecated)
     WHERE ${visibleSql(clearance, 'x')} AND ${visibleSql(clearance, 'y')}
       AND ${visibleRecordSql(clearance, 'ea')} AND ${visibleRecordSql(clearance, 'eb')}
     GROUP BY 1, 2
     ORDER BY count(DISTINCT x.normalized) DESC, 1, 2
     LIMIT ${MAX_PAIRS}`;
}

type Described = {
  id: string;
  name: string;
  datasets: string[];
  attackIds: string[];
  associations: { kind: string; note: string | null; other: string }[];
};

/** What tells each entity apart; `entities` are their rows, read once by the caller. */
async function describe(
  ctx: Context,
  type: EntityType,
  entities: { id: string; name: string; dataset: string }[],
): Promise<Map<string, Described>> {
  const ids = entities.map((e) => e.id);
  const clearance = ctx.principal.clearance;
  const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
  const hasAssociations = type !== 'Campaign';
  const owner = `${model}Id` as const;
  const [records, externalIds, associations] = await Promise.all([
    ctx.prisma.datasetRecord.findMany({
      where: { [owner]: { in: ids }, ...visibleRecord(clearance) },
      select: { dataset: true, actorId: true, campaignId: true, toolId: true },
    }),
    ctx.prisma.externalId.findMany({
      where: { [owner]: { in: ids }, system: 'mitre-attack' },
      select: { value: true, actorId: true, campaignId: true, toolId: true },
    }),
    hasAssociations
      ? ctx.prisma.association.findMany({
          where: {
            ...visibleFact(clearance),
            OR:
              type === 'Actor'
                ? [{ fromActorId: { in: ids } }, { toActorId: { in: ids } }]
                : [{ fromToolId: { in: ids } }, { toToolId: { in: ids } }],
          },
          select: { kind: true, note: true, fromActorId: true, toActorId: true, fromToolId: true, toToolId: true },
        })
      : [],
  ]);
  const described = new Map<string, Described>(
    entities.map((e) => [e.id, { id: e.id, name: e.name, datasets: [e.dataset], attackIds: [], associations: [] }]),
  );
  for (const r of records) {
    const d = described.get(r[owner]!);
    if (d && !d.datasets.includes(r.dataset)) d.datasets.push(r.dataset);
  }
  for (const x of externalIds) described.get(x[owner]!)?.attackIds.push(x.value);
  for (const a of associations) {
    const [from, to] = type === 'Actor' ? [a.fromActorId, a.toActorId] : [a.fromToolId, a.toToolId];
    if (from && to) {
      described.get(from)?.associations.push({ kind: a.kind, note: a.note, other: to });
      described.get(to)?.associations.push({ kind: a.kind, note: a.note, other: from });
    }
  }
  return described;
}

/** The evidence for and against joining two entities that share names. */
function weigh(pair: Pair, a: Described, b: Described) {
  const evidenceFor = [`share the name${pair.names.length > 1 ? 's' : ''} ${pair.names.join(', ')}`];
  const evidenceAgainst: string[] = [];
  if (a.name.toLowerCase() === b.name.toLowerCase()) evidenceFor.push('the same display name');
  for (const link of a.associations.filter((l) => l.other === b.id))
    (link.note?.startsWith('Not joined') ? evidenceAgainst : evidenceFor).push(
      `${link.kind.toLowerCase().replace(/_/g, ' ')}${link.note ? `: ${link.note}` : ''}`,
    );
  if (a.attackIds.length && b.attackIds.length)
    evidenceAgainst.push(`two ATT&CK entries (${a.attackIds.join(', ')} and ${b.attackIds.join(', ')})`);
  const both = a.datasets.filter((d) => b.datasets.includes(d));
  if (both.length) evidenceAgainst.push(`both hold records of ${both.join(', ')}: the same catalogue lists them apart`);
  return { evidenceFor, evidenceAgainst };
}

type Duplicate = { entities: unknown[]; sharedNames: string[]; evidenceFor: string[]; evidenceAgainst: string[] };

const PossibleDuplicate = builder.objectRef<Duplicate>('PossibleDuplicate').implement({
  description:
    'Two entities that share names but were not joined, with the evidence for and against: a curator joins them with mergeRecords, or leaves them apart.',
  fields: (t) => ({
    entities: t.field({
      type: [NamedEntity],
      description: 'The two entities.',
      resolve: (d) => d.entities as (typeof NamedEntity.$inferType)[],
    }),
    sharedNames: t.exposeStringList('sharedNames'),
    evidenceFor: t.exposeStringList('evidenceFor'),
    evidenceAgainst: t.exposeStringList('evidenceAgainst', {
      description: 'Why they were not joined: identifiers, catalogues or links that tell them apart.',
    }),
  }),
});

builder.queryField('possibleDuplicates', (t) =>
  t.connection(
    {
      type: PossibleDuplicate,
      description:
        'Pairs of current actors, campaigns or tools that share names but were not joined, most shared names first, each with the evidence for and against (for curators).',
      args: { type: t.arg({ type: EntityTypeEnum, required: true }) },
      resolve: async (_root, args, ctx) => {
        const type = entityTypeName[args.type];
        const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
        const pairs = await sharedNamePairs(ctx, type);
        const page = arrayConnection(args, ctx, pairs, () => null);
        const ids = [...new Set(page.edges.flatMap((e) => [e.item.a, e.item.b]))];
        const rows = await (
          ctx.prisma[model] as unknown as {
            findMany(a: object): Promise<{ id: string; name: string; dataset: string }[]>;
          }
        ).findMany({ where: { id: { in: ids } } });
        const described = await describe(ctx, type, rows);
        const row = (id: string) => tagged(type, rows.find((r) => r.id === id)!);
        return {
          ...page,
          edges: page.edges.map((e) => {
            const [a, b] = [described.get(e.item.a)!, described.get(e.item.b)!];
            const node: Duplicate = {
              entities: [row(a.id), row(b.id)],
              sharedNames: e.item.names,
              ...weigh(e.item, a, b),
            };
            return { ...e, node };
          }),
        };
      },
    },
    { name: 'PossibleDuplicateConnection', ...totalCountField },
  ),
);
