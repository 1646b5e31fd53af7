// Tool: malware or a tool, with its queries.

import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import type { Prisma, Tool as ToolRow } from '../generated/prisma/client.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { foldWord, termOf, toolTypeVocabulary } from '../write/vocabularies.js';
import { orderBy } from './args.js';
import { AssociationKindEnum, associationsConnection } from './association.js';
import {
  citationsConnection,
  claimsById,
  currentOnly,
  externalIdsConnection,
  namesConnection,
  provenanceDescriptions,
  recordsConnection,
} from './entity-fields.js';
import { SortDirection, TlpEnum, ToolKindEnum } from './enums.js';
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

export const Tool = builder.prismaNode('Tool', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'Malware or a tool used by actors and campaigns.',
  fields: (t) => ({
    dataset: t.exposeString('dataset', { description: provenanceDescriptions.dataset }),
    revoked: t.exposeBoolean('revoked', { description: provenanceDescriptions.revoked }),
    deprecated: t.exposeBoolean('deprecated', { description: provenanceDescriptions.deprecated }),
    revokedBy: t.prismaField({
      type: 'Tool',
      nullable: true,
      description: provenanceDescriptions.revokedBy,
      select: { revokedBy: true },
      resolve: (query, row, _args, ctx) =>
        row.revokedBy ? ctx.prisma.tool.findUnique({ ...query, where: { key: row.revokedBy } }) : null,
    }),
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: ToolKindEnum }),
    malwareTypes: t.exposeStringList('malwareTypes', {
      description: 'e.g. backdoor, RAT, downloader, credential-dumper.',
    }),
    platforms: t.exposeStringList('platforms'),
    description: t.exposeString('description', { nullable: true }),
    names: t.relatedConnection('names', namesConnection),
    citations: t.relatedConnection('citations', citationsConnection),
    externalIds: t.relatedConnection('externalIds', externalIdsConnection),
    records: t.relatedConnection('records', recordsConnection),
    usedBy: t.relatedConnection('usages', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that an actor or a campaign uses this tool.',
      query: claimsById,
    }),
    associations: t.prismaConnection({
      ...associationsConnection('Tool'),
      args: { kind: t.arg({ type: [AssociationKindEnum], description: 'Only these kinds (default: all).' }) },
    }),
    attributions: t.relatedConnection('attributions', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that this tool is exclusive to (attributed to) an actor.',
      query: (_args, ctx) => ({
        where: { ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
        orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
      }),
    }),
  }),
});

const ToolFilter = builder.inputType('ToolFilter', {
  fields: (t) => ({
    kind: t.field({ type: ToolKindEnum }),
    platform: t.string({ description: 'e.g. Windows, macOS, Linux (any case).' }),
    malwareType: t.string({
      description:
        'A term of malware-type-ov (malware) or tool-type-ov (tools), or a dataset word the vocabulary table maps to one ("RAT" finds remote-access-trojan); any case.',
    }),
  }),
});
const ToolOrderField = builder.enumType('ToolOrderField', { values: ['NAME', 'CREATED_AT'] as const });
const ToolOrder = builder.inputType('ToolOrder', {
  fields: (t) => ({
    field: t.field({ type: ToolOrderField, required: true }),
    direction: t.field({ type: SortDirection, defaultValue: 'ASC' }),
  }),
});

async function toolWhere(
  filter:
    | { kind?: 'MALWARE' | 'TOOL' | null; platform?: string | null; malwareType?: string | null }
    | null
    | undefined,
  ctx: Context,
): Promise<Prisma.ToolWhereInput> {
  if (!filter) return {};
  // A type is a term of malware-type-ov for malware, of tool-type-ov for tools (see vocabularies.ts).
  const types = filter.malwareType
    ? (['MALWARE', 'TOOL'] as const).map((kind) => ({
        kind,
        malwareTypes: { has: termOf(toolTypeVocabulary(kind), filter.malwareType!).term },
      }))
    : null;
  return {
    AND: [
      ...(filter.kind ? [{ kind: filter.kind }] : []),
      ...(filter.platform ? [{ platforms: { hasSome: await platformSpellings(ctx, 'Tool', filter.platform) } }] : []),
      ...(types ? [{ OR: types }] : []),
    ],
  };
}

