// Merging two records found to be one, and splitting them back. Nothing is deleted: the absorbed
// record's names, identifiers, citations and claims are moved to the survivor, every moved row is
// listed in the Merge record, and the absorbed record stays, revoked in favour of the survivor (so
// lists and lookups lead to the survivor). A split moves exactly the listed rows back.

import { mostRestricted, tlpLevels } from '../auth/principal.js';
import { notFound, userError } from '../errors.js';
import type { Prisma, Tlp } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { markingFor, type Writer } from './entities.js';
import { newId } from './rules.js';
import { delegateOf, type Edit, edit, updateAtVersion, visibleRowOf } from './transaction.js';

export const mergeable = ['Actor', 'Campaign', 'Tool'] as const;
export type MergeType = (typeof mergeable)[number];

/** mergeRecords' input: two records of one type, each at the version the writer read. */
export type MergeInput = {
  survivor: string | number;
  survivorVersion: number;
  absorbed: string | number;
  absorbedVersion: number;
  /** Why: the evidence that they are one. */
  note?: string | null;
  tlp?: Tlp | null;
};

/** Merges two records found to be one (audited as mergeRecords); returns the merge's database id. */
export async function mergeRecords(writer: Writer, input: MergeInput) {
  const survivor = idOf(input.survivor, mergeable, 'input.survivor');
  const absorbed = idOf(input.absorbed, [survivor.type], 'input.absorbed');
  const merge = await edit(writer.prisma, writer.principal, 'mergeRecords', (e) =>
    mergeIn(
      e,
      survivor.type as MergeType,
      { id: survivor.id, version: input.survivorVersion },
      { id: absorbed.id, version: input.absorbedVersion },
      input.note ?? null,
      markingFor(e.principal, input.tlp, 'input.tlp'),
    ),
  );
  return merge.id;
}

/** Undoes a merge (audited as splitMerge); returns the merge's database id. */
export async function splitMerge(writer: Writer, mergeId: string | number) {
  const { id } = idOf(mergeId, ['Merge'], 'merge');
  await edit(writer.prisma, writer.principal, 'splitMerge', (e) => splitIn(e, id));
  return id;
}

/** Where each type's rows point at their owner: [table, column]. Names are moved unless the survivor has the same name. */
const owned: Record<MergeType, [string, string][]> = {
  Actor: [
    ['Name', 'actorId'],
    ['ExternalId', 'actorId'],
    ['DatasetRecord', 'actorId'],
    ['Citation', 'actorId'],
    ['Attribution', 'actorId'],
    ['Attribution', 'subjectActorId'],
    ['ToolUsage', 'actorId'],
    ['Targeting', 'actorId'],
    ['Association', 'fromActorId'],
    ['Association', 'toActorId'],
  ],
  Campaign: [
    ['Name', 'campaignId'],
    ['ExternalId', 'campaignId'],
    ['DatasetRecord', 'campaignId'],
    ['Citation', 'campaignId'],
    ['Attribution', 'campaignId'],
    ['ToolUsage', 'campaignId'],
    ['Targeting', 'campaignId'],
  ],
  Tool: [
    ['Name', 'toolId'],
    ['ExternalId', 'toolId'],
    ['DatasetRecord', 'toolId'],
    ['Citation', 'toolId'],
    ['Attribution', 'toolId'],
    ['ToolUsage', 'toolId'],
    ['Association', 'fromToolId'],
    ['Association', 'toToolId'],
  ],
};

const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id);

/** Rows of `table` owned (through `column`) by `owner`; names the survivor also carries stay where they are. */
async function ownedRows(e: Edit, table: string, column: string, owner: string, survivor: string) {
  if (table === 'Name') {
    return idsOf(
      await e.tx.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id::text FROM "Name" n WHERE n."${column}" = $1::uuid AND NOT EXISTS (SELECT 1 FROM "Name" s WHERE s."${column}" = $2::uuid AND s.normalized = n.normalized) ORDER BY id`,
        owner,
        survivor,
      ),
    );
  }
  return idsOf(
    await e.tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text FROM "${table}" WHERE "${column}" = $1::uuid ORDER BY id`,
      owner,
    ),
  );
}

const move = (e: Edit, table: string, column: string, ids: string[], from: string, to: string) =>
  ids.length
    ? e.tx.$executeRawUnsafe(
        `UPDATE "${table}" SET "${column}" = $1::uuid WHERE id = ANY($2::uuid[]) AND "${column}" = $3::uuid`,
        to,
        ids,
        from,
      )
    : Promise.resolve(0);

type Versioned = { id: string; version: number };

