// Creating, changing and deleting the records that are not claims (actors, campaigns, tools, victims,
// sources, organisations), whichever way the change comes in. Each is one write (transaction.ts): the
// same checks, audit entries and versions for every type. No GraphQL here: the schema's mutations
// (src/schema/<type>.ts) decode nothing but call these with their typed inputs.
import { randomBytes } from 'node:crypto';
import { canSee, type Principal } from '../auth/principal.js';
import { visibleFact } from '../auth/visibility.js';
import type { Db } from '../db.js';
import { inputError, notFound, userError } from '../errors.js';
import type { DatePrecision, SourceKind, Tlp, ToolKind, VictimKind } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { nameOwnerColumn, normalizeName, searchTextOf, slug } from './rules.js';
import { canonicalUrl } from './source-urls.js';
import { refuseStoredTwice, sourceColumnsFromUrl } from './sources.js';
import { delegateOf, deleteAtVersion, type Edit, edit, updateAtVersion, visibleRowOf } from './transaction.js';
import { withVocabularyTerms } from './vocabularies.js';

/** What the caller may write: the API's context, or any principal with a database. */
export type Writer = { prisma: Db; principal: Principal };

export type EntityModel = 'Actor' | 'Campaign' | 'Tool' | 'Victim' | 'Source' | 'Organization';

/** An input field: left out (undefined), cleared (null) or given. */
export type Nullable<T> = T | null | undefined;

/** The fields each type's inputs carry (left out: unchanged; null: cleared). */
export type EntityFields = {
  Actor: {
    name?: Nullable<string>;
    description?: Nullable<string>;
    originCountry?: Nullable<string>;
    sponsor?: Nullable<string>;
    motivations?: Nullable<string[]>;
    firstSeen?: Nullable<Date>;
    lastSeen?: Nullable<Date>;
  };
  Campaign: {
    name?: Nullable<string>;
    description?: Nullable<string>;
    objective?: Nullable<string>;
    firstSeen?: Nullable<Date>;
    lastSeen?: Nullable<Date>;
    estimatedLossUsd?: Nullable<string>;
    confirmedLossUsd?: Nullable<string>;
  };
  Tool: {
    name?: Nullable<string>;
    kind?: Nullable<ToolKind>;
    malwareTypes?: Nullable<string[]>;
    platforms?: Nullable<string[]>;
    description?: Nullable<string>;
  };
  Victim: {
    name?: Nullable<string>;
    kind?: Nullable<VictimKind>;
    country?: Nullable<string>;
    sector?: Nullable<string>;
    description?: Nullable<string>;
  };
  Source: {
    title?: Nullable<string>;
    url?: Nullable<string>;
    alternateUrls?: Nullable<string[]>;
    publishedOn?: Nullable<Date>;
    publishedPrecision?: Nullable<DatePrecision>;
    kind?: Nullable<SourceKind>;
    language?: Nullable<string>;
    authors?: Nullable<string[]>;
    note?: Nullable<string>;
    /** Global ID of the publishing organisation. */
    publisher?: Nullable<string | number>;
  };
  Organization: {
    name?: Nullable<string>;
    country?: Nullable<string>;
    url?: Nullable<string>;
    description?: Nullable<string>;
  };
};

/** Every record carries a marking (at most the writer's clearance). */
type Marked = { tlp?: Nullable<Tlp> };
export type NewEntity<M extends EntityModel> = EntityFields[M] & Marked & { key?: Nullable<string> };
export type EntityChanges<M extends EntityModel> = EntityFields[M] &
  Marked & { id: string | number; expectedVersion: number };

/** What differs between the types: which field names them, which must not be empty, references, lists, date order. */
type EntityRules = {
  label: string;
  nameField: 'name' | 'title';
  required: string[];
  /** References by global ID, stored in a column. */
  references?: Record<string, { type: EntityModel; column: string }>;
  /** List fields: cleared to empty, never null. */
  lists?: string[];
  /** [from, to]: `to` must not come before `from`. */
  ordered?: [string, string];
};

