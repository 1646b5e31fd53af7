// Name: one name of an actor, a campaign or a tool, as a sourced claim (who coined it, who uses it).
// Also resolveName(name:); the lookups by name live in name-lookup.ts.

import { z } from 'zod';
import { visibleFact } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { userError } from '../errors.js';
import { normalizeName } from '../write/rules.js';
import { edit } from '../write/transaction.js';
import { CitationInput, deleteField, existing, recordIn } from './claim-mutations.js';
import { check, markingFor } from './edit-inputs.js';
import { citationsQuery } from './entity-fields.js';
import { TlpEnum } from './enums.js';
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
const NameResolution = builder.objectRef<{ entity: Entity; names: { id: string }[] }>('NameResolution').implement({
  description:
    'An entity that carries the name, with the name records that match (who coined them, which sources use them).',
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
  }),
});

builder.queryField('resolveName', (t) =>
  t.field({
    type: [NameResolution],
    description:
      'Every actor, campaign and tool that carries this name (case, spaces and punctuation ignored). Never picks one.',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => {
      const normalized = normalizeName(name);
      if (!normalized)
        throw userError('BAD_USER_INPUT', 'A name needs at least one letter or digit.', { argument: 'name' });
      const rows = await ctx.prisma.name.findMany({
        where: { normalized, ...visibleFact(ctx.principal.clearance) },
        include: { actor: true, campaign: true, tool: true },
      });
      const groups = new Map<string, { entity: Entity; names: { id: string }[] }>();
      for (const r of rows) {
        const [type, entity] = r.actor ? ['Actor', r.actor] : r.campaign ? ['Campaign', r.campaign] : ['Tool', r.tool!];
        const group = groups.get(entity.id) ?? { entity: tagged(type, entity), names: [] };
        group.names.push({ id: r.id });
        groups.set(entity.id, group);
      }
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

const ownerColumn = { Actor: 'actorId', Campaign: 'campaignId', Tool: 'toolId' } as const;

builder.mutationFields((t) => ({
  addName: t.prismaField({
    type: 'Name',
    authScopes: { analyst: true },
    description:
      'Adds a name to an actor, a campaign or a tool (analyst or admin). A name is a claim: it belongs to this record only, never merges records. Audited.',
    args: { input: t.arg({ type: AddNameInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const normalized = normalizeName(input.value);
      if (!normalized)
        throw userError('BAD_USER_INPUT', 'input.value: a name needs at least one letter or digit.', {
          fields: [{ field: 'input.value', message: 'no letter or digit' }],
        });
      const id = await edit(ctx.prisma, ctx.principal, 'addName', async (e) => {
        const owner = await existing(e, input.owner, ['Actor', 'Campaign', 'Tool'], 'input.owner');
        const column = ownerColumn[owner.type as keyof typeof ownerColumn];
        // Concurrent additions to one record wait for each other, so that two equal names are not both added.
        await e.tx.$executeRawUnsafe(`SELECT 1 FROM "${owner.type}" WHERE id = $1::uuid FOR UPDATE`, owner.id);
        // Only a name the caller can see is a duplicate: one above their clearance must not be revealed by a
        // refusal, so theirs is recorded beside it (a name is a sourced claim; each keeps its own sources).
        if (
          await e.tx.name.findFirst({
            where: { [column]: owner.id, normalized, ...visibleFact(ctx.principal.clearance) },
          })
        ) {
          throw userError(
            'ALREADY_EXISTS',
            `This ${owner.type.toLowerCase()} already has the name "${input.value}" (names are compared ignoring case, spaces and punctuation).`,
          );
        }
        const coinedById = input.coinedBy
          ? (await existing(e, input.coinedBy, ['Organization'], 'input.coinedBy')).id
          : null;
        return recordIn(e, 'Name', input, {
          value: input.value.trim(),
          normalized,
          [column]: owner.id,
          coinedById,
          note: input.note ?? null,
          tlp: markingFor(ctx.principal, input.tlp, 'input.tlp'),
        });
      });
      return ctx.prisma.name.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  removeName: deleteField(t, 'Name', 'a name'),
}));

builder.prismaObjectFields('Name', (t) => ({
  version: t.exposeInt('version', {
    description: 'Goes up by one with every change: send it back as `expectedVersion`.',
  }),
}));
