// Actor: a threat actor / intrusion set, with its queries.

import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import type {
  Actor as ActorRow,
  Prisma,
  Tlp,
  Tool as ToolRow,
  Victim as VictimRow,
} from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { termOf } from '../write/vocabularies.js';
import { type Activity, activeBetween } from './activity.js';
import { countryArg, orderBy } from './args.js';
import {
  arrayConnection,
  derivedEdgeFields,
  itemOf,
  nodesQuery,
  pageKey,
  totalCountField,
  windowConnection,
} from './array-connection.js';
import { AssociationKindEnum, associationsConnection } from './association.js';
import { Campaign } from './campaign.js';
import type { ActorCampaign, DerivedPage } from './derived-loaders.js';
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
import type { StatedOrigin } from './origin.js';
import { techniquesField } from './technique.js';
import { Tool } from './tool.js';
import { Victim } from './victim.js';

const ObservedActivity = builder.objectRef<Activity>('ObservedActivity').implement({
  description:
    'When an actor was observed, derived (not stated by any one source): the earliest and latest dates of the evidence you may see about it — its own first and last seen, its claims’ observed dates, the campaigns attributed to it, and the publication dates of the reports cited for it and its claims.',
  fields: (t) => ({
    firstObserved: t.expose('firstObserved', { type: 'Date', nullable: true }),
    lastObserved: t.expose('lastObserved', { type: 'Date', nullable: true }),
    derived: t.boolean({
      description: 'Always true: these dates are computed from the evidence, not stated by a source.',
      resolve: () => true,
    }),
  }),
});

const StatedOriginRef = builder.objectRef<StatedOrigin>('StatedOrigin').implement({
  description: 'The origin country one record of a dataset states for an actor.',
  fields: (t) => ({
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2.' }),
    dataset: t.exposeString('dataset'),
    identifier: t.exposeString('identifier', {
      description: 'The record’s identifier in its dataset (MISP uuid, seed key).',
    }),
    recordName: t.exposeString('recordName', { nullable: true, description: 'The name the record gives the actor.' }),
  }),
});

