// What recording and changing a claim (attribution, tool usage, targeting, association) or a name
// has in common: the sources it cites, the claim fields every kind carries, and update<Type> /
// delete<Type> at the version the client read. A name or claim the caller may not see is answered
// as one that does not exist.
import { randomUUID } from 'node:crypto';
import { visibleSource } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import { idOf } from '../global-id.js';
import { confidenceFromLabel } from '../write/rules.js';
import { delegateOf, deleteAtVersion, type Edit, edit, updateAtVersion, visibleRowOf } from '../write/transaction.js';
import { check, markingFor, ordered } from './edit-inputs.js';
import { DeletedRecord } from './entity-mutations.js';
import { ClaimStatusEnum, TlpEnum } from './enums.js';

type Input = Record<string, unknown>;
type Citing = 'nameId' | 'attributionId' | 'toolUsageId' | 'targetingId' | 'associationId';

export const CitationInput = builder.inputType('CitationInput', {
  description: 'A source that supports the name or claim, optionally with the words that say so.',
  fields: (t) => ({
    source: t.id({ required: true, description: 'Global ID of the source.' }),
    excerpt: t.string({ validate: check.text.nullish() }),
  }),
});

/** Cites sources for a new name or claim. A source the caller may not see is answered as unknown. */
export async function cite(
  e: Edit,
  column: Citing,
  id: string,
  sources: readonly { source: string | number; excerpt?: string | null }[],
) {
  const ids = sources.map((s, i) => idOf(s.source, ['Source'], `input.sources.${i}.source`).id);
  const found = new Set(
    (
      await e.tx.source.findMany({
        where: { id: { in: ids }, ...visibleSource(e.principal.clearance) },
        select: { id: true },
      })
    ).map((s) => s.id),
  );
  const missing = ids.findIndex((x) => !found.has(x));
  if (missing >= 0) throw notFound('source', `the ID given in input.sources.${missing}.source`);
  await e.tx.citation.createMany({
    data: ids.map((sourceId, i) => ({ id: randomUUID(), sourceId, excerpt: sources[i].excerpt ?? null, [column]: id })),
    skipDuplicates: true,
  });
}

/** The input fields every claim has; a new claim needs at least one source. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const claimInputFields = (t: any, forUpdate = false) => ({
  confidence: t.int({
    validate: check.confidence.nullish(),
    description: '0-100. Left out, it follows from confidenceLabel (STIX None/Low/Med/High).',
  }),
  confidenceLabel: t.string({
    validate: check.shortText.nullish(),
    description: 'The estimative words the source used, e.g. "medium-high".',
  }),
  firstObserved: t.field({ type: 'Date' }),
  lastObserved: t.field({ type: 'Date' }),
  note: t.string({ validate: check.text.nullish() }),
  tlp: t.field({
    type: TlpEnum,
    description: 'The marking of the claim itself (default CLEAR; at most your clearance).',
  }),
  ...(forUpdate
    ? { status: t.field({ type: ClaimStatusEnum }) }
    : {
        sources: t.field({
          type: [CitationInput],
          required: true,
          validate: check.sourcesList,
          description: 'The sources that make the claim (at least one).',
        }),
      }),
});

/** A claim's observed dates in order: those of an input, or of an update over what is stored. */
function checkObservedOrder(claim: Input) {
  if (!ordered('firstObserved', 'lastObserved')(claim))
    throw userError('BAD_USER_INPUT', 'input.lastObserved: must not be before firstObserved.', {
      fields: [{ field: 'input.lastObserved', message: 'must not be before firstObserved' }],
    });
}

/** The columns of the claim fields present in an input (confidence from the label when only it is given). */
export function claimColumns(e: Edit, i: Input) {
  checkObservedOrder(i);
  const data: Input = {};
  for (const f of ['confidence', 'confidenceLabel', 'firstObserved', 'lastObserved', 'note', 'status'] as const)
    if (i[f] !== undefined) data[f] = i[f];
  if (data.status === null)
    throw userError('BAD_USER_INPUT', 'input.status: must not be null.', {
      fields: [{ field: 'input.status', message: 'must not be null' }],
    });
  if (i.confidence == null && typeof i.confidenceLabel === 'string')
    data.confidence = confidenceFromLabel(i.confidenceLabel) ?? null;
  if (i.tlp !== undefined) data.tlp = markingFor(e.principal, i.tlp as never, 'input.tlp');
  return data;
}

/** A new claim's key: a STIX relationship id, so that exports and re-imports keep it. */
export const newClaimKey = () => `relationship--${randomUUID()}`;

type ClaimModel = 'Attribution' | 'ToolUsage' | 'Targeting' | 'Association' | 'Name';
const citing: Record<ClaimModel, Citing> = {
  Attribution: 'attributionId',
  ToolUsage: 'toolUsageId',
  Targeting: 'targetingId',
  Association: 'associationId',
  Name: 'nameId',
};

/** Creates a claim or name with its citations, within a mutation's transaction; returns its id. */
export async function recordIn(e: Edit, model: ClaimModel, i: Input, data: Input) {
  const created = await delegateOf(e.tx, model).create({ data });
  await cite(
    e,
    citing[model],
    created.id,
    (i.sources as { source: string; excerpt?: string | null }[] | undefined) ?? [],
  );
  // Read back after the citations: the database has set its visibility from its sources.
  e.audit(model, created.id, null, await delegateOf(e.tx, model).findUniqueOrThrow({ where: { id: created.id } }));
  return created.id;
}

