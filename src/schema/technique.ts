// Technique, Tactic and TechniqueUse (MITRE ATT&CK®): what actors, campaigns and tools do, with their
// queries and the technique-use mutations.

import DataLoader from 'dataloader';
import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import type {
  Campaign,
  Prisma,
  Technique as TechniqueRow,
  TechniqueUse as TechniqueUseRow,
  Tool,
} from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { recordTechniqueUse, updateClaim } from '../write/claims.js';
import { itemOf, type ObjectFields, pageWindow, totalCountField, windowConnection } from './array-connection.js';
import { Claim, claimFields } from './claim.js';
import { citationsQuery, claimsById, currentOnly, provenanceDescriptions, recordsConnection } from './entity-fields.js';
import { TlpEnum } from './enums.js';
import { factScope } from './known-at.js';
import {
  claimChangeFields,
  claimVersionDescription,
  deleteClaimDescription,
  deleteMutation,
  newClaimFields,
} from './mutation-inputs.js';
import { ids, selectedRows } from './selected-rows.js';
import { type DerivedTechnique, type TechniqueSubject, techniquePages } from './technique-pages.js';
import { platformSpellings } from './tool.js';
import { tagged } from './typed.js';
import { TechniqueUser } from './unions.js';

export const Tactic = builder.prismaNode('Tactic', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // The short name is what its techniques name it by (see `techniques`).
  select: { id: true, shortName: true },
  nullable: true,
  description:
    'An ATT&CK® tactic: the adversary’s goal (TA0001 Initial Access), in the order of the Enterprise matrix.',
  fields: (t) => ({
    attackId: t.exposeString('attackId', { description: 'The ATT&CK id, e.g. TA0001.' }),
    shortName: t.exposeString('shortName', {
      description: 'The kill-chain phase name techniques give, e.g. initial-access.',
    }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    position: t.exposeInt('position', { description: 'Its column in the Enterprise matrix, from 0.' }),
    techniques: t.prismaConnection({
      type: 'Technique',
      cursor: 'id',
      ...paged,
      description: 'The current techniques serving this tactic (sub-techniques included), in ATT&CK id order.',
      resolve: (query, tactic, _args, ctx) =>
        ctx.prisma.technique.findMany({
          ...query,
          where: {
            tactics: { has: tactic.shortName },
            ...currentOnly(false),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: [{ attackId: 'asc' }, { id: 'asc' }],
        }),
      totalCount: (tactic, _args, ctx) =>
        ctx.prisma.technique.count({
          where: {
            tactics: { has: tactic.shortName },
            ...currentOnly(false),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
    }),
    records: t.relatedConnection('records', recordsConnection),
  }),
});

export const Technique = builder.prismaNode('Technique', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  select: { id: true },
  nullable: true,
  description: 'An ATT&CK® technique or sub-technique (T1566, T1566.001): how an adversary achieves a tactic’s goal.',
  fields: (t) => ({
    attackId: t.exposeString('attackId', { description: 'The ATT&CK id, e.g. T1566.001.' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    url: t.exposeString('url', { nullable: true, description: 'Its page on attack.mitre.org.' }),
    platforms: t.exposeStringList('platforms'),
    isSubtechnique: t.exposeBoolean('isSubtechnique'),
    dataset: t.exposeString('dataset', { description: provenanceDescriptions.dataset }),
    revoked: t.exposeBoolean('revoked', { description: provenanceDescriptions.revoked }),
    deprecated: t.exposeBoolean('deprecated', { description: provenanceDescriptions.deprecated }),
    revokedBy: t.prismaField({
      type: 'Technique',
      nullable: true,
      description: 'The technique that replaced this one.',
      select: { revokedBy: true },
      resolve: (query, row, _args, ctx) =>
        row.revokedBy
          ? ctx.prisma.technique.findFirst({
              ...query,
              where: { key: row.revokedBy, ...visibleRecord(ctx.principal.clearance) },
            })
          : null,
    }),
    tactics: t.prismaField({
      type: ['Tactic'],
      description: 'The tactics it serves, in matrix order.',
      select: { tactics: true },
      resolve: (query, row, _args, ctx) =>
        ctx.prisma.tactic.findMany({
          ...query,
          where: { shortName: { in: row.tactics }, ...visibleRecord(ctx.principal.clearance) },
          orderBy: { position: 'asc' },
        }),
    }),
    parent: t.prismaField({
      type: 'Technique',
      nullable: true,
      description: 'The technique a sub-technique belongs to.',
      select: { parentId: true },
      resolve: (query, row, _args, ctx) =>
        row.parentId
          ? ctx.prisma.technique.findFirst({
              ...query,
              where: { id: row.parentId, ...visibleRecord(ctx.principal.clearance) },
            })
          : null,
    }),
    subtechniques: t.relation('subtechniques', {
      description: 'Its sub-techniques, in ATT&CK id order (revoked and deprecated ones left out).',
      query: (_args, ctx) => ({
        where: { ...currentOnly(false), ...visibleRecord(ctx.principal.clearance) },
        orderBy: [{ attackId: 'asc' }, { id: 'asc' }],
      }),
    }),
    usedBy: t.relatedConnection('uses', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that an actor, a campaign or a tool uses this technique.',
      query: claimsById,
    }),
    records: t.relatedConnection('records', recordsConnection),
  }),
});

builder.prismaObjectFields('Technique', (t) => ({
  version: t.exposeInt('version'),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));

export const TechniqueUse = builder.prismaNode('TechniqueUse', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  select: { id: true },
  nullable: true,
  interfaces: [Claim],
  description:
    'A sourced claim that an actor, a campaign or a tool uses a technique; `note` is the procedure (how, as the source tells it).',
  fields: (t) => ({
    ...claimFields(t),
    by: t.field({
      type: TechniqueUser,
      description: 'Who or what uses the technique.',
      select: { actor: true, campaign: true, tool: true },
      resolve: (u) =>
        u.actor ? tagged('Actor', u.actor) : u.campaign ? tagged('Campaign', u.campaign) : tagged('Tool', u.tool!),
    }),
    actor: t.relation('actor', { nullable: true }),
    campaign: t.relation('campaign', { nullable: true }),
    tool: t.relation('tool', { nullable: true }),
    technique: t.relation('technique'),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
    version: t.exposeInt('version', { description: claimVersionDescription }),
  }),
});

/** The techniques connection of an actor, a campaign or a tool (see technique-pages.ts). */
export function techniquesField(subject: TechniqueSubject) {
  // biome-ignore lint/suspicious/noExplicitAny: one helper for three Prisma object builders (see claimFields).
  return (t: any) =>
    t.connection(
      {
        type: Technique,
        description:
          subject === 'Actor'
            ? 'Techniques this actor uses: its own claims, and those of the campaigns currently attributed to it and of the tools it or they use (derived: `direct`, `viaCampaigns`, `viaTools`), in ATT&CK id order. Retracted claims are left out.'
            : subject === 'Campaign'
              ? 'Techniques this campaign uses: its own claims and those of the tools it uses (`direct`, `viaTools`), in ATT&CK id order.'
              : 'Techniques this tool uses (its own claims), in ATT&CK id order.',
        resolve: async (row: { id: string }, args: PageArgs, ctx: Context) =>
          windowConnection(
            args,
            ctx,
            await techniqueLoader(ctx, subject, args).load(row.id),
            (e: DerivedTechnique) => e.technique,
          ),
      },
      totalCountField,
      techniqueEdgeFields,
    );
}

/** Edge fields of a techniques connection: how the technique is the subject's, and the claims behind it. */
const techniqueEdgeFields = {
  fields: (e: ObjectFields) => ({
    direct: e.boolean({
      description: 'True when a claim names the subject itself.',
      resolve: (edge) => itemOf<DerivedTechnique>(edge).direct,
    }),
    viaCampaigns: e.prismaField({
      type: ['Campaign'],
      description: 'Campaigns attributed to the actor whose claims give this technique.',
      resolve: (query, edge, _args, ctx) =>
        selectedRows<Campaign>(ctx, 'Campaign', query, ids(itemOf<DerivedTechnique>(edge).viaCampaigns)),
    }),
    viaTools: e.prismaField({
      type: ['Tool'],
      description: 'Tools used by the subject (or its campaigns) whose claims give this technique.',
      resolve: (query, edge, _args, ctx) =>
        selectedRows<Tool>(ctx, 'Tool', query, ids(itemOf<DerivedTechnique>(edge).viaTools)),
    }),
    claims: e.prismaField({
      type: ['TechniqueUse'],
      description: 'The claims behind this edge: the subject’s own first.',
      resolve: (query, edge, _args, ctx) =>
        selectedRows<TechniqueUseRow>(ctx, 'TechniqueUse', query, ids(itemOf<DerivedTechnique>(edge).claims)),
    }),
  }),
};

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

/** One DataLoader per request, subject type and page arguments: every subject of a page in a few statements. */
function techniqueLoader(ctx: Context, subject: TechniqueSubject, args: PageArgs) {
  const key = `techniques:${subject}:${JSON.stringify([args.first, args.last, args.after, args.before])}`;
  let loader = ctx.loaders.memo.get(key) as DataLoader<string, Awaited<ReturnType<typeof techniquePages>>[number]>;
  if (!loader) {
    loader = new DataLoader((ids) =>
      techniquePages(
        ctx.prisma,
        factScope(ctx),
        subject,
        ids,
        (totalCount) => pageWindow(args, ctx.config.pageSize, totalCount),
        (techniqueIds) => ctx.prisma.technique.findMany({ where: { id: { in: techniqueIds } } }),
      ),
    );
    ctx.loaders.memo.set(key, loader);
  }
  return loader;
}

const TechniqueFilter = builder.inputType('TechniqueFilter', {
  fields: (t) => ({
    tactic: t.string({
      description: 'A tactic: its short name (initial-access), ATT&CK id (TA0001) or name, any case.',
    }),
    platform: t.string({ description: 'e.g. Windows, macOS, Linux (any case).' }),
    query: t.string({ description: 'Words of the name or description (all of them, any case).' }),
    subtechniques: t.boolean({ description: 'true: only sub-techniques; false: only techniques; left out: both.' }),
  }),
});

async function techniqueWhere(
  filter:
    | { tactic?: string | null; platform?: string | null; query?: string | null; subtechniques?: boolean | null }
    | null
    | undefined,
  ctx: Context,
): Promise<Prisma.TechniqueWhereInput> {
  if (!filter) return {};
  const and: Prisma.TechniqueWhereInput[] = [];
  if (filter.tactic) {
    const wanted = filter.tactic.trim();
    const tactic = await ctx.prisma.tactic.findFirst({
      where: {
        OR: [
          { shortName: { equals: wanted, mode: 'insensitive' } },
          { attackId: { equals: wanted, mode: 'insensitive' } },
          { name: { equals: wanted, mode: 'insensitive' } },
        ],
      },
    });
    if (!tactic)
      throw userError(
        'BAD_USER_INPUT',
        `"filter.tactic": no tactic "${filter.tactic}" (give a short name such as initial-access, an id such as TA0001, or a name).`,
        { argument: 'filter' },
      );
    and.push({ tactics: { has: tactic.shortName } });
  }
  if (filter.platform) and.push({ platforms: { hasSome: await platformSpellings(ctx, 'Technique', filter.platform) } });
  for (const word of (filter.query ?? '').toLowerCase().split(/\s+/).filter(Boolean))
    and.push({ searchText: { contains: word } });
  if (filter.subtechniques != null) and.push({ isSubtechnique: filter.subtechniques });
  return { AND: and };
}

builder.queryFields((t) => ({
  technique: t.prismaField({
    type: 'Technique',
    nullable: true,
    description: 'One technique, by `id` or by its ATT&CK id (`externalId: "T1566.001"`, any case).',
    args: {
      id: t.arg.id({ description: 'The global ID.' }),
      externalId: t.arg.string({ description: 'The ATT&CK id, e.g. T1566.001.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      if ((args.id == null) === (args.externalId == null))
        throw userError('BAD_USER_INPUT', 'Give exactly one of "id" or "externalId".');
      const where: Prisma.TechniqueWhereInput =
        args.id != null
          ? { id: idOf(args.id, ['Technique'], 'id').id }
          : { attackId: { equals: args.externalId!.trim(), mode: 'insensitive' } };
      // A revoked technique keeps its id; the current one answers first.
      return ctx.prisma.technique.findFirst({
        ...query,
        where: { ...where, ...visibleRecord(ctx.principal.clearance) },
        orderBy: [{ revoked: 'asc' }, { deprecated: 'asc' }],
      });
    },
  }),
  techniques: t.prismaConnection(
    {
      type: 'Technique',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Techniques and sub-techniques, filtered, in ATT&CK id order.',
      args: {
        filter: t.arg({ type: TechniqueFilter }),
        includeRevoked: t.arg.boolean({ defaultValue: false, description: 'Also list revoked and deprecated ones.' }),
      },
      totalCount: async (_parent, args, ctx) =>
        ctx.prisma.technique.count({
          where: {
            ...(await techniqueWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
      resolve: async (query, _root, args, ctx) =>
        ctx.prisma.technique.findMany({
          ...query,
          where: {
            ...(await techniqueWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: [{ attackId: 'asc' }, { id: 'asc' }],
        }),
    },
    { name: 'TechniqueConnection' },
    { name: 'TechniqueEdge' },
  ),
  navigatorLayer: t.field({
    type: 'JSON',
    description:
      'An ATT&CK® Navigator layer (format 4.5, importable as is): the techniques of one actor, campaign or tool (score 1 through its campaigns or tools, 2 its own claims, 3 both), or of two or more actors compared (two: 1 the first only, 2 the second only, 3 both; more: how many use it); each comment names the claims’ sources. Also GET /navigator/<id>.json[?compare=<id>,…].',
    args: { ids: t.arg.idList({ required: true, description: 'One actor, campaign or tool; or 2-10 actors.' }) },
    resolve: async (_root, args, ctx) => {
      const { navigatorLayer } = await import('../export/navigator.js');
      return navigatorLayer(ctx.prisma, ctx.principal.clearance, args.ids.map(String));
    },
  }),
  tactics: t.prismaField({
    type: ['Tactic'],
    description: 'The tactics of the Enterprise matrix, in matrix order.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.tactic.findMany({
        ...query,
        where: visibleRecord(ctx.principal.clearance),
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
      }),
  }),
}));

// Mutations: recordTechniqueUse, updateTechniqueUse, deleteTechniqueUse (the write layer: src/write/claims.ts).

const RecordTechniqueUseInput = builder.inputType('RecordTechniqueUseInput', {
  description: 'A sourced claim that an actor, a campaign or a tool uses a technique; `note` is the procedure.',
  fields: (t) => ({
    by: t.id({ required: true, description: 'The actor, campaign or tool.' }),
    technique: t.id({ required: true }),
    ...newClaimFields(t),
  }),
});

builder.mutationField('recordTechniqueUse', (t) =>
  t.prismaField({
    type: 'TechniqueUse',
    authScopes: { analyst: true },
    description:
      'Records that an actor, a campaign or a tool uses a technique, with its sources (analyst or admin). Audited.',
    args: { input: t.arg({ type: RecordTechniqueUseInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await recordTechniqueUse(ctx, input);
      return ctx.prisma.techniqueUse.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const UpdateTechniqueUseInput = builder.inputType('UpdateTechniqueUseInput', {
  description: 'Changes to a technique use: fields left out stay as they are; null clears an optional field.',
  fields: (t) => claimChangeFields(t),
});

builder.mutationField('updateTechniqueUse', (t) =>
  t.prismaField({
    type: 'TechniqueUse',
    authScopes: { analyst: true },
    description:
      'Changes a technique use at the version you read: confidence, dates, status, procedure (note), marking (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateTechniqueUseInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateClaim(ctx, 'TechniqueUse', input);
      return ctx.prisma.techniqueUse.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteTechniqueUse', (t) =>
  deleteMutation(t, 'TechniqueUse', deleteClaimDescription('a technique use')),
);

export type { TechniqueRow };
