// create<Type>, update<Type> and delete<Type> for the records that are not claims (actors, campaigns,
// tools, victims, sources, organisations), made from one description of each type's editable fields
// so that every type checks, audits and versions its changes the same way.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { visibleFact } from '../auth/visibility.js';
import { builder } from '../builder.js';
import { notFound, userError } from '../errors.js';
import { idOf } from '../global-id.js';
import { normalizeName, searchTextOf, slug } from '../write/rules.js';
import { delegateOf, deleteAtVersion, type Edit, edit, updateAtVersion, visibleRowOf } from '../write/transaction.js';
import { check, markingFor } from './edit-inputs.js';
import { TlpEnum } from './enums.js';

type Model = 'Actor' | 'Campaign' | 'Tool' | 'Victim' | 'Source' | 'Organization';
type FieldSpec = {
  type: unknown; // a Pothos type: 'String', 'Date', ['String'], an enum ...
  required?: boolean;
  validate?: z.ZodType;
  description?: string;
  /** A reference by global ID to a record of this type, stored in `column`. */
  ref?: { type: string; column: string };
  /** A TLP marking: never above the caller's clearance. */
  marking?: boolean;
};
type Spec = Record<string, FieldSpec>;
type Input = Record<string, unknown>;

export const DeletedRecord = builder.objectRef<{ id: string }>('DeletedRecord').implement({
  description: 'What a delete mutation removed.',
  fields: (t) => ({ id: t.exposeID('id', { description: 'The global ID the record had.' }) }),
});

/** Input fields of a create (required ones required) or an update (all optional; null clears). */
function inputFields(spec: Spec, forUpdate: boolean) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (t: any) =>
    Object.fromEntries(
      Object.entries(spec).map(([field, f]) => [
        field,
        f.ref
          ? t.id({ required: !forUpdate && f.required, description: f.description })
          : t.field({
              type: f.type,
              required: !forUpdate && f.required,
              description: f.description,
              validate: f.validate?.nullish(),
            }),
      ]),
    );
}

/**
 * The columns an input sets (references decoded and checked, markings checked). Absent fields are left
 * alone. A reference to a record the caller may not see is answered as one to a record that does not exist.
 */
async function columns(spec: Spec, input: Input, e: Edit) {
  const data: Input = {};
  for (const [field, f] of Object.entries(spec)) {
    if (!(field in input) || input[field] === undefined) continue;
    const value = input[field];
    if (value === null && f.required)
      throw userError('BAD_USER_INPUT', `input.${field}: must not be null.`, {
        fields: [{ field: `input.${field}`, message: 'must not be null' }],
      });
    if (f.ref) {
      const ref = value === null ? null : idOf(value as string, [f.ref.type], `input.${field}`).id;
      if (ref && !(await visibleRowOf(e, f.ref.type, ref)))
        throw notFound(f.ref.type.toLowerCase(), `the ID given in input.${field}`);
      data[f.ref.column] = ref;
    } else if (f.marking) data[field] = markingFor(e.principal, value as never, `input.${field}`);
    else if (Array.isArray(f.type))
      data[field] = value ?? []; // a list is cleared to empty, never null
    else data[field] = value;
  }
  return data;
}

const ownerColumn = { Actor: 'actorId', Campaign: 'campaignId', Tool: 'toolId' } as const;

/** Actors, campaigns and tools are found by their names: the display name is one of them. */
async function keepDisplayName(e: Edit, model: Model, id: string, name: string) {
  if (!(model in ownerColumn)) return;
  const owner = ownerColumn[model as keyof typeof ownerColumn];
  const normalized = normalizeName(name);
  // A name the writer cannot see does not count: theirs is recorded beside it (see addName).
  if (
    !normalized ||
    (await e.tx.name.findFirst({ where: { [owner]: id, normalized, ...visibleFact(e.principal.clearance) } }))
  )
    return;
  const created = await e.tx.name.create({ data: { value: name, normalized, [owner]: id } });
  e.audit('Name', created.id, null, created);
}

/**
 * The key a new record gets. One the caller can see is taken: ALREADY_EXISTS. One held by a record
 * above their clearance must not tell them it exists, so the new record gets the key with a random
 * suffix instead (keys are unique across clearances; the record is still theirs to name).
 */
async function freeKey(e: Edit, model: Model, key: string, aLabel: string) {
  const holder = await delegateOf(e.tx, model).findFirst({ where: { key }, select: { id: true } });
  if (!holder) return key;
  if (await visibleRowOf(e, model, holder.id)) {
    throw userError(
      'ALREADY_EXISTS',
      `${aLabel.charAt(0).toUpperCase()}${aLabel.slice(1)} with the key "${key}" exists already. Give another \`key\`, or update that one.`,
      { key },
    );
  }
  return `${key.slice(0, 190)}-${randomBytes(4).toString('hex')}`;
}