const entityRules: Record<EntityModel, EntityRules> = {
  Actor: {
    label: 'actor',
    nameField: 'name',
    required: ['name'],
    lists: ['motivations'],
    ordered: ['firstSeen', 'lastSeen'],
  },
  Campaign: { label: 'campaign', nameField: 'name', required: ['name'], ordered: ['firstSeen', 'lastSeen'] },
  Tool: { label: 'tool', nameField: 'name', required: ['name', 'kind'], lists: ['malwareTypes', 'platforms'] },
  Victim: { label: 'victim', nameField: 'name', required: ['name', 'kind'] },
  Source: {
    label: 'source',
    nameField: 'title',
    required: ['title', 'kind'],
    lists: ['alternateUrls', 'authors'],
    references: { publisher: { type: 'Organization', column: 'publisherId' } },
  },
  Organization: { label: 'organisation', nameField: 'name', required: ['name'] },
};

const aLabel = (model: EntityModel) => {
  const { label } = entityRules[model];
  return `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;
};

/** A marking the writer may give: never above their own clearance (they could not read what they wrote). */
export function markingFor(principal: Principal, tlp: Nullable<Tlp>, field: string): Tlp {
  const marking = tlp ?? 'CLEAR';
  if (!canSee(principal.clearance, marking)) {
    throw userError(
      'BAD_USER_INPUT',
      `${field}: TLP:${marking} is above this key's clearance (TLP:${principal.clearance}).`,
      { fields: [{ field, message: 'above your clearance' }] },
    );
  }
  return marking;
}

/** The date `to` must not come before `from` (both optional): an input's values, or an update's over what is stored. */
export function checkDatesInOrder(values: Record<string, unknown>, from: string, to: string) {
  const a = values[from] as Nullable<Date>;
  const b = values[to] as Nullable<Date>;
  if (a && b && a > b) throw inputError(`input.${to}`, `must not be before ${from}`);
}

const checkOrder = (rules: EntityRules, values: Record<string, unknown>) =>
  rules.ordered && checkDatesInOrder(values, ...rules.ordered);

/**
 * The columns an input sets (references decoded and checked, the marking checked). Absent fields are
 * left alone. A reference to a record the writer may not see is answered as one to a record that does
 * not exist.
 */
async function columns(e: Edit, model: EntityModel, input: Record<string, unknown>) {
  const rules = entityRules[model];
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || field === 'id' || field === 'expectedVersion' || field === 'key') continue;
    if (value === null && rules.required.includes(field)) throw inputError(`input.${field}`, 'must not be null');
    const reference = rules.references?.[field];
    if (reference) {
      const id = value === null ? null : idOf(value as string, [reference.type], `input.${field}`).id;
      if (id && !(await visibleRowOf(e, reference.type, id)))
        throw notFound(reference.type.toLowerCase(), `the ID given in input.${field}`);
      data[reference.column] = id;
    } else if (field === 'tlp') data.tlp = markingFor(e.principal, value as Nullable<Tlp>, 'input.tlp');
    else if (rules.lists?.includes(field)) data[field] = value ?? [];
    else data[field] = value;
  }
  return data;
}

