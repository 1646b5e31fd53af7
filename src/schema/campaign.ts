// Campaign: a named set of intrusion activity, with its queries.

import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Campaign as CampaignRow, Prisma } from '../generated/prisma/client.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { termOf } from '../write/vocabularies.js';
import { activeBetween, countryArg, orderBy } from './args.js';
import {
  citationsConnection,
  claimsById,
  currentOnly,
  externalIdsConnection,
  namesConnection,
  provenanceDescriptions,
  recordsConnection,
} from './entity-fields.js';
import { ClaimStatusEnum, SortDirection, TlpEnum } from './enums.js';
import { checkView, knownFact, viewArgs } from './known-at.js';
import {
  check,
  deleteMutation,
  deleteRecordDescription,
  type InputFields,
  keyField,
  recordMarkingField,
  recordVersionFields,
  versionDescription,
} from './mutation-inputs.js';
import { lookupResolver } from './name-lookup.js';
import { techniquesField } from './technique.js';

export const Campaign = builder.prismaNode('Campaign', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description:
    'A campaign: intrusion activity tracked under one or more names, attributed to actors by sourced claims.',
  fields: (t) => ({
    dataset: t.exposeString('dataset', { description: provenanceDescriptions.dataset }),
    revoked: t.exposeBoolean('revoked', { description: provenanceDescriptions.revoked }),
    deprecated: t.exposeBoolean('deprecated', { description: provenanceDescriptions.deprecated }),
    revokedBy: t.prismaField({
      type: 'Campaign',
      nullable: true,
      description: provenanceDescriptions.revokedBy,
      select: { revokedBy: true },
      resolve: (query, row, _args, ctx) =>
        row.revokedBy ? ctx.prisma.campaign.findUnique({ ...query, where: { key: row.revokedBy } }) : null,
    }),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    objective: t.exposeString('objective', { nullable: true }),
    firstSeen: t.expose('firstSeen', { type: 'Date', nullable: true }),
    lastSeen: t.expose('lastSeen', {
      type: 'Date',
      nullable: true,
      description: 'Null while the campaign is considered ongoing.',
    }),
    estimatedLossUsd: t.expose('estimatedLossUsd', {
      type: 'Decimal',
      nullable: true,
      description: 'Estimated losses in USD (see citations with field "estimatedLossUsd").',
    }),
    confirmedLossUsd: t.expose('confirmedLossUsd', {
      type: 'Decimal',
      nullable: true,
      description: 'Known or confirmed losses in USD.',
    }),
    names: t.relatedConnection('names', namesConnection),
    citations: t.relatedConnection('citations', citationsConnection),
    externalIds: t.relatedConnection('externalIds', externalIdsConnection),
    records: t.relatedConnection('records', recordsConnection),
    attributions: t.relatedConnection('attributions', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description:
        'The attribution history: every claim about who is behind the campaign, in the order they were assessed (undated last); superseded claims are kept.',
      args: {
        status: t.arg({ type: [ClaimStatusEnum], description: 'Only claims with these statuses (default: all).' }),
      },
      query: (args, ctx) => ({
        where: {
          ...visibleFact(ctx.principal.clearance),
          ...knownFact(ctx),
          ...(args.status?.length ? { status: { in: args.status } } : {}),
        },
        orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
      }),
    }),
    toolUsages: t.relatedConnection('toolUsages', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that the campaign uses a tool.',
      query: claimsById,
    }),
    targetings: t.relatedConnection('targetings', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that the campaign targets a victim.',
      query: claimsById,
    }),
  }),
});

const CampaignFilter = builder.inputType('CampaignFilter', {
  fields: (t) => ({
    activeFrom: t.field({ type: 'Date', description: 'Active on or after this date (last seen, or ongoing).' }),
    activeTo: t.field({ type: 'Date', description: 'Active on or before this date (first seen).' }),
    includeUndated: t.boolean({
      defaultValue: false,
      description: 'With activeFrom/activeTo: also list campaigns with neither first nor last seen. Default: left out.',
    }),
    targetedCountry: t.string({
      description: 'Campaigns with a targeting claim on a victim in this country (ISO 3166-1 alpha-2).',
    }),
    targetedSector: t.string({
      description:
        'Campaigns with a targeting claim on a victim in this sector: an industry-sector-ov term or a dataset word mapped to one, e.g. financial-services, "Finance", cryptocurrency.',
    }),
  }),
});
const CampaignOrderField = builder.enumType('CampaignOrderField', {
  values: ['NAME', 'FIRST_SEEN', 'LAST_SEEN', 'CREATED_AT'] as const,
});
const CampaignOrder = builder.inputType('CampaignOrder', {
  fields: (t) => ({
    field: t.field({ type: CampaignOrderField, required: true }),
    direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
  }),
});
const orderColumn = { NAME: 'name', FIRST_SEEN: 'firstSeen', LAST_SEEN: 'lastSeen', CREATED_AT: 'createdAt' } as const;

