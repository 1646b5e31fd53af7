// Source: a published report, advisory, article or dataset, and everything it supports.

import { visibleCitationAnyWay, visibleSource } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { userError } from '../errors.js';
import type { Prisma } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { citationTargetFilter, orderBy } from './args.js';
import { CitationTargetEnum, DatePrecisionEnum, SortDirection, SourceKindEnum, TlpEnum } from './enums.js';
import {
  check,
  deleteMutation,
  deleteRecordDescription,
  type InputFields,
  keyField,
  recordVersionFields,
  versionDescription,
} from './mutation-inputs.js';

export const Source = builder.prismaNode('Source', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleSource(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'A published report, advisory, article, talk or dataset that names and claims cite.',
  fields: (t) => ({
    key: t.exposeString('key'),
    title: t.exposeString('title'),
    url: t.exposeString('url', { nullable: true }),
    alternateUrls: t.exposeStringList('alternateUrls', {
      description: 'Other addresses of the same document (PDF, mirror).',
    }),
    publishedOn: t.expose('publishedOn', {
      type: 'Date',
      nullable: true,
      description: 'Read with `publishedPrecision`: a MONTH date is the first of the month.',
    }),
    publishedPrecision: t.expose('publishedPrecision', { type: DatePrecisionEnum }),
    kind: t.expose('kind', { type: SourceKindEnum }),
    language: t.exposeString('language', { description: 'ISO 639-1.' }),
    tlp: t.expose('tlp', { type: TlpEnum }),
    authors: t.exposeStringList('authors'),
    note: t.exposeString('note', { nullable: true }),
    // Null when the publisher is above the caller's clearance (see hideMarkedOrganizations).
    publisher: t.relation('publisher', { nullable: true }),
    citations: t.relatedConnection('citations', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'What this source supports: names, claims, and attributes of entities.',
      args: { target: t.arg({ type: [CitationTargetEnum], description: 'Only citations of these kinds of record.' }) },
      query: (args, ctx) => ({
        where: { ...citationTargetFilter(args.target), ...visibleCitationAnyWay(ctx.principal.clearance) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      }),
    }),
  }),
});

const SourceFilter = builder.inputType('SourceFilter', {
  fields: (t) => ({
    publisher: t.id({ description: 'Global ID of the publishing organisation.' }),
    publishedFrom: t.field({ type: 'Date' }),
    publishedTo: t.field({ type: 'Date' }),
    kind: t.field({ type: SourceKindEnum }),
    language: t.string(),
    query: t.string({
      description: 'Words in the title, the citation line (`note`), an author or the URL, in any case.',
      validate: check.shortText.nullish(),
    }),
    host: t.string({
      description: 'The host of the URL, or a parent domain ("clearskysec.com" also finds www.clearskysec.com).',
      validate: check.shortText.nullish(),
    }),
    hasPublisher: t.boolean({ description: 'Only sources with (true) or without (false) a known publisher.' }),
  }),
});

