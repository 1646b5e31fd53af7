// Attribution: "campaign / actor / tool X is attributed to actor Y" (or to a described, unnamed group).

import DataLoader from 'dataloader';
import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import { recordAttribution, supersedeAttribution, updateClaim } from '../write/claims.js';
import { Claim, claimFields } from './claim.js';
import { citationsQuery, claimsById } from './entity-fields.js';
import { ClaimStatusEnum, DatePrecisionEnum } from './enums.js';
import { knownFact } from './known-at.js';
import {
  check,
  claimChangeFields,
  claimVersionDescription,
  deleteClaimDescription,
  deleteMutation,
  type InputFields,
  newClaimFields,
} from './mutation-inputs.js';
import { tagged } from './typed.js';
import { AttributionSubject } from './unions.js';

/** Whether an attribution was published by the request's `knownAt` (batched per request). */
function knownThen(ctx: Context, id: string) {
  let loader = ctx.loaders.memo.get('knownAttribution') as DataLoader<string, boolean> | undefined;
  if (!loader) {
    loader = new DataLoader<string, boolean>(async (ids) => {
      const known = new Set(
        (
          await ctx.prisma.attribution.findMany({
            where: { id: { in: [...ids] }, ...knownFact(ctx) },
            select: { id: true },
          })
        ).map((a) => a.id),
      );
      return ids.map((id) => known.has(id));
    });
    ctx.loaders.memo.set('knownAttribution', loader);
  }
  return loader.load(id);
}

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
    status: t.field({
      type: ClaimStatusEnum,
      description:
        'CURRENT, SUPERSEDED, DISPUTED or RETRACTED. Asked with `knownAt`: as it stood then (superseded by a claim not yet published then: CURRENT).',
      select: { status: true, supersededById: true },
      resolve: async (a, _args, ctx) =>
        a.status === 'SUPERSEDED' && a.supersededById && ctx.view.knownAt && !(await knownThen(ctx, a.supersededById))
          ? 'CURRENT'
          : a.status,
    }),
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
    attributedToDescription: t.exposeString('attributedToDescription', {
      nullable: true,
      description: 'The source’s own description, e.g. "a threat actor linked to the East European region".',
    }),
    attributedToCountries: t.exposeStringList('attributedToCountries', {
      description: 'Countries the source links the actor to (ISO 3166-1 alpha-2).',
    }),
    assessedOn: t.expose('assessedOn', {
      type: 'Date',
      nullable: true,
      description:
        'When a source made the assessment: as given, else the date of the earliest dated report the claim cites (read with `assessedPrecision`); null when no cited report is dated. Never a dataset’s own timestamp (that is `recordedAt`).',
    }),
    assessedPrecision: t.expose('assessedPrecision', {
      type: DatePrecisionEnum,
      nullable: true,
      description: 'How precise `assessedOn` is: a MONTH date is the first of the month, a YEAR date 1 January.',
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
              where: { id: row.supersededById, ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
            })
          : null,
    }),
    supersedes: t.relatedConnection('supersedes', { cursor: 'id', totalCount: true, ...paged, query: claimsById }),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

// Mutations: recordAttribution, supersedeAttribution, updateAttribution, deleteAttribution (the write
// layer: src/write/claims.ts).

/** Who it is attributed to, and when: the fields a new and a superseding attribution share. */
const assessmentFields = (t: InputFields) => ({
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
  ...newClaimFields(t),
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

builder.mutationField('recordAttribution', (t) =>
  t.prismaField({
    type: 'Attribution',
    authScopes: { analyst: true },
    description:
      'Records an attribution with its sources (analyst or admin). Conflicting attributions stand side by side. Audited.',
    args: { input: t.arg({ type: RecordAttributionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await recordAttribution(ctx, input);
      return ctx.prisma.attribution.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('supersedeAttribution', (t) =>
  t.prismaField({
    type: 'Attribution',
    authScopes: { analyst: true },
    description:
      'Replaces an attribution by a later assessment of the same subject, at the version you read; the earlier one is kept as SUPERSEDED (analyst or admin). Audited.',
    args: { input: t.arg({ type: SupersedeAttributionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await supersedeAttribution(ctx, input);
      return ctx.prisma.attribution.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const UpdateAttributionInput = builder.inputType('UpdateAttributionInput', {
  description: 'Changes to an attribution: fields left out stay as they are; null clears an optional field.',
  fields: (t) => claimChangeFields(t),
});

builder.mutationField('updateAttribution', (t) =>
  t.prismaField({
    type: 'Attribution',
    authScopes: { analyst: true },
    description:
      'Changes an attribution at the version you read: confidence, dates, status, note, marking (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateAttributionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateClaim(ctx, 'Attribution', input);
      return ctx.prisma.attribution.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteAttribution', (t) =>
  deleteMutation(t, 'Attribution', deleteClaimDescription('an attribution')),
);

builder.prismaObjectFields('Attribution', (t) => ({
  version: t.exposeInt('version', { description: claimVersionDescription }),
}));
