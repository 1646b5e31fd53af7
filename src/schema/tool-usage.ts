// ToolUsage: "actor or campaign uses tool".

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { recordToolUsage, updateClaim } from '../write/claims.js';
import { Claim, claimFields } from './claim.js';
import { citationsQuery } from './entity-fields.js';
import {
  claimChangeFields,
  claimVersionDescription,
  deleteClaimDescription,
  deleteMutation,
  newClaimFields,
} from './mutation-inputs.js';
import { tagged } from './typed.js';
import { ActorOrCampaign } from './unions.js';

export const ToolUsage = builder.prismaNode('ToolUsage', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  interfaces: [Claim],
  description: 'A sourced claim that an actor or a campaign uses a tool.',
  fields: (t) => ({
    ...claimFields(t),
    by: t.field({
      type: ActorOrCampaign,
      description: 'Who uses the tool.',
      select: { actor: true, campaign: true },
      resolve: (u) => (u.actor ? tagged('Actor', u.actor) : tagged('Campaign', u.campaign!)),
    }),
    actor: t.relation('actor', { nullable: true }),
    campaign: t.relation('campaign', { nullable: true }),
    tool: t.relation('tool'),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

// Mutations: recordToolUsage, updateToolUsage, deleteToolUsage (the write layer: src/write/claims.ts).

const RecordToolUsageInput = builder.inputType('RecordToolUsageInput', {
  description: 'A sourced claim that an actor or a campaign uses a tool.',
  fields: (t) => ({
    by: t.id({ required: true, description: 'The actor or campaign.' }),
    tool: t.id({ required: true }),
    ...newClaimFields(t),
  }),
});

builder.mutationField('recordToolUsage', (t) =>
  t.prismaField({
    type: 'ToolUsage',
    authScopes: { analyst: true },
    description: 'Records that an actor or a campaign uses a tool, with its sources (analyst or admin). Audited.',
    args: { input: t.arg({ type: RecordToolUsageInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await recordToolUsage(ctx, input);
      return ctx.prisma.toolUsage.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const UpdateToolUsageInput = builder.inputType('UpdateToolUsageInput', {
  description: 'Changes to a tool usage: fields left out stay as they are; null clears an optional field.',
  fields: (t) => claimChangeFields(t),
});

builder.mutationField('updateToolUsage', (t) =>
  t.prismaField({
    type: 'ToolUsage',
    authScopes: { analyst: true },
    description:
      'Changes a tool usage at the version you read: confidence, dates, status, note, marking (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateToolUsageInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateClaim(ctx, 'ToolUsage', input);
      return ctx.prisma.toolUsage.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteToolUsage', (t) => deleteMutation(t, 'ToolUsage', deleteClaimDescription('a tool usage')));

builder.prismaObjectFields('ToolUsage', (t) => ({
  version: t.exposeInt('version', { description: claimVersionDescription }),
}));