function campaignWhere(
  filter:
    | {
        activeFrom?: Date | null;
        activeTo?: Date | null;
        includeUndated?: boolean | null;
        targetedCountry?: string | null;
        targetedSector?: string | null;
      }
    | null
    | undefined,
): Prisma.CampaignWhereInput {
  if (!filter) return {};
  return {
    AND: [
      ...activeBetween(filter.activeFrom, filter.activeTo, filter.includeUndated),
      ...(filter.targetedCountry
        ? [
            {
              targetings: {
                some: { victim: { country: countryArg(filter.targetedCountry, 'filter.targetedCountry') } },
              },
            },
          ]
        : []),
      ...(filter.targetedSector
        ? [{ targetings: { some: { victim: { sector: termOf('industry-sector', filter.targetedSector).term } } } }]
        : []),
    ],
  };
}

builder.queryFields((t) => ({
  campaign: t.prismaField({
    type: 'Campaign',
    nullable: true,
    description:
      'One campaign, by `id`, by any of its names or by `externalId` (ATT&CK id, STIX id, MISP uuid). A name that several campaigns carry is refused with AMBIGUOUS_NAME and the candidates.',
    args: {
      id: t.arg.id({ description: 'The global ID.' }),
      name: t.arg.string({ description: 'Any name of the campaign.' }),
      externalId: t.arg.string({
        description: 'An identifier of the campaign: ATT&CK id (C0022), STIX id or MISP uuid (any case).',
      }),
      ...viewArgs(t.arg),
    },
    resolve: lookupResolver<CampaignRow>('Campaign'),
  }),
  campaigns: t.prismaConnection(
    {
      type: 'Campaign',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Campaigns, filtered and ordered (by name unless told otherwise).',
      args: {
        ...viewArgs(t.arg),
        filter: t.arg({ type: CampaignFilter }),
        orderBy: t.arg({ type: CampaignOrder }),
        includeRevoked: t.arg.boolean({
          defaultValue: false,
          description: 'Also list revoked and deprecated records.',
        }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.campaign.count({
          where: {
            ...campaignWhere(args.filter),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
      resolve: (query, _root, args, ctx) => {
        checkView(ctx);
        const column = orderColumn[args.orderBy?.field ?? 'NAME'];
        return ctx.prisma.campaign.findMany({
          ...query,
          where: {
            ...campaignWhere(args.filter),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: orderBy<Prisma.CampaignOrderByWithRelationInput>(
            column,
            args.orderBy?.direction,
            column === 'firstSeen' || column === 'lastSeen',
          ),
        });
      },
    },
    { name: 'CampaignConnection' },
    { name: 'CampaignEdge' },
  ),
}));

// Mutations: createCampaign, updateCampaign, deleteCampaign (the write layer: src/write/entities.ts).

const campaignFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  name: t.string({ required, validate: check.name.nullish() }),
  description: t.string({ validate: check.text.nullish() }),
  objective: t.string({ validate: check.text.nullish() }),
  firstSeen: t.field({ type: 'Date' }),
  lastSeen: t.field({ type: 'Date' }),
  estimatedLossUsd: t.field({ type: 'Decimal', validate: check.decimal.nullish() }),
  confirmedLossUsd: t.field({ type: 'Decimal', validate: check.decimal.nullish() }),
  tlp: recordMarkingField(t),
});

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  description: 'A new campaign. `key` defaults to a slug of the name.',
  fields: (t) => ({ key: keyField(t), ...campaignFields(t, true) }),
});
const UpdateCampaignInput = builder.inputType('UpdateCampaignInput', {
  description: 'Changes to a campaign: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...campaignFields(t, false) }),
});

builder.mutationField('createCampaign', (t) =>
  t.prismaField({
    type: 'Campaign',
    authScopes: { analyst: true },
    description: 'Creates a campaign (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Campaign', input);
      return ctx.prisma.campaign.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateCampaign', (t) =>
  t.prismaField({
    type: 'Campaign',
    authScopes: { analyst: true },
    description: 'Changes a campaign at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateCampaignInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Campaign', input);
      return ctx.prisma.campaign.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteCampaign', (t) => deleteMutation(t, 'Campaign', deleteRecordDescription('a campaign')));

builder.prismaObjectFields('Campaign', (t) => ({
  techniques: techniquesField('Campaign')(t),
  techniqueUses: t.relatedConnection('techniqueUses', {
    cursor: 'id',
    totalCount: true,
    ...paged,
    description: 'Direct claims that this campaign uses a technique.',
    query: claimsById,
  }),
  version: t.exposeInt('version', { description: versionDescription }),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));