/** Actors, campaigns and tools are found by their names: the display name is always one of them. */
async function keepDisplayName(e: Edit, model: EntityModel, id: string, name: string) {
  if (!(model in nameOwnerColumn)) return;
  const owner = nameOwnerColumn[model as keyof typeof nameOwnerColumn];
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
 * The key a new record gets. One the writer can see is taken: ALREADY_EXISTS. One held by a record
 * above their clearance must not tell them it exists, so the new record gets the key with a random
 * suffix instead (keys are unique across clearances; the record is still theirs to name).
 */
async function freeKey(e: Edit, model: EntityModel, key: string) {
  const holder = await delegateOf(e.tx, model).findFirst({ where: { key }, select: { id: true } });
  if (!holder) return key;
  if (await visibleRowOf(e, model, holder.id)) {
    const a = aLabel(model);
    throw userError(
      'ALREADY_EXISTS',
      `${a.charAt(0).toUpperCase()}${a.slice(1)} with the key "${key}" exists already. Give another \`key\`, or update that one.`,
      { key },
    );
  }
  return `${key.slice(0, 190)}-${randomBytes(4).toString('hex')}`;
}

/** Search text and the dataset for the types found by name (actors, campaigns, tools). */
const isNamed = (model: EntityModel) => model in nameOwnerColumn;

/** Creates a record (audited as create<Type>); returns its database id. */
export async function createEntity<M extends EntityModel>(writer: Writer, model: M, input: NewEntity<M>) {
  const rules = entityRules[model];
  const fields = input as Record<string, unknown>;
  for (const field of rules.required)
    if (fields[field] == null) throw inputError(`input.${field}`, 'is required to create a record');
  checkOrder(rules, fields);
  return edit(writer.prisma, writer.principal, `create${model}`, async (e) => {
    let data = withVocabularyTerms(model, await columns(e, model, fields));
    if (model === 'Source') {
      await refuseStoredTwice(e, data.url as Nullable<string>);
      data = await sourceColumnsFromUrl(e, data);
    }
    const name = String(fields[rules.nameField]);
    const key = await freeKey(e, model, input.key ?? slug(name));
    const description = (fields.description as Nullable<string>) ?? null;
    const extra = isNamed(model) ? { searchText: searchTextOf(name, description), dataset: 'api' } : {};
    const created = await delegateOf(e.tx, model).create({ data: { ...data, ...extra, key } });
    e.audit(model, created.id, null, created);
    if (isNamed(model)) await keepDisplayName(e, model, created.id, name);
    return created.id;
  });
}

/** Changes a record at the version the writer read (audited as update<Type>); returns its database id. */
export async function updateEntity<M extends EntityModel>(writer: Writer, model: M, input: EntityChanges<M>) {
  const rules = entityRules[model];
  const { id } = idOf(input.id, [model], 'input.id');
  return edit(writer.prisma, writer.principal, `update${model}`, async (e) => {
    const data = await columns(e, model, input as Record<string, unknown>);
    if (model === 'Source' && 'url' in data) {
      await refuseStoredTwice(e, data.url as Nullable<string>, id);
      data.canonicalUrl = data.url ? canonicalUrl(data.url as string) : null;
    }
    await updateAtVersion(e, model, id, input.expectedVersion, (before) => {
      checkOrder(rules, { ...before, ...data });
      const terms = withVocabularyTerms(model, data, before);
      if (!isNamed(model)) return terms;
      const name = String(data.name ?? before.name);
      const description = ('description' in data ? data.description : before.description) as string | null;
      return { ...terms, searchText: searchTextOf(name, description) };
    });
    if (isNamed(model) && typeof data.name === 'string') await keepDisplayName(e, model, id, data.name);
    return id;
  });
}

/** Anything deleted by id at a version: records, claims and names (with what belongs to them). */
export type DeletableModel =
  | EntityModel
  | 'Attribution'
  | 'ToolUsage'
  | 'Targeting'
  | 'Association'
  | 'TechniqueUse'
  | 'Name';

/** Deletes a row at the version the writer read (audited as delete<Type>, or removeName for a name). */
export async function deleteRecord(
  writer: Writer,
  model: DeletableModel,
  args: { id: string | number; expectedVersion: number },
) {
  const { id } = idOf(args.id, [model], 'id');
  const operation = model === 'Name' ? 'removeName' : `delete${model}`;
  await edit(writer.prisma, writer.principal, operation, (e) => deleteAtVersion(e, model, id, args.expectedVersion));
  return { id: String(args.id) };
}
