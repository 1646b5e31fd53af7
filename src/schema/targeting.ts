// Targeting: "actor or campaign targets victim".

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { recordTargeting, updateClaim } from '../write/claims.js';
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

export const Targeting = builder.prismaNode('Targeting', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  interfaces: [Claim],
  description:
    'A sourced claim that an actor or a campaign targets a victim (an organisation, a sector, a country or a region).',
  fields: (t) => ({
    ...claimFields(t),
    by: t.field({
      type: ActorOrCampaign,
      description: 'Who targets.',
      select: { actor: true, campaign: true },
      resolve: (c) => (c.actor ? tagged('Actor', c.actor) : tagged('Campaign', c.campaign!)),
    }),
    actor: t.relation('actor', { nullable: true }),
    campaign: t.relation('campaign', { nullable: true }),
    victim: t.relation('victim'),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

// Mutations: recordTargeting, updateTargeting, deleteTargeting (the write layer: src/write/claims.ts).

const RecordTargetingInput = builder.inputType('RecordTargetingInput', {
  description: 'A sourced claim that an actor or a campaign targets a victim.',
  fields: (t) => ({
    by: t.id({ required: true, description: 'The actor or campaign.' }),
    victim: t.id({ required: true }),
    ...newClaimFields(t),
  }),
});

builder.mutationField('recordTargeting', (t) =>
  t.prismaField({
    type: 'Targeting',
    authScopes: { analyst: true },
    description: 'Records that an actor or a campaign targets a victim, with its sources (analyst or admin). Audited.',
    args: { input: t.arg({ type: RecordTargetingInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await recordTargeting(ctx, input);
      return ctx.prisma.targeting.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const UpdateTargetingInput = builder.inputType('UpdateTargetingInput', {
  description: 'Changes to a targeting: fields left out stay as they are; null clears an optional field.',
  fields: (t) => claimChangeFields(t),
});

builder.mutationField('updateTargeting', (t) =>
  t.prismaField({
    type: 'Targeting',
    authScopes: { analyst: true },
    description:
      'Changes a targeting at the version you read: confidence, dates, status, note, marking (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateTargetingInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateClaim(ctx, 'Targeting', input);
      return ctx.prisma.targeting.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteTargeting', (t) => deleteMutation(t, 'Targeting', deleteClaimDescription('a targeting')));

builder.prismaObjectFields('Targeting', (t) => ({
  version: t.exposeInt('version', { description: claimVersionDescription }),
}));
