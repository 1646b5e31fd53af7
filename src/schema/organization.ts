// Organization: publishers of sources and coiners of names (ClearSky, F-Secure, JPCERT/CC, MITRE ...).

import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { canSee } from '../auth/principal.js';
import { visibleFact, visibleRecord, visibleSource } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import type { Tlp } from '../generated/prisma/client.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { countryArg } from './args.js';
import { TlpEnum } from './enums.js';
import { knownFact } from './known-at.js';
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

export const Organization = builder.prismaNode('Organization', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows; the marking always (see below).
  select: { id: true, tlp: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'A vendor, agency or publisher: it publishes sources and coins names.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    country: t.exposeString('country', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    coinedNames: t.relatedConnection('coinedNames', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Names this organisation coined.',
      query: (_args, ctx) => ({
        where: { ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
        orderBy: [{ value: 'asc' }, { id: 'asc' }],
      }),
    }),
    sources: t.relatedConnection('sources', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Sources this organisation published, newest first.',
      query: (_args, ctx) => ({
        where: visibleSource(ctx.principal.clearance),
        orderBy: [{ publishedOn: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
      }),
    }),
  }),
});

builder.queryField('organizations', (t) =>
  t.prismaConnection(
    {
      type: 'Organization',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Organisations, by name.',
      args: { country: t.arg.string({ description: 'ISO 3166-1 alpha-2.' }) },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.organization.count({
          where: {
            ...(args.country ? { country: countryArg(args.country, 'country') } : {}),
            ...visibleRecord(ctx.principal.clearance),
          },
        }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.organization.findMany({
          ...query,
          where: {
            ...(args.country ? { country: countryArg(args.country, 'country') } : {}),
            ...visibleRecord(ctx.principal.clearance),
          },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    },
    { name: 'OrganizationConnection' },
    { name: 'OrganizationEdge' },
  ),
);

// Mutations: createOrganization, updateOrganization, deleteOrganization (the write layer: src/write/entities.ts).

const organizationFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  name: t.string({ required, validate: check.name.nullish() }),
  country: t.string({ validate: check.country.nullish(), description: 'ISO 3166-1 alpha-2.' }),
  url: t.string({ validate: check.url.nullish() }),
  description: t.string({ validate: check.text.nullish() }),
  tlp: recordMarkingField(t),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  description: 'A new organisation. `key` defaults to a slug of the name.',
  fields: (t) => ({ key: keyField(t), ...organizationFields(t, true) }),
});
const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: 'Changes to an organisation: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...organizationFields(t, false) }),
});

builder.mutationField('createOrganization', (t) =>
  t.prismaField({
    type: 'Organization',
    authScopes: { analyst: true },
    description: 'Creates an organisation (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Organization', input);
      return ctx.prisma.organization.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateOrganization', (t) =>
  t.prismaField({
    type: 'Organization',
    authScopes: { analyst: true },
    description: 'Changes an organisation at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Organization', input);
      return ctx.prisma.organization.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteOrganization', (t) =>
  deleteMutation(t, 'Organization', deleteRecordDescription('an organisation')),
);

builder.prismaObjectFields('Organization', (t) => ({
  version: t.exposeInt('version', { description: versionDescription }),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));

/**
 * A source's publisher and a name's coiner are to-one relations, loaded with their parent in one
 * statement (Prisma cannot filter a to-one relation): an organisation above the caller's clearance is
 * answered as none there, once the relation is loaded. Applied to the built schema (index.ts).
 */
export function hideMarkedOrganizations(schema: GraphQLSchema) {
  for (const [type, field] of [
    ['Source', 'publisher'],
    ['Name', 'coinedBy'],
  ] as const) {
    const f = (schema.getType(type) as GraphQLObjectType).getFields()[field];
    const load = f.resolve!;
    f.resolve = async (parent, args, ctx: Context, info) => {
      const org = (await load(parent, args, ctx, info)) as { tlp: Tlp } | null;
      return org && canSee(ctx.principal.clearance, org.tlp) ? org : null;
    };
  }
}
