// Recording and changing claims (attributions, tool usages, targetings, associations) and names,
// whichever way they come in: each cites its sources (at least one), carries the claim fields every
// kind has, and is changed or superseded at the version the writer read. A name, claim or record the
// writer may not see is answered as one that does not exist. No GraphQL here (see entities.ts).
import { visibleFact, visibleSource } from '../auth/visibility.js';
import { inputError, notFound, userError } from '../errors.js';
import type { AssociationKind, ClaimStatus, Prisma, Tlp } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { checkDatesInOrder, markingFor, type Nullable, type Writer } from './entities.js';
import { assessedDate, confidenceFromLabel, nameOwnerColumn, newClaimKey, newId, normalizeName } from './rules.js';
import { delegateOf, type Edit, edit, updateAtVersion, visibleRowOf } from './transaction.js';

type GlobalId = string | number;

/** A source that supports a name or claim, optionally with the words that say so. */
export type CitationInput = { source: GlobalId; excerpt?: Nullable<string> };

/** The fields every claim carries (left out: unchanged or default; null: cleared). */
export type ClaimFields = {
  confidence?: Nullable<number>;
  confidenceLabel?: Nullable<string>;
  firstObserved?: Nullable<Date>;
  lastObserved?: Nullable<Date>;
  note?: Nullable<string>;
  tlp?: Nullable<Tlp>;
};
export type NewClaim = ClaimFields & { sources: readonly CitationInput[] };
export type NewName = Omit<ClaimFields, 'confidence' | 'confidenceLabel' | 'firstObserved' | 'lastObserved'> & {
  owner: GlobalId;
  value: string;
  coinedBy?: Nullable<GlobalId>;
  sources?: Nullable<readonly CitationInput[]>;
};
export type ClaimChanges = ClaimFields & { id: GlobalId; expectedVersion: number; status?: Nullable<ClaimStatus> };

export type ClaimModel = 'Attribution' | 'ToolUsage' | 'Targeting' | 'Association' | 'TechniqueUse';
type Citing = 'nameId' | 'attributionId' | 'toolUsageId' | 'targetingId' | 'associationId' | 'techniqueUseId';
const citingColumn: Record<ClaimModel | 'Name', Citing> = {
  Attribution: 'attributionId',
  ToolUsage: 'toolUsageId',
  TechniqueUse: 'techniqueUseId',
  Targeting: 'targetingId',
  Association: 'associationId',
  Name: 'nameId',
};

/**
 * Cites sources for a new name or claim, in the order given (time-ordered ids: connections list them
 * so). A source the writer may not see is answered as an unknown one.
 */
async function cite(e: Edit, column: Citing, id: string, sources: readonly CitationInput[]) {
  if (!sources.length) return;
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
  const rows = ids.map((sourceId, i) => ({ id: newId(), sourceId, excerpt: sources[i].excerpt ?? null, [column]: id }));
  await e.tx.citation.createMany({ data: rows, skipDuplicates: true });
  for (const row of rows) e.log.row('Citation', null, row); // the claim's or name's sources, in the change log
}

/** A claim's observed dates in order: those of an input, or of an update over what is stored. */
const checkObservedOrder = (claim: Record<string, unknown>) =>
  checkDatesInOrder(claim, 'firstObserved', 'lastObserved');

/** The columns of the claim fields present in an input (confidence from the label when only it is given). */
function claimColumns(e: Edit, input: ClaimFields & { status?: Nullable<ClaimStatus> }) {
  checkObservedOrder({ ...input });
  const data: Record<string, unknown> = {};
  for (const f of ['confidence', 'confidenceLabel', 'firstObserved', 'lastObserved', 'note', 'status'] as const)
    if (input[f] !== undefined) data[f] = input[f];
  if (data.status === null) throw inputError('input.status', 'must not be null');
  if (input.confidence == null && typeof input.confidenceLabel === 'string')
    data.confidence = confidenceFromLabel(input.confidenceLabel) ?? null;
  if (input.tlp !== undefined) data.tlp = markingFor(e.principal, input.tlp, 'input.tlp');
  return data;
}

/** The database id of a record an input names, which must exist for the writer (INVALID_ID / NOT_FOUND naming the field). */
async function existing(e: Edit, globalId: GlobalId, types: readonly string[], field: string) {
  const ref = idOf(globalId, types, field);
  if (!(await visibleRowOf(e, ref.type, ref.id))) throw notFound(ref.type.toLowerCase(), `the ID given in ${field}`);
  return ref;
}

/** Creates a claim or name with its citations, within a write; returns its id. */
async function recordIn(e: Edit, model: ClaimModel | 'Name', sources: readonly CitationInput[], data: object) {
  // A claim is sourced; a name may be recorded before a source that uses it is.
  if (model !== 'Name' && !sources.length)
    throw inputError('input.sources', 'needs at least one source: claims here are sourced');
  const created = await delegateOf(e.tx, model).create({ data });
  await cite(e, citingColumn[model], created.id, sources);
  // Read back after the citations: the database has set its visibility from its sources.
  e.audit(model, created.id, null, await delegateOf(e.tx, model).findUniqueOrThrow({ where: { id: created.id } }));
  return created.id;
}