export function entityMutations(
  model: Model,
  ownSpec: Spec,
  options: {
    nameField: 'name' | 'title';
    checks?: { ok: (input: Input) => boolean; field: string; message: string }[];
  },
) {
  // Every record carries a marking (a source declares its own, with its description).
  const spec: Spec = {
    tlp: {
      type: TlpEnum,
      marking: true,
      description:
        "The marking of the record itself (default CLEAR; at most your clearance). Above a caller's clearance the record, its names and the claims that name it do not exist for them.",
    },
    ...ownSpec,
  };
  const lower = model.charAt(0).toLowerCase() + model.slice(1);
  const label = model === 'Organization' ? 'organisation' : lower;
  const aLabel = `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;
  const named = model in ownerColumn;
  const validate = (input: Input) => {
    for (const c of options.checks ?? [])
      if (!c.ok(input))
        throw userError('BAD_USER_INPUT', `input.${c.field}: ${c.message}`, {
          fields: [{ field: `input.${c.field}`, message: c.message }],
        });
  };
  const CreateInput = builder.inputType(`Create${model}Input`, {
    description: `A new ${label}. \`key\` defaults to a slug of the ${options.nameField}.`,
    fields: (t) => ({
      key: t.string({ validate: check.key.nullish(), description: 'Stable slug (imports and exports use it).' }),
      ...inputFields(spec, false)(t),
    }),
  });
  const UpdateInput = builder.inputType(`Update${model}Input`, {
    description: `Changes to ${aLabel}: fields left out stay as they are; null clears an optional field.`,
    fields: (t) => ({
      id: t.id({ required: true }),
      expectedVersion: t.int({
        required: true,
        validate: check.version,
        description: 'The `version` you read: if the record changed since, the update is refused with CONFLICT.',
      }),
      ...inputFields(spec, true)(t),
    }),
  });
  // The record as it is after the change, read with what the query selects.
  const reread = (query: object, ctx: { prisma: object }, id: string) =>
    delegateOf(ctx.prisma as never, model).findUniqueOrThrow({ ...query, where: { id } });

  builder.mutationFields((t) => ({
    [`create${model}`]: t.prismaField({
      type: model,
      authScopes: { analyst: true },
      description: `Creates ${aLabel} (analyst or admin). Audited.`,
      args: { input: t.arg({ type: CreateInput, required: true }) },
      resolve: async (query, _root, { input }, ctx) => {
        const i = input as Input;
        validate(i);
        const id = await edit(ctx.prisma, ctx.principal, `create${model}`, async (e) => {
          const data = await columns(spec, i, e);
          const key = await freeKey(
            e,
            model,
            (i.key as string | undefined) ?? slug(String(i[options.nameField])),
            aLabel,
          );
          const extra = named
            ? {
                searchText: searchTextOf(String(i.name), (i.description as string | undefined) ?? null),
                dataset: 'api',
              }
            : {};
          const created = await delegateOf(e.tx, model).create({ data: { ...data, ...extra, key } });
          e.audit(model, created.id, null, created);
          if (named) await keepDisplayName(e, model, created.id, String(i.name));
          return created.id;
        });
        return reread(query, ctx, id) as never;
      },
    }),
    [`update${model}`]: t.prismaField({
      type: model,
      authScopes: { analyst: true },
      description: `Changes ${aLabel} at the version you read (analyst or admin). Audited.`,
      args: { input: t.arg({ type: UpdateInput, required: true }) },
      resolve: async (query, _root, { input }, ctx) => {
        const i = input as Input;
        const { id } = idOf(i.id as string, [model], 'input.id');
        const after = await edit(ctx.prisma, ctx.principal, `update${model}`, async (e) => {
          const data = await columns(spec, i, e);
          const row = await updateAtVersion(e, model, id, i.expectedVersion as number, (before) => {
            validate({ ...before, ...data });
            return named
              ? {
                  ...data,
                  searchText: searchTextOf(
                    String(data.name ?? before.name),
                    (('description' in data ? data.description : before.description) as string | null) ?? null,
                  ),
                }
              : data;
          });
          if (named && typeof data.name === 'string') await keepDisplayName(e, model, id, data.name);
          return row;
        });
        return reread(query, ctx, after.id) as never;
      },
    }),
    [`delete${model}`]: t.field({
      type: DeletedRecord,
      authScopes: { analyst: true },
      description: `Deletes ${aLabel} at the version you read, with what belongs to it (names, claims, citations) (analyst or admin). Audited.`,
      args: {
        id: t.arg.id({ required: true }),
        expectedVersion: t.arg.int({ required: true, validate: check.version }),
      },
      resolve: async (_root, args, ctx) => {
        const { id } = idOf(args.id, [model], 'id');
        await edit(ctx.prisma, ctx.principal, `delete${model}`, (e) =>
          deleteAtVersion(e, model, id, args.expectedVersion),
        );
        return { id: String(args.id) };
      },
    }),
  }));

  builder.prismaObjectFields(model, (t) => ({
    version: t.exposeInt('version', {
      description: 'Goes up by one with every change: send it back as `expectedVersion` when you update.',
    }),
    ...(model === 'Source'
      ? {}
      : { tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the record itself.' }) }),
  }));
}