export const Actor = builder.prismaNode('Actor', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'A threat actor (intrusion set): a group tracked under one or more names.',
  fields: (t) => ({
    dataset: t.exposeString('dataset', { description: provenanceDescriptions.dataset }),
    revoked: t.exposeBoolean('revoked', { description: provenanceDescriptions.revoked }),
    deprecated: t.exposeBoolean('deprecated', { description: provenanceDescriptions.deprecated }),
    revokedBy: t.prismaField({
      type: 'Actor',
      nullable: true,
      description: provenanceDescriptions.revokedBy,
      select: { revokedBy: true },
      resolve: (query, row, _args, ctx) =>
        row.revokedBy ? ctx.prisma.actor.findUnique({ ...query, where: { key: row.revokedBy } }) : null,
    }),
    key: t.exposeString('key', { description: 'Stable slug of the record (seeds and imports use it).' }),
    name: t.exposeString('name', { description: 'The display name. Every name, with its provenance, is in `names`.' }),
    description: t.exposeString('description', { nullable: true }),
    originCountry: t.exposeString('originCountry', {
      nullable: true,
      description: 'Suspected origin, ISO 3166-1 alpha-2.',
    }),
    sponsor: t.exposeString('sponsor', { nullable: true }),
    motivations: t.exposeStringList('motivations'),
    firstSeen: t.expose('firstSeen', { type: 'Date', nullable: true }),
    lastSeen: t.expose('lastSeen', { type: 'Date', nullable: true }),
    origins: t.field({
      type: [StatedOriginRef],
      description:
        'The origin country each record you may see states (MISP’s country, a curated entry’s), so that records that disagree all show; `originCountry` is the one dataset precedence chose. Never read from prose.',
      resolve: (actor, _args, ctx) => ctx.loaders.origins.load(actor.id),
    }),
    activity: t.field({
      type: ObservedActivity,
      description: 'When the actor was observed, derived from the dated evidence you may see (see ObservedActivity).',
      resolve: (actor, _args, ctx) => ctx.loaders.activity.load(actor.id),
    }),
    names: t.relatedConnection('names', namesConnection),
    citations: t.relatedConnection('citations', citationsConnection),
    externalIds: t.relatedConnection('externalIds', externalIdsConnection),
    records: t.relatedConnection('records', recordsConnection),
    attributedActivity: t.relatedConnection('attributedTo', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description:
        'Claims attributing a campaign, a subgroup or a tool to this actor, oldest assessment first, undated last.',
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
    attributions: t.relatedConnection('attributions', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that this actor is part of (attributed to) another actor.',
      query: (_args, ctx) => ({
        where: { ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
        orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
      }),
    }),
    toolUsages: t.relatedConnection('toolUsages', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Direct claims that this actor uses a tool.',
      query: claimsById,
    }),
    targetings: t.relatedConnection('targetings', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Direct claims that this actor targets a victim.',
      query: claimsById,
    }),
    associations: t.prismaConnection({
      ...associationsConnection('Actor'),
      args: { kind: t.arg({ type: [AssociationKindEnum], description: 'Only these kinds (default: all).' }) },
    }),
    campaigns: t.connection(
      {
        type: Campaign,
        description:
          'Campaigns attributed to this actor by at least one claim (any status), each edge with the claims.',
        resolve: async (actor, args, ctx, info) =>
          arrayConnection(
            args,
            ctx,
            await ctx.loaders.actorCampaigns(JSON.stringify(nodesQuery(ctx, info, 'Campaign'))).load(actor.id),
            (e) => e.campaign,
          ),
      },
      totalCountField,
      {
        fields: (e) => ({
          attributions: e.prismaField({
            type: ['Attribution'],
            description: 'The claims, oldest assessment first, undated last.',
            resolve: (_q, edge) => itemOf<ActorCampaign>(edge).attributions,
          }),
          current: e.boolean({
            description: 'Whether any of the claims is CURRENT.',
            resolve: (edge) => itemOf<ActorCampaign>(edge).attributions.some((a) => a.status === 'CURRENT'),
          }),
        }),
      },
    ),
    tools: t.connection(
      {
        type: Tool,
        description:
          'Tools this actor uses: its own claims, and the claims of the campaigns currently attributed to it (derived, with `via`).',
        resolve: async (actor, args, ctx, info) =>
          windowConnection(
            args,
            ctx,
            (await ctx.loaders
              .derivedPage(pageKey('tools', args, nodesQuery(ctx, info, 'Tool')))
              .load(actor.id)) as DerivedPage<ToolRow, unknown>,
            (e) => e.target,
          ),
      },
      totalCountField,
      derivedEdgeFields('ToolUsage', 'use the tool'),
    ),
    victims: t.connection(
      {
        type: Victim,
        description:
          'Victims this actor targets: its own claims, and the claims of the campaigns currently attributed to it (derived, with `via`).',
        resolve: async (actor, args, ctx, info) =>
          windowConnection(
            args,
            ctx,
            (await ctx.loaders
              .derivedPage(pageKey('victims', args, nodesQuery(ctx, info, 'Victim')))
              .load(actor.id)) as DerivedPage<VictimRow, unknown>,
            (e) => e.target,
          ),
      },
      totalCountField,
      derivedEdgeFields('Targeting', 'target the victim'),
    ),
  }),
});

export const ActorFilter = builder.inputType('ActorFilter', {
  fields: (t) => ({
    originCountry: t.string({ description: 'ISO 3166-1 alpha-2, e.g. KP.' }),
    motivation: t.string({
      description:
        'A term of attack-motivation-ov or a custom one (espionage, financial-gain …), in any case and spacing ("Financial gain").',
    }),
    activeFrom: t.field({
      type: 'Date',
      description: 'Observed on or after this date (the derived `activity`: its last observed date).',
    }),
    activeTo: t.field({
      type: 'Date',
      description: 'Observed on or before this date (the derived `activity`: its first observed date).',
    }),
    includeUndated: t.boolean({
      defaultValue: false,
      description:
        'With activeFrom/activeTo: also list actors with no dated evidence at all (whose activity is unknown). Default: left out.',
    }),
    targetsCountry: t.string({
      description: 'Actors with a targeting claim of their own on a victim in this country (ISO 3166-1 alpha-2).',
    }),
    targetsSector: t.string({
      description:
        'Actors with a targeting claim of their own on a victim of this sector (an industry-sector-ov term or a word mapped to one, any case).',
    }),
    usesTechnique: t.string({
      description:
        'Actors with a technique-use claim of their own (not retracted) on this technique or one of its sub-techniques: an ATT&CK id (T1566) or a technique’s global ID.',
    }),
    usesTool: t.id({ description: 'Actors with a tool-usage claim of their own on this tool (its global ID).' }),
  }),
});