/** Changes a claim's fields (confidence, dates, status, note, marking) at the version read (audited as update<Type>). */
export async function updateClaim(writer: Writer, model: ClaimModel, input: ClaimChanges) {
  const { id } = idOf(input.id, [model], 'input.id');
  return edit(writer.prisma, writer.principal, `update${model}`, async (e) => {
    const data = claimColumns(e, input);
    await updateAtVersion(e, model, id, input.expectedVersion, (before) => {
      // The dates as they will be: one given in the input against the one stored.
      checkObservedOrder({ ...before, ...data });
      return data;
    });
    return id;
  });
}

/**
 * A claim an actor or a campaign (`by`) makes about another record: that it uses a tool, or targets a
 * victim. One write, audited as `operation`.
 */
const recordByActorOrCampaign = (
  writer: Writer,
  operation: 'recordToolUsage' | 'recordTargeting',
  input: NewClaim & { by: GlobalId },
  target: { model: 'ToolUsage' | 'Targeting'; type: 'Tool' | 'Victim'; id: GlobalId; field: string; column: string },
) =>
  edit(writer.prisma, writer.principal, operation, async (e) => {
    const by = await existing(e, input.by, ['Actor', 'Campaign'], 'input.by');
    const { id } = await existing(e, target.id, [target.type], `input.${target.field}`);
    const side = by.type === 'Actor' ? { actorId: by.id } : { campaignId: by.id };
    return recordIn(e, target.model, input.sources, {
      key: newClaimKey(),
      ...side,
      [target.column]: id,
      ...claimColumns(e, input),
    });
  });

/** Records that an actor or a campaign (`by`) uses a tool: recordToolUsage. */
export const recordToolUsage = (writer: Writer, input: NewClaim & { by: GlobalId; tool: GlobalId }) =>
  recordByActorOrCampaign(writer, 'recordToolUsage', input, {
    model: 'ToolUsage',
    type: 'Tool',
    id: input.tool,
    field: 'tool',
    column: 'toolId',
  });

/** Records that an actor or a campaign (`by`) targets a victim: recordTargeting. */
export const recordTargeting = (writer: Writer, input: NewClaim & { by: GlobalId; victim: GlobalId }) =>
  recordByActorOrCampaign(writer, 'recordTargeting', input, {
    model: 'Targeting',
    type: 'Victim',
    id: input.victim,
    field: 'victim',
    column: 'victimId',
  });

/** Records that an actor, a campaign or a tool (`by`) uses a technique: recordTechniqueUse. */
export const recordTechniqueUse = (writer: Writer, input: NewClaim & { by: GlobalId; technique: GlobalId }) =>
  edit(writer.prisma, writer.principal, 'recordTechniqueUse', async (e) => {
    const by = await existing(e, input.by, ['Actor', 'Campaign', 'Tool'], 'input.by');
    const { id } = await existing(e, input.technique, ['Technique'], 'input.technique');
    const side = { [`${by.type[0].toLowerCase()}${by.type.slice(1)}Id`]: by.id };
    return recordIn(e, 'TechniqueUse', input.sources, {
      key: newClaimKey(),
      ...side,
      techniqueId: id,
      ...claimColumns(e, input),
    });
  });

/** Records that two actors or two tools are related without being one: recordAssociation. */
export const recordAssociation = (
  writer: Writer,
  input: NewClaim & { kind: AssociationKind; from: GlobalId; to: GlobalId },
) =>
  edit(writer.prisma, writer.principal, 'recordAssociation', async (e) => {
    const from = await existing(e, input.from, ['Actor', 'Tool'], 'input.from');
    const to = await existing(e, input.to, [from.type], 'input.to');
    if (from.id === to.id) throw inputError('input.to', 'a record is not associated with itself');
    const side =
      from.type === 'Actor' ? { fromActorId: from.id, toActorId: to.id } : { fromToolId: from.id, toToolId: to.id };
    return recordIn(e, 'Association', input.sources, {
      key: newClaimKey(),
      kind: input.kind,
      ...side,
      ...claimColumns(e, input),
    });
  });

/** Who an attribution names, and when: what a new and a superseding attribution share. */
export type Assessment = NewClaim & {
  actor?: Nullable<GlobalId>;
  attributedToDescription?: Nullable<string>;
  attributedToCountries?: Nullable<string[]>;
  assessedOn?: Nullable<Date>;
};

/** The dates of the sources an input cites (see assessedDate). */
function citedSourceDates(e: Edit, sources: readonly CitationInput[]) {
  const ids = sources.map((s, i) => idOf(s.source, ['Source'], `input.sources.${i}.source`).id);
  // Only what the writer may see: a hidden source is refused when cited, and its date must not count.
  return e.tx.source.findMany({
    where: { id: { in: ids }, ...visibleSource(e.principal.clearance) },
    select: { publishedOn: true, publishedPrecision: true, kind: true },
  });
}

