// Name: one name of an actor, a campaign or a tool, as a sourced claim (who coined it, who uses it).
// Also resolveName(name:); the lookups by name live in name-lookup.ts.

import { z } from 'zod';
import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { userError } from '../errors.js';
import { addName } from '../write/claims.js';
import { normalizeName } from '../write/rules.js';
import { citationsQuery } from './entity-fields.js';
import { TlpEnum } from './enums.js';
import {
  CitationInput,
  check,
  claimVersionDescription,
  deleteClaimDescription,
  deleteMutation,
} from './mutation-inputs.js';
import { identifierForms } from './name-lookup.js';
import { tagged } from './typed.js';
import { NamedEntity } from './unions.js';

export const Name = builder.prismaNode('Name', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleFact(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description:
    'A name of an actor, a campaign or a tool. The same name may belong to several entities: sources disagree, and every claim is kept.',
  fields: (t) => ({
    value: t.exposeString('value'),
    normalized: t.exposeString('normalized', {
      description: 'Lower case, letters and digits only: the key name lookups use.',
    }),
    note: t.exposeString('note', { nullable: true }),
    tlp: t.expose('tlp', {
      type: TlpEnum,
      description:
        'The marking of the name itself. A caller sees a name when cleared for it and for at least one of its sources (or it cites none).',
    }),
    // Null when the organisation is above the caller's clearance (see hideMarkedOrganizations).
    coinedBy: t.relation('coinedBy', {
      nullable: true,
      description: 'The organisation that coined the name, where known (and where you may see it).',
    }),
    owner: t.field({
      type: NamedEntity,
      select: { actor: true, campaign: true, tool: true },
      resolve: (n) =>
        n.actor ? tagged('Actor', n.actor) : n.campaign ? tagged('Campaign', n.campaign) : tagged('Tool', n.tool!),
    }),
    citations: t.relatedConnection('citations', { cursor: 'id', totalCount: true, ...paged, query: citationsQuery }),
  }),
});

type Entity = typeof NamedEntity.$inferType;
const NameResolution = builder
  .objectRef<{ entity: Entity; names: { id: string }[]; externalIds: { id: string }[] }>('NameResolution')
  .implement({
    description:
      'An entity that carries the name or holds it as an identifier, with the name records that match (who coined them, which sources use them) and the identifiers that match.',
    fields: (t) => ({
      entity: t.field({ type: NamedEntity, resolve: (r) => r.entity }),
      names: t.prismaField({
        type: ['Name'],
        resolve: (query, r, _args, ctx) =>
          ctx.prisma.name.findMany({
            ...query,
            where: { id: { in: r.names.map((n) => n.id) }, ...visibleFact(ctx.principal.clearance) },
            orderBy: { value: 'asc' },
          }),
      }),
      externalIds: t.prismaField({
        type: ['ExternalId'],
        description: 'Identifiers of the entity equal to the name asked (ATT&CK id, STIX id, MISP uuid; any case).',
        resolve: (query, r, _args, ctx) =>
          r.externalIds.length
            ? ctx.prisma.externalId.findMany({
                ...query,
                where: { id: { in: r.externalIds.map((x) => x.id) } },
                orderBy: { system: 'asc' },
              })
            : [],
      }),
    }),
  });

builder.queryField('resolveName', (t) =>
  t.field({
    type: [NameResolution],
    description:
      'Every actor, campaign and tool that carries this name (case, spaces and punctuation ignored) or holds it as an identifier (G0032, a STIX id, a MISP uuid). Never picks one.',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => {
      const normalized = normalizeName(name);
      if (!normalized)
        throw userError('BAD_USER_INPUT', 'A name needs at least one letter or digit.', { argument: 'name' });
      const clearance = ctx.principal.clearance;
      const [rows, ids] = await Promise.all([
        ctx.prisma.name.findMany({
          where: { normalized, ...visibleFact(clearance) },
          include: { actor: true, campaign: true, tool: true },
        }),
        ctx.prisma.externalId.findMany({
          where: {
            value: { in: identifierForms(name) },
            OR: [
              { actor: visibleRecord(clearance) },
              { campaign: visibleRecord(clearance) },
              { tool: visibleRecord(clearance) },
            ],
          },
          include: { actor: true, campaign: true, tool: true },
        }),
      ]);
      const groups = new Map<string, { entity: Entity; names: { id: string }[]; externalIds: { id: string }[] }>();
      const groupOf = (r: (typeof rows)[number] | (typeof ids)[number]) => {
        const [type, entity] = r.actor ? ['Actor', r.actor] : r.campaign ? ['Campaign', r.campaign] : ['Tool', r.tool!];
        const group = groups.get(entity.id) ?? { entity: tagged(type, entity), names: [], externalIds: [] };
        groups.set(entity.id, group);
        return group;
      };
      for (const r of rows) groupOf(r).names.push({ id: r.id });
      for (const x of ids) groupOf(x).externalIds.push({ id: x.id });
      return [...groups.values()];
    },
  }),
);

const AddNameInput = builder.inputType('AddNameInput', {
  description: 'A name of an actor, a campaign or a tool, with who coined it and the sources that use it.',
  fields: (t) => ({
    owner: t.id({ required: true, description: 'The actor, campaign or tool.' }),
    value: t.string({ required: true, validate: check.name }),
    coinedBy: t.id({ description: 'The organisation that coined it.' }),
    note: t.string({ validate: check.text.nullish() }),
    tlp: t.field({
      type: TlpEnum,
      description: 'The marking of the name itself (default CLEAR; at most your clearance).',
    }),
    sources: t.field({
      type: [CitationInput],
      validate: z.array(z.unknown()).max(50, 'is limited to 50 sources').nullish(),
      description: 'Sources that use the name.',
    }),
  }),
});

// Mutations: addName, removeName (the write layer: src/write/claims.ts).

builder.mutationField('addName', (t) =>
  t.prismaField({
    type: 'Name',
    authScopes: { analyst: true },
    description:
      'Adds a name to an actor, a campaign or a tool (analyst or admin). A name is a claim: it belongs to this record only, never merges records. Audited.',
    args: { input: t.arg({ type: AddNameInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const id = await addName(ctx, input);
      return ctx.prisma.name.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('removeName', (t) => deleteMutation(t, 'Name', deleteClaimDescription('a name')));

builder.prismaObjectFields('Name', (t) => ({
  version: t.exposeInt('version', { description: claimVersionDescription }),
}));
