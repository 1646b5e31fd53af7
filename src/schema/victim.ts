// Victim: an organisation, a sector, a country or a region that actors and campaigns target.

import { visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Prisma } from '../generated/prisma/client.js';
import { countryArg } from './args.js';
import { check } from './edit-inputs.js';
import { citationsConnection, claimsById } from './entity-fields.js';
import { entityMutations } from './entity-mutations.js';
import { VictimKindEnum } from './enums.js';

export const Victim = builder.prismaNode('Victim', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleRecord(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description: 'Who is targeted: an organisation, a sector, a country or a region.',
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: VictimKindEnum }),
    country: t.exposeString('country', { nullable: true, description: 'ISO 3166-1 alpha-2, where known.' }),
    sector: t.exposeString('sector', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    citations: t.relatedConnection('citations', citationsConnection),
    targetedBy: t.relatedConnection('targetings', {
      cursor: 'id',
      totalCount: true,
      ...paged,
      description: 'Claims that an actor or a campaign targets this victim.',
      query: claimsById,
    }),
  }),
});

const VictimFilter = builder.inputType('VictimFilter', {
  fields: (t) => ({
    kind: t.field({ type: VictimKindEnum }),
    country: t.string({ description: 'ISO 3166-1 alpha-2.' }),
    sector: t.string(),
  }),
});

function victimWhere(
  filter:
    | {
        kind?: 'ORGANIZATION' | 'SECTOR' | 'COUNTRY' | 'REGION' | null;
        country?: string | null;
        sector?: string | null;
      }
    | null
    | undefined,
): Prisma.VictimWhereInput {
  if (!filter) return {};
  return {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.country ? { country: countryArg(filter.country, 'filter.country') } : {}),
    ...(filter.sector ? { sector: filter.sector } : {}),
  };
}

builder.queryField('victims', (t) =>
  t.prismaConnection(
    {
      type: 'Victim',
      cursor: 'id',
      nullable: false,
      ...paged,
      description: 'Victims, by name.',
      args: { filter: t.arg({ type: VictimFilter }) },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.victim.count({ where: { ...victimWhere(args.filter), ...visibleRecord(ctx.principal.clearance) } }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.victim.findMany({
          ...query,
          where: { ...victimWhere(args.filter), ...visibleRecord(ctx.principal.clearance) },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    },
    { name: 'VictimConnection' },
    { name: 'VictimEdge' },
  ),
);

entityMutations(
  'Victim',
  {
    name: { type: 'String', required: true, validate: check.name },
    kind: { type: VictimKindEnum, required: true },
    country: { type: 'String', validate: check.country, description: 'ISO 3166-1 alpha-2.' },
    sector: { type: 'String', validate: check.shortText },
    description: { type: 'String', validate: check.text },
  },
  { nameField: 'name' },
);