const subjectColumn = { Campaign: 'campaignId', Actor: 'subjectActorId', Tool: 'toolId' } as const;

async function assessment(e: Edit, input: Assessment, subject: { type: string; id: string }) {
  const actor = input.actor != null ? (await existing(e, input.actor, ['Actor'], 'input.actor')).id : null;
  if (!actor && !input.attributedToDescription)
    throw userError(
      'BAD_USER_INPUT',
      'input.actor: give the actor, or attributedToDescription when the source names none.',
      { fields: [{ field: 'input.actor', message: 'required without attributedToDescription' }] },
    );
  if (subject.type === 'Actor' && subject.id === actor)
    throw inputError('input.actor', 'an actor cannot be attributed to itself');
  return {
    key: newClaimKey(),
    [subjectColumn[subject.type as keyof typeof subjectColumn]]: subject.id,
    actorId: actor,
    attributedToDescription: input.attributedToDescription ?? null,
    attributedToCountries: input.attributedToCountries ?? [],
    ...(await assessedDate(input.assessedOn, () => citedSourceDates(e, input.sources))),
    ...claimColumns(e, input),
    status: 'CURRENT' as const,
  };
}

/** Records that a campaign, an actor (as a subgroup) or a tool is the work of an actor: recordAttribution. */
export const recordAttribution = (writer: Writer, input: Assessment & { subject: GlobalId }) =>
  edit(writer.prisma, writer.principal, 'recordAttribution', async (e) => {
    const subject = await existing(e, input.subject, ['Campaign', 'Actor', 'Tool'], 'input.subject');
    return recordIn(e, 'Attribution', input.sources, await assessment(e, input, subject));
  });

/**
 * Replaces an attribution by a later assessment of the same subject, at the version read; the earlier
 * one is kept, SUPERSEDED and linked to the new one: supersedeAttribution.
 */
export const supersedeAttribution = (writer: Writer, input: Assessment & { id: GlobalId; expectedVersion: number }) =>
  edit(writer.prisma, writer.principal, 'supersedeAttribution', async (e) => {
    const { id: oldId } = idOf(input.id, ['Attribution'], 'input.id');
    const old = await e.tx.attribution.findFirst({ where: { id: oldId, ...visibleFact(e.principal.clearance) } });
    if (!old) throw notFound('attribution', 'that ID', 'It may have been deleted.');
    const subject = old.campaignId
      ? { type: 'Campaign', id: old.campaignId }
      : old.subjectActorId
        ? { type: 'Actor', id: old.subjectActorId }
        : { type: 'Tool', id: old.toolId! };
    const created = await recordIn(e, 'Attribution', input.sources, await assessment(e, input, subject));
    await updateAtVersion(e, 'Attribution', oldId, input.expectedVersion, {
      status: 'SUPERSEDED',
      supersededById: created,
    });
    return created;
  });

/**
 * Adds a name to an actor, a campaign or a tool: addName. A name is a claim of that record only, never
 * a merge. Only a name the writer can see is a duplicate: one above their clearance must not be
 * revealed by a refusal, so theirs is recorded beside it (each keeps its own sources).
 */
export const addName = (writer: Writer, input: NewName) => {
  const normalized = normalizeName(input.value);
  if (!normalized) throw inputError('input.value', 'a name needs at least one letter or digit');
  return edit(writer.prisma, writer.principal, 'addName', async (e) => {
    const owner = await existing(e, input.owner, ['Actor', 'Campaign', 'Tool'], 'input.owner');
    const column = nameOwnerColumn[owner.type as keyof typeof nameOwnerColumn];
    // Concurrent additions to one record wait for each other, so that two equal names are not both added.
    await e.tx.$executeRawUnsafe(`SELECT 1 FROM "${owner.type}" WHERE id = $1::uuid FOR UPDATE`, owner.id);
    const visibleTwin = await e.tx.name.findFirst({
      where: { [column]: owner.id, normalized, ...visibleFact(e.principal.clearance) },
    });
    if (visibleTwin)
      throw userError(
        'ALREADY_EXISTS',
        `This ${owner.type.toLowerCase()} already has the name "${input.value}" (names are compared ignoring case, spaces and punctuation).`,
      );
    const coinedById =
      input.coinedBy != null ? (await existing(e, input.coinedBy, ['Organization'], 'input.coinedBy')).id : null;
    const data: Prisma.NameUncheckedCreateInput = {
      value: input.value.trim(),
      normalized,
      [column]: owner.id,
      coinedById,
      note: input.note ?? null,
      tlp: markingFor(e.principal, input.tlp, 'input.tlp'),
    };
    return recordIn(e, 'Name', input.sources ?? [], data);
  });
};