/** record<Claim>: one audited transaction that creates the claim (columns from `data`) and cites its sources. */
export async function record(
  ctx: Context,
  model: ClaimModel,
  operation: string,
  i: Input,
  data: (e: Edit) => Promise<Input>,
) {
  return edit(ctx.prisma, ctx.principal, operation, async (e) => recordIn(e, model, i, await data(e)));
}

/** The database id of a record the input names, which must exist (INVALID_ID / NOT_FOUND naming the field otherwise). */
export async function existing(e: Edit, globalId: unknown, types: readonly string[], field: string) {
  const ref = idOf(globalId as string, types, field);
  if (!(await visibleRowOf(e, ref.type, ref.id))) throw notFound(ref.type.toLowerCase(), `the ID given in ${field}`);
  return ref;
}

/** update<Claim> (the claim fields) and delete<Claim>, at the version the client read. */
export function claimMutations(model: Exclude<ClaimModel, 'Name'>, label: string) {
  const UpdateInput = builder.inputType(`Update${model}Input`, {
    description: `Changes to ${label}: fields left out stay as they are; null clears an optional field.`,
    fields: (t) => ({
      id: t.id({ required: true }),
      expectedVersion: t.int({
        required: true,
        validate: check.version,
        description: 'The `version` you read: if the claim changed since, the update is refused with CONFLICT.',
      }),
      ...claimInputFields(t, true),
    }),
  });
  builder.mutationFields((t) => ({
    [`update${model}`]: t.prismaField({
      type: model,
      authScopes: { analyst: true },
      description: `Changes ${label} at the version you read: confidence, dates, status, note, marking (analyst or admin). Audited.`,
      args: { input: t.arg({ type: UpdateInput, required: true }) },
      resolve: async (query, _root, { input }, ctx) => {
        const i = input as Input;
        const { id } = idOf(i.id as string, [model], 'input.id');
        await edit(ctx.prisma, ctx.principal, `update${model}`, (e) => {
          const data = claimColumns(e, i);
          return updateAtVersion(e, model, id, i.expectedVersion as number, (before) => {
            // The dates as they will be: one given in the input against the one stored.
            checkObservedOrder({ ...before, ...data });
            return data;
          });
        });
        return delegateOf(ctx.prisma as never, model).findUniqueOrThrow({ ...query, where: { id } }) as never;
      },
    }),
    [`delete${model}`]: deleteField(t, model, label),
  }));
  builder.prismaObjectFields(model, (t) => ({
    version: t.exposeInt('version', {
      description: 'Goes up by one with every change: send it back as `expectedVersion`.',
    }),
  }));
}

/** delete<Claim or Name>(id, expectedVersion). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const deleteField = (t: any, model: ClaimModel, label: string) =>
  t.field({
    type: DeletedRecord,
    authScopes: { analyst: true },
    description: `Deletes ${label} at the version you read, with its citations (analyst or admin). Audited. To keep the record of an assessment that no longer holds, set its status instead.`,
    args: { id: t.arg.id({ required: true }), expectedVersion: t.arg.int({ required: true, validate: check.version }) },
    resolve: async (_root: unknown, args: { id: string; expectedVersion: number }, ctx: Context) => {
      const { id } = idOf(args.id, [model], 'id');
      await edit(ctx.prisma, ctx.principal, `delete${model}`, (e) =>
        deleteAtVersion(e, model, id, args.expectedVersion),
      );
      return { id: String(args.id) };
    },
  });

/**
 * record<Claim> for the claims an actor or a campaign makes about another record (uses a tool,
 * targets a victim): `by` names the actor or campaign, `target` the other record.
 */
export function recordByActorOrCampaign(
  model: 'ToolUsage' | 'Targeting',
  spec: {
    by: string;
    target: string;
    targetType: 'Tool' | 'Victim';
    column: 'toolId' | 'victimId';
    description: string;
    verb: string;
  },
) {
  const Input = builder.inputType(`Record${model}Input`, {
    description: spec.description,
    fields: (t) => ({
      [spec.by]: t.id({ required: true, description: 'The actor or campaign.' }),
      [spec.target]: t.id({ required: true }),
      ...claimInputFields(t),
    }),
  });
  builder.mutationField(`record${model}`, (t) =>
    t.prismaField({
      type: model,
      authScopes: { analyst: true },
      description: `Records that an actor or a campaign ${spec.verb}, with its sources (analyst or admin). Audited.`,
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (query, _root, { input }, ctx) => {
        const i = input as Input;
        const id = await record(ctx, model, `record${model}`, i, async (e) => {
          const by = await existing(e, i[spec.by], ['Actor', 'Campaign'], `input.${spec.by}`);
          const target = await existing(e, i[spec.target], [spec.targetType], `input.${spec.target}`);
          return {
            key: newClaimKey(),
            [by.type === 'Actor' ? 'actorId' : 'campaignId']: by.id,
            [spec.column]: target.id,
            ...claimColumns(e, i),
          };
        });
        return delegateOf(ctx.prisma as never, model).findUniqueOrThrow({ ...query, where: { id } }) as never;
      },
    }),
  );
  claimMutations(model, model === 'ToolUsage' ? 'a tool usage' : 'a targeting');
}
