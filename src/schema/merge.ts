// Merge: two actors, campaigns or tools found to be one, recorded (not destructive) and reversible.
// mergeRecords moves the absorbed record's names, identifiers, citations and claims to the survivor
// and revokes the absorbed record in its favour; splitMerge moves exactly those rows back.

import { visibleRecord, visibleRow } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import { idOf } from '../global-id.js';
import { mergeable, mergeRecords, splitMerge } from '../write/merge.js';
import { delegateOf } from '../write/transaction.js';
import { TlpEnum } from './enums.js';
import { check } from './mutation-inputs.js';
import { tagged } from './typed.js';
import { NamedEntity } from './unions.js';

/** A merge's survivor or absorbed record (an actor, campaign or tool). */
const entity = async (type: string, id: string, ctx: Context) => {
  const where = { id, ...visibleRecord(ctx.principal.clearance) };
  if (type === 'Actor') return tagged('Actor', await ctx.prisma.actor.findFirst({ where }));
  if (type === 'Campaign') return tagged('Campaign', await ctx.prisma.campaign.findFirst({ where }));
  return tagged('Tool', await ctx.prisma.tool.findFirst({ where }));
};

export const Merge = builder.prismaNode('Merge', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist (its note and moved rows are evidence drawn from marked facts).
  findUnique: (id, ctx) => ({ id, ...visibleRow('Merge', ctx.principal.clearance) }),
  select: { id: true },
  nullable: true,
  description:
    'Two records found to be one. The absorbed record is kept (revoked in favour of the survivor) and every row moved is listed, so that splitMerge undoes it exactly.',
  fields: (t) => ({
    entityType: t.exposeString('entityType'),
    survivor: t.field({
      type: NamedEntity,
      nullable: true,
      select: { entityType: true, survivorId: true },
      resolve: (m, _a, ctx) => entity(m.entityType, m.survivorId, ctx),
    }),
    absorbed: t.field({
      type: NamedEntity,
      nullable: true,
      select: { entityType: true, absorbedId: true },
      resolve: (m, _a, ctx) => entity(m.entityType, m.absorbedId, ctx),
    }),
    movedRows: t.field({
      type: 'JSON',
      description: 'How many rows moved, by table and column (e.g. {"Name.actorId": 3}): those you may see.',
      select: { moved: true },
      resolve: async (m, _a, ctx) => {
        const counts: [string, number][] = [];
        for (const [key, ids] of Object.entries(m.moved as Record<string, string[]>)) {
          const count = await delegateOf(ctx.prisma, key.split('.')[0]).count({
            where: { id: { in: ids }, ...visibleRow(key.split('.')[0], ctx.principal.clearance) },
          });
          if (count) counts.push([key, count]);
        }
        return Object.fromEntries(counts);
      },
    }),
    tlp: t.expose('tlp', {
      type: TlpEnum,
      description: 'At least the highest marking among the names and claims it moved.',
    }),
    note: t.exposeString('note', { nullable: true }),
    mergedBy: t.exposeString('mergedBy', { description: 'The name of the key that merged.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    splitAt: t.expose('splitAt', { type: 'DateTime', nullable: true }),
    splitBy: t.exposeString('splitBy', { nullable: true }),
  }),
});

const MergeRecordsInput = builder.inputType('MergeRecordsInput', {
  description: 'Two actors (or campaigns, or tools) that turn out to be one.',
  fields: (t) => ({
    survivor: t.id({ required: true, description: 'The record that stays.' }),
    survivorVersion: t.int({ required: true, validate: check.version }),
    absorbed: t.id({
      required: true,
      description: 'The record whose names, identifiers and claims move to the survivor; it is kept, revoked.',
    }),
    absorbedVersion: t.int({ required: true, validate: check.version }),
    note: t.string({ validate: check.text.nullish(), description: 'Why: the evidence that they are one.' }),
    tlp: t.field({
      type: TlpEnum,
      description:
        'The marking of the note (default CLEAR; at most your clearance). The merge is marked at least as the facts it moves.',
    }),
  }),
});

// Mutations: mergeRecords, splitMerge (the write layer: src/write/merge.ts).

builder.mutationField('mergeRecords', (t) =>
  t.prismaField({
    type: 'Merge',
    authScopes: { analyst: true },
    description:
      'Merges two actors, campaigns or tools at the versions you read (analyst or admin). Recorded and reversible with splitMerge. Audited.',
    args: { input: t.arg({ type: MergeRecordsInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await mergeRecords(ctx, input);
      return ctx.prisma.merge.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('splitMerge', (t) =>
  t.prismaField({
    type: 'Merge',
    authScopes: { analyst: true },
    description:
      'Undoes a merge: the rows it moved go back to the absorbed record, which is current again (analyst or admin). Audited.',
    args: { merge: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = await splitMerge(ctx, args.merge);
      return ctx.prisma.merge.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.queryField('merges', (t) =>
  t.prismaConnection(
    {
      type: 'Merge',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Merges, newest first; with `record`, those it took part in (as survivor or absorbed).',
      args: { record: t.arg.id() },
      totalCount: (_p, args, ctx) =>
        ctx.prisma.merge.count({
          where: { ...mergeWhere(args.record), ...visibleRow('Merge', ctx.principal.clearance) },
        }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.merge.findMany({
          ...query,
          where: { ...mergeWhere(args.record), ...visibleRow('Merge', ctx.principal.clearance) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    { name: 'MergeConnection' },
    { name: 'MergeEdge' },
  ),
);

function mergeWhere(record: string | number | null | undefined) {
  if (record == null) return {};
  const { id } = idOf(record, mergeable, 'record');
  return { OR: [{ survivorId: id }, { absorbedId: id }] };
}