function sourceWhere(
  filter:
    | {
        publisher?: string | number | null;
        publishedFrom?: Date | null;
        publishedTo?: Date | null;
        kind?: Prisma.SourceWhereInput['kind'] | null;
        language?: string | null;
        query?: string | null;
        host?: string | null;
        hasPublisher?: boolean | null;
      }
    | null
    | undefined,
): Prisma.SourceWhereInput {
  if (!filter) return {};
  if (filter.publishedFrom && filter.publishedTo && filter.publishedFrom > filter.publishedTo) {
    throw userError('BAD_USER_INPUT', '"publishedFrom" must not be after "publishedTo".', { argument: 'filter' });
  }
  let publisherId: string | undefined;
  if (filter.publisher != null) {
    publisherId = idOf(filter.publisher, ['Organization'], 'filter.publisher').id;
  }
  const words = filter.query?.trim().split(/\s+/).filter(Boolean) ?? [];
  const host = filter.host
    ?.trim()
    .toLowerCase()
    .replace(/^www\d?\./, '');
  return {
    AND: [
      // Every word somewhere: "clearsky dream job" finds ClearSky's Operation 'Dream Job' report.
      ...words.map((word) => ({
        OR: [
          { title: { contains: word, mode: 'insensitive' as const } },
          { note: { contains: word, mode: 'insensitive' as const } },
          { canonicalUrl: { contains: word.toLowerCase() } },
          { authors: { has: word } },
        ],
      })),
      ...(host
        ? [
            {
              OR: [
                { canonicalUrl: { startsWith: `${host}/` } },
                { canonicalUrl: { equals: host } },
                { canonicalUrl: { contains: `.${host}/` } },
              ],
            },
          ]
        : []),
    ],
    ...(filter.hasPublisher != null ? { publisherId: filter.hasPublisher ? { not: null } : null } : {}),
    ...(publisherId ? { publisherId } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.language ? { language: filter.language } : {}),
    ...(filter.publishedFrom || filter.publishedTo
      ? {
          publishedOn: {
            ...(filter.publishedFrom ? { gte: filter.publishedFrom } : {}),
            ...(filter.publishedTo ? { lte: filter.publishedTo } : {}),
          },
        }
      : {}),
  };
}

builder.queryField('sources', (t) =>
  t.prismaConnection(
    {
      type: 'Source',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Sources, newest first unless told otherwise.',
      args: {
        filter: t.arg({ type: SourceFilter }),
        direction: t.arg({ type: SortDirection, defaultValue: 'DESC', description: 'Order by publication date.' }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.source.count({ where: { ...sourceWhere(args.filter), ...visibleSource(ctx.principal.clearance) } }),
      resolve: (query, _root, args, ctx) => {
        return ctx.prisma.source.findMany({
          ...query,
          where: { ...sourceWhere(args.filter), ...visibleSource(ctx.principal.clearance) },
          orderBy: orderBy<Prisma.SourceOrderByWithRelationInput>('publishedOn', args.direction, true),
        });
      },
    },
    { name: 'SourceConnection' },
    { name: 'SourceEdge' },
  ),
);

// Mutations: createSource, updateSource, deleteSource (the write layer: src/write/entities.ts).

const sourceFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  title: t.string({ required, validate: check.shortText.min(1, 'must not be empty').nullish() }),
  url: t.string({ validate: check.url.nullish() }),
  alternateUrls: t.stringList({ validate: check.urls.nullish() }),
  publishedOn: t.field({ type: 'Date' }),
  publishedPrecision: t.field({ type: DatePrecisionEnum }),
  kind: t.field({ type: SourceKindEnum, required }),
  language: t.string({ validate: check.language.nullish(), description: 'ISO 639-1 (default en).' }),
  tlp: t.field({
    type: TlpEnum,
    description:
      'Default CLEAR; at most your clearance. Names and claims citing only sources you may not see are hidden from you.',
  }),
  authors: t.stringList({ validate: check.words.nullish() }),
  note: t.string({ validate: check.text.nullish() }),
  publisher: t.id({ description: 'Global ID of the publishing organisation.' }),
});

const CreateSourceInput = builder.inputType('CreateSourceInput', {
  description: 'A new source. `key` defaults to a slug of the title.',
  fields: (t) => ({ key: keyField(t), ...sourceFields(t, true) }),
});
const UpdateSourceInput = builder.inputType('UpdateSourceInput', {
  description: 'Changes to a source: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...sourceFields(t, false) }),
});

builder.mutationField('createSource', (t) =>
  t.prismaField({
    type: 'Source',
    authScopes: { analyst: true },
    description: 'Creates a source (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateSourceInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Source', input);
      return ctx.prisma.source.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateSource', (t) =>
  t.prismaField({
    type: 'Source',
    authScopes: { analyst: true },
    description: 'Changes a source at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateSourceInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Source', input);
      return ctx.prisma.source.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteSource', (t) => deleteMutation(t, 'Source', deleteRecordDescription('a source')));

builder.prismaObjectFields('Source', (t) => ({
  version: t.exposeInt('version', { description: versionDescription }),
}));
