// Organization: publishers of sources and coiners of names (ClearSky, F-Secure, JPCERT/CC, MITRE ...).

import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { canSee } from '../auth/principal.js';
import { visibleFact, visibleRecord, visibleSource } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Context } from '../context.js';
import type { Tlp } from '../generated/prisma/client.js';
import { countryArg } from './args.js';
import { check } from './edit-inputs.js';
import { entityMutations } from './entity-mutations.js';

builder.prismaNode('Organization', {
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
        where: visibleFact(ctx.principal.clearance),
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

entityMutations(
  'Organization',
  {
    name: { type: 'String', required: true, validate: check.name },
    country: { type: 'String', validate: check.country, description: 'ISO 3166-1 alpha-2.' },
    url: { type: 'String', validate: check.url },
    description: { type: 'String', validate: check.text },
  },
  { nameField: 'name' },
);

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
