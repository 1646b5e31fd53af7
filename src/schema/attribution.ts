// Attribution: "campaign / actor / tool X is attributed to actor Y" (or to a described, unnamed group).
import { visibleFact } from '../auth/visibility.js';
import { citationsQuery, claimsById } from './entity-fields.js';
import { builder, paged } from '../builder.js';
import { Claim } from './claim.js';
import { tagged } from './typed.js';
import { AttributionSubject } from './unions.js';

export const Attribution = builder.prismaNode('Attribution', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true, confidence: true, confidenceLabel: true, firstObserved: true, lastObserved: true, status: true, note: true, tlp: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  interfaces: [Claim],
  description: 'A sourced claim that a campaign, an actor (as a subgroup) or a tool is the work of an actor. An attribution may name no known actor, only a description and countries.',
  fields: (t) => ({
    subject: t.field({
      type: AttributionSubject,
      description: 'What is attributed.',
      select: { campaign: true, subjectActor: true, tool: true },
      resolve: (a) => (a.campaign ? tagged('Campaign', a.campaign) : a.subjectActor ? tagged('Actor', a.subjectActor) : tagged('Tool', a.tool!)),
    }),
    campaign: t.relation('campaign', { nullable: true }),
    subjectActor: t.relation('subjectActor', { nullable: true, description: 'Set when an actor is attributed to another (a subgroup).' }),
    tool: t.relation('tool', { nullable: true }),
    actor: t.relation('actor', { nullable: true, description: 'The actor it is attributed to; null when the source describes the actor only in words.' }),
    attributedToDescription: t.exposeString('attributedToText', { nullable: true, description: 'The source’s own description, e.g. "a threat actor linked to the East European region".' }),
    attributedToCountries: t.exposeStringList('attributedToCountries', { description: 'Countries the source links the actor to (ISO 3166-1 alpha-2).' }),
    assessedOn: t.expose('assessedOn', { type: 'Date', nullable: true, description: 'When the source made the assessment.' }),
    supersededBy: t.prismaField({
      type: 'Attribution',
      nullable: true,
      description: 'The later assessment that replaced this one (null when there is none the caller may see).',
      select: { supersededById: true },
      resolve: (query, row, _args, ctx) => (row.supersededById ? ctx.prisma.attribution.findFirst({ ...query, where: { id: row.supersededById, ...visibleFact(ctx.principal.clearance) } }) : null),
    }),
    supersedes: t.relatedConnection('supersedes', { cursor: 'id', totalCount: true, ...paged, query: claimsById }),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});
