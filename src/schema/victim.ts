// Victim: an organisation, a sector, a country or a region that actors and campaigns target.

import { visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import type { Prisma } from '../generated/prisma/client.js';
import { createEntity, updateEntity } from '../write/entities.js';
import { termOf } from '../write/vocabularies.js';
import { countryArg } from './args.js';
import { citationsConnection, claimsById } from './entity-fields.js';
import { TlpEnum, VictimKindEnum } from './enums.js';
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
    sector: t.exposeString('sector', {
      nullable: true,
      description:
        'A term of STIX industry-sector-ov, or a custom term (lower-case, hyphenated) where the vocabulary has none; the dataset’s own word is the name of a sector victim.',
    }),
    region: t.exposeString('region', {
      nullable: true,
      description:
        'A REGION victim’s term of STIX region-ov (UN M49), or a custom term; its name is the dataset’s word.',
    }),
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
    sector: t.string({ description: 'An industry-sector-ov term or a word mapped to one, any case ("Finance").' }),
    region: t.string({ description: 'A region-ov term or a word mapped to one, any case ("Southeast Asia").' }),
  }),
});

function victimWhere(
  filter:
    | {
        kind?: 'ORGANIZATION' | 'SECTOR' | 'COUNTRY' | 'REGION' | null;
        country?: string | null;
        sector?: string | null;
        region?: string | null;
      }
    | null
    | undefined,
): Prisma.VictimWhereInput {
  if (!filter) return {};
  return {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.country ? { country: countryArg(filter.country, 'filter.country') } : {}),
    ...(filter.sector ? { sector: termOf('industry-sector', filter.sector).term } : {}),
    ...(filter.region ? { region: termOf('region', filter.region).term } : {}),
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

// Mutations: createVictim, updateVictim, deleteVictim (the write layer: src/write/entities.ts).

const victimFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  name: t.string({ required, validate: check.name.nullish() }),
  kind: t.field({ type: VictimKindEnum, required }),
  country: t.string({ validate: check.country.nullish(), description: 'ISO 3166-1 alpha-2.' }),
  sector: t.string({ validate: check.shortText.nullish() }),
  description: t.string({ validate: check.text.nullish() }),
  tlp: recordMarkingField(t),
});

const CreateVictimInput = builder.inputType('CreateVictimInput', {
  description: 'A new victim. `key` defaults to a slug of the name.',
  fields: (t) => ({ key: keyField(t), ...victimFields(t, true) }),
});
const UpdateVictimInput = builder.inputType('UpdateVictimInput', {
  description: 'Changes to a victim: fields left out stay as they are; null clears an optional field.',
  fields: (t) => ({ ...recordVersionFields(t), ...victimFields(t, false) }),
});

builder.mutationField('createVictim', (t) =>
  t.prismaField({
    type: 'Victim',
    authScopes: { analyst: true },
    description: 'Creates a victim (analyst or admin). Audited.',
    args: { input: t.arg({ type: CreateVictimInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await createEntity(ctx, 'Victim', input);
      return ctx.prisma.victim.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateVictim', (t) =>
  t.prismaField({
    type: 'Victim',
    authScopes: { analyst: true },
    description: 'Changes a victim at the version you read (analyst or admin). Audited.',
    args: { input: t.arg({ type: UpdateVictimInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await updateEntity(ctx, 'Victim', input);
      return ctx.prisma.victim.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteVictim', (t) => deleteMutation(t, 'Victim', deleteRecordDescription('a victim')));

builder.prismaObjectFields('Victim', (t) => ({
  version: t.exposeInt('version', { description: versionDescription }),
  tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }),
}));