/**
 * The stored spellings of a platform, in any case ("macos" finds ATT&CK's "macOS"): platforms are
 * not a STIX vocabulary, so each dataset's spelling is kept and the filter folds them.
 */
export async function platformSpellings(ctx: Context, table: 'Tool' | 'Technique', platform: string) {
  const folded = foldWord(platform);
  return [platform, ...(await ctx.loaders.platforms(table)).filter((p) => foldWord(p) === folded)];
}

builder.queryFields((t) => ({
  tool: t.prismaField({
    type: 'Tool',
    nullable: true,
    description:
      'One tool, by `id`, by any of its names or by `externalId` (ATT&CK id, STIX id, MISP uuid). A name that several tools carry is refused with AMBIGUOUS_NAME and the candidates.',
    args: {
      id: t.arg.id({ description: 'The global ID.' }),
      name: t.arg.string({ description: 'Any name of the tool.' }),
      externalId: t.arg.string({
        description: 'An identifier of the tool: ATT&CK id (S0002), STIX id or MISP uuid (any case).',
      }),
      ...viewArgs(t.arg),
    },
    resolve: lookupResolver<ToolRow>('Tool'),
  }),
  tools: t.prismaConnection(
    {
      type: 'Tool',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Tools, filtered and ordered (by name unless told otherwise).',
      args: {
        ...viewArgs(t.arg),
        filter: t.arg({ type: ToolFilter }),
        orderBy: t.arg({ type: ToolOrder }),
        includeRevoked: t.arg.boolean({
          defaultValue: false,
          description: 'Also list revoked and deprecated records.',
        }),
      },
      totalCount: async (_parent, args, ctx) =>
        ctx.prisma.tool.count({
          where: {
            ...(await toolWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
      resolve: async (query, _root, args, ctx) => {
        checkView(ctx);
        const column = args.orderBy?.field === 'CREATED_AT' ? 'createdAt' : 'name';
        return ctx.prisma.tool.findMany({
          ...query,
          where: {
            ...(await toolWhere(args.filter, ctx)),
            ...currentOnly(args.includeRevoked),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: orderBy<Prisma.ToolOrderByWithRelationInput>(column, args.orderBy?.direction, false),
        });
      },
    },
    { name: 'ToolConnection' },
    { name: 'ToolEdge' },
  ),
}));

// Mutations: createTool, updateTool, deleteTool (the write layer: src/write/entities.ts).

const toolFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  name: t.string({ required, validate: check.name.nullish() }),
  kind: t.field({ type: ToolKindEnum, required }),
  malwareTypes: t.stringList({ validate: check.words.nullish() }),
  platforms: t.stringList({ validate: check.words.nullish() }),
  description: t.string({ validate: check.text.nullish() }),
  tlp: recordMarkingField(t),
});

const CreateToolInput = builder.inputType('CreateToolInput', {
  description: 'A new tool. `key` defaults to a slug of the name.',
  fields: (t) => ({ key: keyField(t), ...toolFields(t, true) }),
});
const UpdateToolInput = builder.inputType('UpdateToolInput', {
  description: 'Changes to a tool: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...toolFields(t, false) }),
});

builder.mutationField('createTool', (t) =>
  t.prismaField({
    type: 'Tool',
    authScopes: { analyst: true },
    description: 'Creates a tool (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateToolInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Tool', input);
      return ctx.prisma.tool.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateTool', (t) =>
  t.prismaField({
    type: 'Tool',
    authScopes: { analyst: true },
    description: 'Changes a tool at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateToolInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Tool', input);
      return ctx.prisma.tool.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteTool', (t) => deleteMutation(t, 'Tool', deleteRecordDescription('a tool')));

builder.prismaObjectFields('Tool', (t) => ({
  techniques: techniquesField('Tool')(t),
  techniqueUses: t.relatedConnection('techniqueUses', {
    cursor: 'id',
    totalCount: true,
    ...paged,
    description: 'Direct claims that this tool uses a technique.',
    query: claimsById,
  }),
  version: t.exposeInt('version', { description: versionDescription }),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));