async function mergeIn(
  e: Edit,
  type: MergeType,
  survivor: Versioned,
  absorbed: Versioned,
  note: string | null,
  tlp: Tlp,
) {
  if (survivor.id === absorbed.id)
    throw userError('BAD_USER_INPUT', 'input.absorbed: a record cannot be merged into itself.', {
      fields: [{ field: 'input.absorbed', message: 'same as survivor' }],
    });
  type Entity = { key: string; revoked: boolean; revokedBy: string | null; tlp: Tlp };
  const target = (await visibleRowOf(e, type, survivor.id)) as Entity | null;
  if (!target) throw notFound(type.toLowerCase(), 'the ID given in input.survivor');
  const before = (await visibleRowOf(e, type, absorbed.id)) as Entity | null;
  if (!before) throw notFound(type.toLowerCase(), 'the ID given in input.absorbed');
  if (await e.tx.merge.findFirst({ where: { absorbedId: absorbed.id, splitAt: null } }))
    throw userError('BAD_USER_INPUT', 'input.absorbed: this record is merged already; split that merge first.');
  if (target.revoked)
    throw userError(
      'BAD_USER_INPUT',
      'input.survivor: a revoked record cannot absorb another; merge into the record that replaced it.',
    );

  const moved: Record<string, string[]> = {};
  for (const [table, column] of owned[type]) {
    const ids = await ownedRows(e, table, column, absorbed.id, survivor.id);
    if (ids.length) moved[`${table}.${column}`] = ids;
    await move(e, table, column, ids, absorbed.id, survivor.id);
  }
  await updateAtVersion(e, type, absorbed.id, absorbed.version, { revoked: true, revokedBy: target.key });
  await updateAtVersion(e, type, survivor.id, survivor.version, {});
  const merge = await e.tx.merge.create({
    data: {
      entityType: type,
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      moved,
      previous: { revoked: before.revoked, revokedBy: before.revokedBy },
      note,
      mergedBy: e.principal.name,
      tlp: await mergeMarking(e, moved, mostRestricted([tlp, target.tlp, before.tlp])),
    },
  });
  e.audit('Merge', merge.id, null, merge);
  return merge;
}

/**
 * A merge's marking: the one given (raised to the two records' own markings), raised to the highest
 * visibility among the names and claims it moved. What a merge lists (its note, its moved rows) is evidence drawn from them.
 */
async function mergeMarking(e: Edit, moved: Record<string, string[]>, given: Tlp): Promise<Tlp> {
  let marking = given;
  for (const [key, ids] of Object.entries(moved)) {
    const table = key.split('.')[0];
    const column = markingColumn[table];
    if (!column) continue;
    const [row] = await e.tx.$queryRawUnsafe<{ max: Tlp | null }[]>(
      `SELECT max("${column}")::text AS max FROM "${table}" WHERE id = ANY($1::uuid[])`,
      ids,
    );
    if (row?.max && tlpLevels.indexOf(row.max) > tlpLevels.indexOf(marking)) marking = row.max;
  }
  return marking;
}
/** The column that says who may see a moved row: facts' visibility, a dataset record's own marking. */
const markingColumn: Record<string, string> = {
  Name: 'visibility',
  Attribution: 'visibility',
  ToolUsage: 'visibility',
  Targeting: 'visibility',
  Association: 'visibility',
  DatasetRecord: 'tlp',
};

async function splitIn(e: Edit, mergeId: string) {
  const merge = (await visibleRowOf(e, 'Merge', mergeId)) as unknown as MergeRow | null;
  if (!merge) throw notFound('merge', 'that ID');
  if (merge.splitAt)
    throw userError(
      'BAD_USER_INPUT',
      `This merge was split already (${merge.splitAt.toISOString()}, by ${merge.splitBy}).`,
    );
  const type = merge.entityType as MergeType;
  for (const [key, ids] of Object.entries(merge.moved as Record<string, string[]>)) {
    const [table, column] = key.split('.');
    if (!owned[type].some(([t, c]) => t === table && c === column)) continue; // only what a merge moves
    // Rows deleted or moved again since stay where they are.
    await move(e, table, column, ids, merge.survivorId, merge.absorbedId);
  }
  const previous = merge.previous as { revoked: boolean; revokedBy: string | null };
  const delegate = delegateOf(e.tx, type);
  for (const [id, data] of [
    [merge.absorbedId, previous],
    [merge.survivorId, {}],
  ] as const) {
    const current = await delegate.findUniqueOrThrow({ where: { id } });
    await updateAtVersion(e, type, id, current.version, data);
  }
  const after = await e.tx.merge.update({
    where: { id: merge.id },
    data: { splitAt: new Date(), splitBy: e.principal.name },
  });
  e.audit('Merge', merge.id, merge, after);
  return after;
}

export type MergeRow = Prisma.MergeGetPayload<object>;

/** One merge an import makes by inference (see resolution.ts): the survivor's and absorbed entity's ids. */
export type InferredMerge = { survivor: string; absorbed: string; note: string };

/**
 * Merges many pairs at once, as mergeIn does each (the same moved rows, Merge rows and audit entries,
 * so that splitMerge undoes each exactly), in a few set-based statements per table instead of ~25
 * statements per pair: an import's 229 merges took 10 s one by one on the embedded database. A
 * survivor appears once per round, so that two names moved to it in one statement cannot collide.
 * Pairs whose survivor or absorbed entity is revoked, or whose absorbed entity is merged already, are
 * left apart.
 */
