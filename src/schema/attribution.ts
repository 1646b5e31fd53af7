// Attribution: "campaign / actor / tool X is attributed to actor Y" (or to a described, unnamed group).

import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { notFound, userError } from '../errors.js';
import { idOf } from '../global-id.js';
import { type Edit, edit, updateAtVersion } from '../write/transaction.js';
import { Claim, claimFields } from './claim.js';
import {
  claimColumns,
  claimInputFields,
  claimMutations,
  existing,
  newClaimKey,
  record,
  recordIn,
} from './claim-mutations.js';
import { check } from './edit-inputs.js';
import { citationsQuery, claimsById } from './entity-fields.js';
import { tagged } from './typed.js';
import { AttributionSubject } from './unions.js';

export const Attribution = builder.prismaNode('Attribution', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  interfaces: [Claim],
  description:
    'A sourced claim that a campaign, an actor (as a subgroup) or a tool is the work of an actor. An attribution may name no known actor, only a description and countries.',
  fields: (t) => ({
    ...claimFields(t),
    subject: t.field({
      type: AttributionSubject,
      description: 'What is attributed.',
      select: { campaign: true, subjectActor: true, tool: true },
      resolve: (a) =>
        a.campaign
          ? tagged('Campaign', a.campaign)
          : a.subjectActor
            ? tagged('Actor', a.subjectActor)
            : tagged('Tool', a.tool!),
    }),
    campaign: t.relation('campaign', { nullable: true }),
    subjectActor: t.relation('subjectActor', {
      nullable: true,
      description: 'Set when an actor is attributed to another (a subgroup).',
    }),
    tool: t.relation('tool', { nullable: true }),
    actor: t.relation('actor', {
      nullable: true,
      description: 'The actor it is attributed to; null when the source describes the actor only in words.',
    }),
    attributedToDescription: t.exposeString('attributedToText', {
      nullable: true,
      description: 'The source’s own description, e.g. "a threat actor linked to the East European region".',
    }),
    attributedToCountries: t.exposeStringList('attributedToCountries', {
      description: 'Countries the source links the actor to (ISO 3166-1 alpha-2).',
    }),
    assessedOn: t.expose('assessedOn', {
      type: 'Date',
      nullable: true,
      description: 'When the source made the assessment.',
    }),
    supersededBy: t.prismaField({
      type: 'Attribution',
      nullable: true,
      description: 'The later assessment that replaced this one (null when there is none the caller may see).',
      select: { supersededById: true },
      resolve: (query, row, _args, ctx) =>
        row.supersededById
          ? ctx.prisma.attribution.findFirst({
              ...query,
              where: { id: row.supersededById, ...visibleFact(ctx.principal.clearance) },
            })
          : null,
    }),
    supersedes: t.relatedConnection('supersedes', { cursor: 'id', totalCount: true, ...paged, query: claimsById }),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

const subjectColumn = { Campaign: 'campaignId', Actor: 'subjectActorId', Tool: 'toolId' } as const;

/** Who it is attributed to, and when: the fields a new and a superseding attribution share. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const assessmentFields = (t: any) => ({
  actor: t.id({
    description:
      'The actor it is attributed to. Leave out when the source names no known actor, and describe it in attributedToDescription.',
  }),
  attributedToDescription: t.string({
    validate: check.text.nullish(),
    description: 'The source’s own words, e.g. "a group linked to the East European region".',
  }),
  attributedToCountries: t.stringList({
    validate: check.countries.nullish(),
    description: 'Countries the source links the actor to (ISO 3166-1 alpha-2).',
  }),
  assessedOn: t.field({ type: 'Date', description: 'When the source made the assessment.' }),
  ...claimInputFields(t),
});

const RecordAttributionInput = builder.inputType('RecordAttributionInput', {
  description: 'A sourced claim that a campaign, an actor (as a subgroup) or a tool is the work of an actor.',
  fields: (t) => ({
    subject: t.id({ required: true, description: 'The campaign, actor or tool attributed.' }),
    ...assessmentFields(t),
  }),
});
const SupersedeAttributionInput = builder.inputType('SupersedeAttributionInput', {
  description:
    'A later assessment of the same subject. The earlier claim is kept, marked SUPERSEDED and linked to this one.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The attribution it replaces.' }),
    expectedVersion: t.int({ required: true, validate: check.version }),
    ...assessmentFields(t),
  }),
});

type Input = Record<string, unknown>;
async function assessment(e: Edit, i: Input, subject: { type: string; id: string }) {
  const actor = i.actor ? (await existing(e, i.actor, ['Actor'], 'input.actor')).id : null;
  if (!actor && !i.attributedToDescription) {
    throw userError(
      'BAD_USER_INPUT',
      'input.actor: give the actor, or attributedToDescription when the source names none.',
      { fields: [{ field: 'input.actor', message: 'required without attributedToDescription' }] },
    );
  }
  if (subject.type === 'Actor' && subject.id === actor)
    throw userError('BAD_USER_INPUT', 'input.actor: an actor cannot be attributed to itself.', {
      fields: [{ field: 'input.actor', message: 'same as the subject' }],
    });
  return {
    key: newClaimKey(),
    [subjectColumn[subject.type as keyof typeof subjectColumn]]: subject.id,
    actorId: actor,
    attributedToText: (i.attributedToDescription as string | null | undefined) ?? null,
    attributedToCountries: (i.attributedToCountries as string[] | null | undefined) ?? [],
    assessedOn: (i.assessedOn as Date | null | undefined) ?? null,
    ...claimColumns(e, i),
    status: 'CURRENT' as const,
  };
}

builder.mutationFields((t) => ({
  recordAttribution: t.prismaField({
    type: 'Attribution',
    authScopes: { analyst: true },
    description:
      'Records an attribution with its sources (analyst or admin). Conflicting attributions stand side by side. Audited.',
    args: { input: t.arg({ type: RecordAttributionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await record(ctx, 'Attribution', 'recordAttribution', input, async (e) =>
        assessment(e, input, await existing(e, input.subject, ['Campaign', 'Actor', 'Tool'], 'input.subject')),
      );
      return ctx.prisma.attribution.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  supersedeAttribution: t.prismaField({
    type: 'Attribution',
    authScopes: { analyst: true },
    description:
      'Replaces an attribution by a later assessment of the same subject, at the version you read; the earlier one is kept as SUPERSEDED (analyst or admin). Audited.',
    args: { input: t.arg({ type: SupersedeAttributionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id: oldId } = idOf(input.id, ['Attribution'], 'input.id');
      const id = await edit(ctx.prisma, ctx.principal, 'supersedeAttribution', async (e) => {
        const old = await e.tx.attribution.findFirst({ where: { id: oldId, ...visibleFact(ctx.principal.clearance) } });
        if (!old) throw notFound('attribution', 'that ID', 'It may have been deleted.');
        const subject = old.campaignId
          ? { type: 'Campaign', id: old.campaignId }
          : old.subjectActorId
            ? { type: 'Actor', id: old.subjectActorId }
            : { type: 'Tool', id: old.toolId! };
        const created = await recordIn(e, 'Attribution', input, await assessment(e, input, subject));
        await updateAtVersion(e, 'Attribution', oldId, input.expectedVersion, {
          status: 'SUPERSEDED',
          supersededById: created,
        });
        return created;
      });
      return ctx.prisma.attribution.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));

claimMutations('Attribution', 'an attribution');