const ActorOrderField = builder.enumType('ActorOrderField', {
  values: ['NAME', 'FIRST_SEEN', 'LAST_SEEN', 'CREATED_AT'] as const,
});
const ActorOrder = builder.inputType('ActorOrder', {
  fields: (t) => ({
    field: t.field({ type: ActorOrderField, required: true }),
    direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
  }),
});

const orderColumn = { NAME: 'name', FIRST_SEEN: 'firstSeen', LAST_SEEN: 'lastSeen', CREATED_AT: 'createdAt' } as const;

builder.queryFields((t) => ({
  actor: t.prismaField({
    type: 'Actor',
    nullable: true,
    description:
      'One actor, by `id`, by any of its names (case, spaces and punctuation ignored) or by `externalId` (ATT&CK id, STIX id, MISP uuid). A name that several actors carry is refused with AMBIGUOUS_NAME and the candidates.',
    args: {
      id: t.arg.id({ description: 'The global ID.' }),
      name: t.arg.string({ description: 'Any name of the actor.' }),
      externalId: t.arg.string({
        description: 'An identifier of the actor: ATT&CK id (G0032), STIX id or MISP uuid (any case).',
      }),
      ...viewArgs(t.arg),
    },
    resolve: lookupResolver<ActorRow>('Actor'),
  }),
  actors: t.prismaConnection(
    {
      type: 'Actor',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Actors, filtered and ordered (by name unless told otherwise).',
      args: {
        ...viewArgs(t.arg),
        filter: t.arg({ type: ActorFilter }),
        orderBy: t.arg({ type: ActorOrder }),
        includeRevoked: t.arg.boolean({
          defaultValue: false,
          description: 'Also list revoked and deprecated records.',
        }),
      },
      totalCount: async (_parent, args, ctx) =>
        ctx.prisma.actor.count({
          where: {
            ...(await actorWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
      resolve: async (query, _root, args, ctx) => {
        checkView(ctx);
        const column = orderColumn[args.orderBy?.field ?? 'NAME'];
        return ctx.prisma.actor.findMany({
          ...query,
          where: {
            ...(await actorWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: orderBy<Prisma.ActorOrderByWithRelationInput>(
            column,
            args.orderBy?.direction,
            column === 'firstSeen' || column === 'lastSeen',
          ),
        });
      },
    },
    { name: 'ActorConnection' },
    { name: 'ActorEdge' },
  ),
}));

export async function actorWhere(
  filter:
    | {
        originCountry?: string | null;
        motivation?: string | null;
        activeFrom?: Date | null;
        activeTo?: Date | null;
        includeUndated?: boolean | null;
        targetsCountry?: string | null;
        targetsSector?: string | null;
        usesTechnique?: string | null;
        usesTool?: string | number | null;
      }
    | null
    | undefined,
  ctx: Context,
): Promise<Prisma.ActorWhereInput> {
  if (!filter) return {};
  const { activeFrom: from, activeTo: to } = filter;
  if (from && to && from > to)
    throw userError('BAD_USER_INPUT', '"activeFrom" must not be after "activeTo".', { argument: 'filter' });
  // One statement per request, however many times the filter is read (totalCount and the page).
  const dated = from || to ? await ctx.loaders.datedActivity() : null;
  const active = dated && activeBetween(dated, from, to);
  // Actors with no dated evidence: their activity is unknown (listed only with includeUndated).
  const withDates = dated && filter.includeUndated ? dated.map((a) => a.actor) : null;
  return {
    AND: [
      ...(filter.originCountry ? [{ originCountry: countryArg(filter.originCountry, 'filter.originCountry') }] : []),
      ...(filter.motivation ? [{ motivations: { has: termOf('attack-motivation', filter.motivation).term } }] : []),
      ...(active
        ? [withDates ? { OR: [{ id: { in: active } }, { id: { notIn: withDates } }] } : { id: { in: active } }]
        : []),
      ...claimFilters(filter, ctx.principal.clearance),
    ],
  };
}

/**
 * The filters on an actor's own claims (targetings, technique and tool uses), each a condition the
 * caller's clearance applies to: a claim, victim or technique hidden from them does not select an actor.
 */
function claimFilters(
  filter: {
    targetsCountry?: string | null;
    targetsSector?: string | null;
    usesTechnique?: string | null;
    usesTool?: string | number | null;
  },
  clearance: Tlp,
): Prisma.ActorWhereInput[] {
  const fact = visibleFact(clearance);
  const victim = (where: Prisma.VictimWhereInput) => ({
    targetings: { some: { ...fact, victim: { ...where, ...visibleRecord(clearance) } } },
  });
  const technique = filter.usesTechnique?.trim();
  const byId = technique && !/^T\d{4}(\.\d{3})?$/i.test(technique);
  return [
    ...(filter.targetsCountry ? [victim({ country: countryArg(filter.targetsCountry, 'filter.targetsCountry') })] : []),
    ...(filter.targetsSector ? [victim({ sector: termOf('industry-sector', filter.targetsSector).term })] : []),
    ...(technique
      ? [
          {
            techniqueUses: {
              some: {
                ...fact,
                status: { not: 'RETRACTED' as const },
                technique: byId
                  ? { id: idOf(technique, ['Technique'], 'filter.usesTechnique').id }
                  : {
                      OR: [
                        { attackId: { equals: technique, mode: 'insensitive' as const } },
                        { parent: { attackId: { equals: technique, mode: 'insensitive' as const } } },
                      ],
                    },
              },
            },
          },
        ]
      : []),
    ...(filter.usesTool != null
      ? [{ toolUsages: { some: { ...fact, toolId: idOf(filter.usesTool, ['Tool'], 'filter.usesTool').id } } }]
      : []),
  ];
}

// Mutations: createActor, updateActor, deleteActor (the write layer: src/write/entities.ts).

const actorFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  name: t.string({ required, validate: check.name.nullish() }),
  description: t.string({ validate: check.text.nullish() }),
  originCountry: t.string({ validate: check.country.nullish(), description: 'Suspected origin, ISO 3166-1 alpha-2.' }),
  sponsor: t.string({ validate: check.shortText.nullish() }),
  motivations: t.stringList({ validate: check.words.nullish() }),
  firstSeen: t.field({ type: 'Date' }),
  lastSeen: t.field({ type: 'Date' }),
  tlp: recordMarkingField(t),
});

const CreateActorInput = builder.inputType('CreateActorInput', {
  description: 'A new actor. `key` defaults to a slug of the name.',
  fields: (t) => ({ key: keyField(t), ...actorFields(t, true) }),
});
const UpdateActorInput = builder.inputType('UpdateActorInput', {
  description: 'Changes to an actor: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...actorFields(t, false) }),
});

builder.mutationField('createActor', (t) =>
  t.prismaField({
    type: 'Actor',
    authScopes: { analyst: true },
    description: 'Creates an actor (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateActorInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Actor', input);
      return ctx.prisma.actor.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateActor', (t) =>
  t.prismaField({
    type: 'Actor',
    authScopes: { analyst: true },
    description: 'Changes an actor at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateActorInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Actor', input);
      return ctx.prisma.actor.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteActor', (t) => deleteMutation(t, 'Actor', deleteRecordDescription('an actor')));

builder.prismaObjectFields('Actor', (t) => ({
  techniques: techniquesField('Actor')(t),
  techniqueUses: t.relatedConnection('techniqueUses', {
    cursor: 'id',
    totalCount: true,
    ...paged,
    description: 'Direct claims that this actor uses a technique.',
    query: claimsById,
  }),
  version: t.exposeInt('version', { description: versionDescription }),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));