export async function mergeManyIn(e: Edit, type: MergeType, pairs: InferredMerge[]) {
  const table = `"${type}"`;
  type Entity = { id: string; key: string; revoked: boolean; tlp: Tlp };
  const rows = await e.tx.$queryRawUnsafe<Entity[]>(
    `SELECT id::text, key, revoked, tlp::text AS tlp FROM ${table} WHERE id = ANY($1::uuid[])`,
    [...new Set(pairs.flatMap((p) => [p.survivor, p.absorbed]))],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const merged = new Set(
    (await e.tx.merge.findMany({ where: { absorbedId: { in: pairs.map((p) => p.absorbed) }, splitAt: null } })).map(
      (m) => m.absorbedId,
    ),
  );
  let pending = pairs.filter(
    (p) =>
      byId.get(p.survivor) &&
      byId.get(p.absorbed) &&
      !byId.get(p.survivor)!.revoked &&
      !byId.get(p.absorbed)!.revoked &&
      !merged.has(p.absorbed) &&
      p.survivor !== p.absorbed,
  );
  const done: InferredMerge[] = [];
  while (pending.length) {
    const survivors = new Set<string>();
    const round = pending.filter((p) => !survivors.has(p.survivor) && survivors.add(p.survivor));
    pending = pending.filter((p) => !round.includes(p));
    const moved = new Map<string, Record<string, string[]>>(round.map((p) => [p.absorbed, {}]));
    const absorbedIds = round.map((p) => p.absorbed);
    const survivorIds = round.map((p) => p.survivor);
    for (const [t, column] of owned[type]) {
      // Names the survivor carries already stay where they are (as in ownedRows).
      const keep =
        t === 'Name'
          ? `AND NOT EXISTS (SELECT 1 FROM "Name" s WHERE s."${column}" = p.survivor AND s.normalized = x.normalized)`
          : '';
      const changed = await e.tx.$queryRawUnsafe<{ id: string; absorbed: string }[]>(
        `UPDATE "${t}" x SET "${column}" = p.survivor
           FROM (SELECT unnest($1::uuid[]) AS absorbed, unnest($2::uuid[]) AS survivor) p
          WHERE x."${column}" = p.absorbed ${keep}
          RETURNING x.id::text AS id, p.absorbed::text AS absorbed`,
        absorbedIds,
        survivorIds,
      );
      for (const c of changed) {
        const m = moved.get(c.absorbed)!;
        const key = `${t}.${column}`;
        m[key] = [...(m[key] ?? []), c.id];
      }
    }
    for (const m of moved.values()) for (const ids of Object.values(m)) ids.sort();
    // The absorbed are revoked in favour of their survivors; both go up a version, as updateAtVersion does.
    await e.tx.$executeRawUnsafe(
      `UPDATE ${table} a SET revoked = true, "revokedBy" = s.key, version = a.version + 1, "updatedAt" = now()
         FROM (SELECT unnest($1::uuid[]) AS absorbed, unnest($2::uuid[]) AS survivor) p JOIN ${table} s ON s.id = p.survivor
        WHERE a.id = p.absorbed`,
      absorbedIds,
      survivorIds,
    );
    await e.tx.$executeRawUnsafe(
      `UPDATE ${table} SET version = version + 1, "updatedAt" = now() WHERE id = ANY($1::uuid[])`,
      survivorIds,
    );
    // Each merge marked at least as the rows it moved (mergeMarking), read in one query per table.
    const marking = new Map<string, Tlp>();
    for (const [t, column] of Object.entries(markingColumn)) {
      const ids = [...moved.values()].flatMap((m) =>
        Object.entries(m).flatMap(([k, v]) => (k.startsWith(`${t}.`) ? v : [])),
      );
      if (!ids.length) continue;
      for (const r of await e.tx.$queryRawUnsafe<{ id: string; tlp: Tlp }[]>(
        `SELECT id::text, "${column}"::text AS tlp FROM "${t}" WHERE id = ANY($1::uuid[])`,
        ids,
      ))
        marking.set(r.id, r.tlp);
    }
    const data = round.map((p) => {
      const ids = Object.values(moved.get(p.absorbed)!).flat();
      return {
        id: newId(),
        entityType: type,
        survivorId: p.survivor,
        absorbedId: p.absorbed,
        moved: moved.get(p.absorbed)!,
        previous: { revoked: false, revokedBy: null },
        note: p.note,
        mergedBy: e.principal.name,
        tlp: mostRestricted([
          byId.get(p.survivor)!.tlp,
          byId.get(p.absorbed)!.tlp,
          ...ids.flatMap((id) => (marking.has(id) ? [marking.get(id)!] : [])),
        ]),
      };
    });
    await e.tx.merge.createMany({ data });
    for (const m of await e.tx.merge.findMany({ where: { id: { in: data.map((d) => d.id) } } }))
      e.audit('Merge', m.id, null, m);
    done.push(...round);
  }
  return done;
}
