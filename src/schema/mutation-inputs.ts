// What the mutations' inputs share: the checks every field is validated against (plugin-validation,
// with zod: errors name the field, "input.confidence: ...", and nothing is written when any field is
// wrong), the claim fields, citations, and the (id, expectedVersion) of changes and deletes. The
// mutations themselves are defined, by name, in each type's module.
import { z } from 'zod';
import { builder } from '../builder.js';
import { isAssignedCountry } from '../write/countries.js';
import { type DeletableModel, deleteRecord } from '../write/entities.js';
import { keyPattern, keyRule } from '../write/rules.js';
import { ClaimStatusEnum, TlpEnum } from './enums.js';

const isCountry = isAssignedCountry;

export const check = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'is limited to 200 characters'),
  text: z.string().max(20_000, 'is limited to 20,000 characters'),
  shortText: z.string().max(500, 'is limited to 500 characters'),
  key: z.string().regex(keyPattern, keyRule),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as KP')
    .refine(
      isCountry,
      'is not an assigned ISO 3166-1 code (reserved ones such as UK or EU are not countries: the United Kingdom is GB)',
    ),
  countries: z
    .array(
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as KP')
        .refine(
          isCountry,
          'is not an assigned ISO 3166-1 code (reserved ones such as UK or EU are not countries: the United Kingdom is GB)',
        ),
    )
    .max(50, 'is limited to 50 countries'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000, 'is limited to 2,000 characters'),
  urls: z
    .array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000))
    .max(20, 'is limited to 20 addresses'),
  words: z
    .array(z.string().trim().min(1, 'must not hold empty strings').max(200))
    .max(100, 'is limited to 100 entries'),
  confidence: z.number().int().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100'),
  language: z.string().regex(/^[a-z]{2}$/, 'must be an ISO 639-1 code such as en'),
  decimal: z.string().regex(/^\d{1,18}(\.\d{1,2})?$/, 'must be a non-negative amount with at most 2 decimals'),
  version: z.number().int().min(1, 'must be the version you read (1 or more)'),
  sourcesList: z
    .array(z.unknown())
    .min(1, 'needs at least one source: claims here are sourced')
    .max(50, 'is limited to 50 sources'),
};

/** The field builder of input types, typed from the schema builder (no `any`). */
export type InputFields = PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>;

export const CitationInput = builder.inputType('CitationInput', {
  description: 'A source that supports the name or claim, optionally with the words that say so.',
  fields: (t) => ({
    source: t.id({ required: true, description: 'Global ID of the source.' }),
    excerpt: t.string({ validate: check.text.nullish() }),
  }),
});

/** What a delete mutation (delete<Type>, removeName) answers. */
export const DeletedRecord = builder.objectRef<{ id: string }>('DeletedRecord').implement({
  description: 'What a delete mutation removed.',
  fields: (t) => ({ id: t.exposeID('id', { description: 'The global ID the record had.' }) }),
});

/** The arguments of delete<Type> and removeName: which row, at the version read. */
const deleteArgs = () =>
  builder.args((t) => ({
    id: t.id({ required: true }),
    expectedVersion: t.int({ required: true, validate: check.version }),
  }));

type MutationFields = PothosSchemaTypes.MutationFieldBuilder<typeof builder.$inferSchemaTypes, object>;

/**
 * delete<Type> and removeName, the same for every type but its name and words:
 * each still defined under its own name in its type's module (actor.ts: deleteActor).
 */
export const deleteMutation = (t: MutationFields, model: DeletableModel, description: string) =>
  t.field({
    type: DeletedRecord,
    authScopes: { analyst: true },
    description,
    args: deleteArgs(),
    resolve: (_root, args, ctx) => deleteRecord(ctx, model, args),
  });

/** The words of a record's delete<Type>. */
export const deleteRecordDescription = (aLabel: string) =>
  `Deletes ${aLabel} at the version you read, with what belongs to it (names, claims, citations) (analyst or admin). Audited.`;
/** The words of a claim's delete<Type> and of removeName. */
export const deleteClaimDescription = (aLabel: string) =>
  `Deletes ${aLabel} at the version you read, with its citations (analyst or admin). Audited. To keep the record of an assessment that no longer holds, set its status instead.`;

/** A new record's `key` (create<Type> inputs). */
export const keyField = (t: InputFields) =>
  t.string({ validate: check.key.nullish(), description: 'Stable slug (imports and exports use it).' });

/** A record's own marking (create<Type> and update<Type> inputs of actors, campaigns, tools, victims, organisations). */
export const recordMarkingField = (t: InputFields) =>
  t.field({
    type: TlpEnum,
    description:
      "The marking of the record itself (default CLEAR; at most your clearance). Above a caller's clearance the record, its names and the claims that name it do not exist for them.",
  });

/** Which record an update<Type> changes, at the version read. */
export const recordVersionFields = (t: InputFields) => ({
  id: t.id({ required: true }),
  expectedVersion: t.int({
    required: true,
    validate: check.version,
    description: 'The `version` you read: if the record changed since, the update is refused with CONFLICT.',
  }),
});

/** Which claim an update<Claim> changes, at the version read. */
const claimVersionFields = (t: InputFields) => ({
  id: t.id({ required: true }),
  expectedVersion: t.int({
    required: true,
    validate: check.version,
    description: 'The `version` you read: if the claim changed since, the update is refused with CONFLICT.',
  }),
});

/** The fields every claim has, in a new claim's input and an update's. */
export const claimFields = (t: InputFields) => ({
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
});

/** A new claim's fields: the claim fields and its sources (at least one). */
export const newClaimFields = (t: InputFields) => ({
  ...claimFields(t),
  sources: t.field({
    type: [CitationInput],
    required: true,
    validate: check.sourcesList,
    description: 'The sources that make the claim (at least one).',
  }),
});

/** An update<Claim>'s fields: the claim fields and its status. */
export const claimChangeFields = (t: InputFields) => ({
  ...claimVersionFields(t),
  ...claimFields(t),
  status: t.field({ type: ClaimStatusEnum }),
});

/** The `version` field of every record, claim and name: what an update or delete sends back. */
export const versionDescription =
  'Goes up by one with every change: send it back as `expectedVersion` when you update.';
export const claimVersionDescription = 'Goes up by one with every change: send it back as `expectedVersion`.';
