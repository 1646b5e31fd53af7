// Association: "actor X overlaps / is linked to / is similar to actor Y" (or tool X is a variant of
// tool Y). Two records related without being one: each keeps its names and claims.

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import type { Prisma } from '../generated/prisma/client.js';
import { AssociationKind } from '../generated/prisma/enums.js';
import { symmetricAssociationKinds } from '../ingest/association-kinds.js';
import { recordAssociation, updateClaim } from '../write/claims.js';
import { Claim } from './claim.js';
import { citationsQuery } from './entity-fields.js';
import { knownFact } from './known-at.js';
import {
  claimChangeFields,
  claimVersionDescription,
  deleteClaimDescription,
  deleteMutation,
  newClaimFields,
} from './mutation-inputs.js';
import { tagged } from './typed.js';
import { NamedEntity } from './unions.js';

export const AssociationKindEnum = builder.enumType(AssociationKind, {
  name: 'AssociationKind',
  description:
    'SIMILAR, OVERLAPS, LINKED_TO, RELATED_TO, ASSOCIATED_WITH hold both ways (stored once, `from` and `to` in the order first stated); VARIANT_OF reads "from is a variant of to".',
});

export const Association = builder.prismaNode('Association', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: {
    id: true,
    kind: true,
    confidence: true,
    confidenceLabel: true,
    firstObserved: true,
    lastObserved: true,
    status: true,
    note: true,
    tlp: true,
    createdAt: true,
  },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  interfaces: [Claim],
  description:
    'A sourced claim that two actors (or two tools) are related without being one record: they overlap, are linked, are similar, or one is a variant of the other.',
  fields: (t) => ({
    kind: t.expose('kind', { type: AssociationKindEnum }),
    symmetric: t.boolean({
      description: 'Whether the kind holds both ways (all but VARIANT_OF).',
      resolve: (a) => (symmetricAssociationKinds as readonly string[]).includes(a.kind),
    }),
    from: t.field({
      type: NamedEntity,
      select: { fromActor: true, fromTool: true },
      resolve: (a) => (a.fromActor ? tagged('Actor', a.fromActor) : tagged('Tool', a.fromTool!)),
    }),
    to: t.field({
      type: NamedEntity,
      select: { toActor: true, toTool: true },
      resolve: (a) => (a.toActor ? tagged('Actor', a.toActor) : tagged('Tool', a.toTool!)),
    }),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

/** The associations with a record on either side, optionally of some kinds only. */
function associationsOf(
  owner: 'Actor' | 'Tool',
  id: string,
  kinds: readonly AssociationKind[] | null | undefined,
  ctx: Context,
): Prisma.AssociationWhereInput {
  const sides = owner === 'Actor' ? [{ fromActorId: id }, { toActorId: id }] : [{ fromToolId: id }, { toToolId: id }];
  return {
    OR: sides,
    ...(kinds?.length ? { kind: { in: [...kinds] } } : {}),
    ...visibleFact(ctx.principal.clearance),
    ...knownFact(ctx),
  };
}

type KindArgs = { kind?: readonly AssociationKind[] | null };

/** Actor.associations and Tool.associations: the options of the connection, but its `args`. */
export const associationsConnection = (owner: 'Actor' | 'Tool') => ({
  type: 'Association' as const,
  cursor: 'id' as const,
  ...paged,
  description: 'Association claims with this record on either side (compare `from` and `to` with it), by kind then id.',
  totalCount: (row: { id: string }, args: KindArgs, ctx: Context) =>
    ctx.prisma.association.count({ where: associationsOf(owner, row.id, args.kind, ctx) }),
  resolve: (query: object, row: { id: string }, args: KindArgs, ctx: Context) =>
    ctx.prisma.association.findMany({
      ...query,
      where: associationsOf(owner, row.id, args.kind, ctx),
      orderBy: [{ kind: 'asc' }, { id: 'asc' }],
    }),
});

const RecordAssociationInput = builder.inputType('RecordAssociationInput', {
  description: 'A sourced claim that two actors (or two tools) are related without being one record.',
  fields: (t) => ({
    kind: t.field({ type: AssociationKindEnum, required: true }),
    from: t.id({ required: true, description: 'An actor or a tool.' }),
    to: t.id({ required: true, description: 'Of the same type as `from`.' }),
    ...newClaimFields(t),
  }),
});

builder.mutationField('recordAssociation', (t) =>
  t.prismaField({
    type: 'Association',
    authScopes: { analyst: true },
    description:
      'Records that two actors or two tools are related (overlap, similar, variant of ...), with its sources (analyst or admin). Audited.',
    args: { input: t.arg({ type: RecordAssociationInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await recordAssociation(ctx, input);
      return ctx.prisma.association.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const UpdateAssociationInput = builder.inputType('UpdateAssociationInput', {
  description: 'Changes to an association: fields left out stay as they are; null clears an optional field.',
  fields: (t) => claimChangeFields(t),
});

builder.mutationField('updateAssociation', (t) =>
  t.prismaField({
    type: 'Association',
    authScopes: { analyst: true },
    description:
      'Changes an association at the version you read: confidence, dates, status, note, marking (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateAssociationInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateClaim(ctx, 'Association', input);
      return ctx.prisma.association.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteAssociation', (t) =>
  deleteMutation(t, 'Association', deleteClaimDescription('an association')),
);

builder.prismaObjectFields('Association', (t) => ({
  version: t.exposeInt('version', { description: claimVersionDescription }),
}));
