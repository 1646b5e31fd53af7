// Targeting: "actor or campaign targets victim".

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { Claim, claimFields } from './claim.js';
import { recordByActorOrCampaign } from './claim-mutations.js';
import { citationsQuery } from './entity-fields.js';
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

recordByActorOrCampaign('Targeting', {
  by: 'attacker',
  target: 'victim',
  targetType: 'Victim',
  column: 'victimId',
  description: 'A sourced claim that an actor or a campaign targets a victim.',
  verb: 'targets a victim',
});
