// ToolUsage: "actor or campaign uses tool".

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { Claim, claimFields } from './claim.js';
import { recordByActorOrCampaign } from './claim-mutations.js';
import { citationsQuery } from './entity-fields.js';
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
    user: t.field({
      type: ActorOrCampaign,
      select: { actor: true, campaign: true },
      resolve: (u) => (u.actor ? tagged('Actor', u.actor) : tagged('Campaign', u.campaign!)),
    }),
    actor: t.relation('actor', { nullable: true }),
    campaign: t.relation('campaign', { nullable: true }),
    tool: t.relation('tool'),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

recordByActorOrCampaign('ToolUsage', {
  by: 'user',
  target: 'tool',
  targetType: 'Tool',
  column: 'toolId',
  description: 'A sourced claim that an actor or a campaign uses a tool.',
  verb: 'uses a tool',
});
