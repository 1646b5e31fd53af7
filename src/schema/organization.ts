// Organization: publishers of sources and coiners of names (ClearSky, F-Secure, JPCERT/CC, MITRE ...).
import { entityMutations } from './entity-mutations.js';
import { check } from './edit-inputs.js';
import { visibleFact, visibleSource } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { countryArg } from './args.js';

builder.prismaNode('Organization', {
  id: { field: 'id' },
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'A vendor, agency or publisher: it publishes sources and coins names.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    country: t.exposeString('country', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    coinedNames: t.relatedConnection('coinedNames', { cursor: 'id', totalCount: true, ...paged, description: 'Names this organisation coined.', query: (_args, ctx) => ({ where: visibleFact(ctx.principal.clearance), orderBy: [{ value: 'asc' }, { id: 'asc' }] }) }),
    sources: t.relatedConnection('sources', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Sources this organisation published, newest first.',
      query: (_args, ctx) => ({ where: visibleSource(ctx.principal.clearance), orderBy: [{ publishedOn: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }] }),
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
    totalCount: (_parent, args, ctx) => ctx.prisma.organization.count({ where: args.country ? { country: countryArg(args.country, 'country') } : {} }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.organization.findMany({ ...query, where: args.country ? { country: countryArg(args.country, 'country') } : {}, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
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
