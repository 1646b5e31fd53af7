// The change log (the ChangeEvent table): what each write did, as typed events a reader can page, resume
// and subscribe to (`changes`, `history`, `subscription { changes }`, TAXII's added_after). The one
// write layer appends them in the write's own transaction, mutations and imports alike: an event exists
// exactly when its change committed.
//
// Events are per record a reader knows (an entity, a name, a claim, a source, a merge); a citation is not
// an event of its own but the sources a claim, a name or an entity's attribute gained or lost. Several
// changes to one row in one write are one event (a claim recorded with its three sources is one
// CLAIM_RECORDED naming them).
//
// Order: a reader resumes after the last `seq` it saw, so `seq` must follow commit order. The write
// numbers its events last, under a transaction lock held until it commits: a later `seq` is always a
// later commit, and no reader can see a `seq` while a smaller one is still to commit.
import { mostRestricted, tlpLevels } from '../auth/principal.js';
import type { ChangeKind, Tlp } from '../generated/prisma/client.js';
import { insertMany } from './bulk-insert.js';
import { referenceColumns } from './touched.js';
import type { Tx } from './transaction.js';

type Row = Record<string, unknown>;

const entityModels = new Set(['Actor', 'Campaign', 'Tool', 'Victim', 'Technique', 'Tactic', 'Organization']);
export const claimModels = new Set(['Attribution', 'ToolUsage', 'Targeting', 'Association', 'TechniqueUse']);
/** The models whose rows are events (a Citation changes the sources of the row it belongs to). */
export const loggedModels = new Set([...entityModels, ...claimModels, 'Name', 'Source', 'Merge']);
/** Records a history can be asked of: a change concerns the row itself and those of these it names. */
const historySubjects = new Set([...entityModels, 'Source']);

/** The column of a citation that names the row it supports, by that row's model. */
const citationTargets: Record<string, string> = {
  nameId: 'Name',
  attributionId: 'Attribution',
  toolUsageId: 'ToolUsage',
  targetingId: 'Targeting',
  associationId: 'Association',
  techniqueUseId: 'TechniqueUse',
  actorId: 'Actor',
  campaignId: 'Campaign',
  toolId: 'Tool',
  victimId: 'Victim',
};

/** Columns that change with every write or only mirror others: never "fields changed". */
const bookkeeping = new Set(['id', 'version', 'updatedAt', 'createdAt', 'searchText', 'visibility', 'key']);

type Pending = {
  created: boolean;
  deleted: boolean;
  kind: ChangeKind | null;
  entityType: string;
  entityId: string;
  row: Row | null;
  fields: Set<string>;
  concerns: Set<string>;
  sourcesAdded: Set<string>;
  sourcesWithdrawn: Set<string>;
  visibility: Tlp[];
  /** The row as stored at the end of the write (null: deleted). */
  stored?: Row | null;
};

const isTlp = (v: unknown): v is Tlp => typeof v === 'string' && (tlpLevels as readonly string[]).includes(v);

/** The fields whose values differ between two versions of a row (JSON-compared: dates, arrays). */
export function changedFields(before: Row, after: Row): string[] {
  return Object.keys(after).filter(
    (k) => !bookkeeping.has(k) && k in before && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

const statusKind = (before: Row | null, after: Row): ChangeKind | null => {
  const was = before?.status;
  if (after.status === 'RETRACTED' && was !== 'RETRACTED') return 'CLAIM_RETRACTED';
  const superseded = after.status === 'SUPERSEDED' || after.supersededById != null;
  const wasSuperseded = was === 'SUPERSEDED' || before?.supersededById != null;
  if (superseded && !wasSuperseded) return 'CLAIM_SUPERSEDED';
  return null;
};

function kindOf(p: Pending, before: Row | null): ChangeKind {
  const t = p.entityType;
  const after = p.row;
  if (t === 'Merge') return p.created ? 'ENTITY_MERGED' : after?.splitAt ? 'ENTITY_SPLIT' : 'ENTITY_UPDATED';
  const [created, updated, deleted] =
    t === 'Name'
      ? (['NAME_ADDED', 'NAME_UPDATED', 'NAME_REMOVED'] as const)
      : t === 'Source'
        ? (['SOURCE_ADDED', 'SOURCE_UPDATED', 'SOURCE_DELETED'] as const)
        : claimModels.has(t)
          ? (['CLAIM_RECORDED', 'CLAIM_UPDATED', 'CLAIM_DELETED'] as const)
          : (['ENTITY_CREATED', 'ENTITY_UPDATED', 'ENTITY_DELETED'] as const);
  if (p.deleted) return p.created ? created : deleted;
  if (p.created) return created;
  if (after && claimModels.has(t)) return statusKind(before, after) ?? updated;
  if (after && entityModels.has(t) && after.revoked === true && before?.revoked !== true) return 'ENTITY_REVOKED';
  return updated;
}

/** The changes of one write, gathered as it goes and appended as events when it is done. */
export class ChangeLog {
  private pending = new Map<string, Pending>();

  private entry(entityType: string, entityId: string): Pending {
    const k = `${entityType}:${entityId}`;
    let p = this.pending.get(k);
    if (!p) {
      p = {
        created: false,
        deleted: false,
        kind: null,
        entityType,
        entityId,
        row: null,
        fields: new Set(),
        concerns: new Set([entityId]),
        sourcesAdded: new Set(),
        sourcesWithdrawn: new Set(),
        visibility: [],
      };
      this.pending.set(k, p);
    }
    return p;
  }

  private remember(p: Pending, row: Row | null) {
    if (!row) return;
    for (const [column, model] of Object.entries(referenceColumns))
      if (historySubjects.has(model) && typeof row[column] === 'string') p.concerns.add(row[column] as string);
    if (p.entityType === 'Merge')
      for (const column of ['survivorId', 'absorbedId'])
        if (typeof row[column] === 'string') p.concerns.add(row[column] as string);
    for (const column of ['tlp', 'visibility']) if (isTlp(row[column])) p.visibility.push(row[column]);
  }

  /**
   * A row created (`before` null), changed or deleted (`after` null). `fields` says what changed when
   * the caller knows (an import's update); otherwise it is worked out from the two versions.
   */
  row(entityType: string, before: Row | null, after: Row | null, fields?: string[]) {
    if (entityType === 'Citation') return this.citation(before, after);
    if (!loggedModels.has(entityType)) return;
    if (entityType === 'Merge') this.mergedRows(before, after);
    const id = ((after ?? before)?.id as string | undefined) ?? null;
    if (!id) return;
    const p = this.entry(entityType, id);
    if (!before && !p.row) p.created = true;
    if (!after) p.deleted = true;
    const changed = fields ?? (before && after ? changedFields(before, after) : Object.keys(after ?? before ?? {}));
    for (const f of changed) if (!bookkeeping.has(f)) p.fields.add(f);
    this.remember(p, before);
    this.remember(p, after);
    const kind = kindOf({ ...p, row: after ?? before }, before);
    // The strongest thing the write did to the row: recorded, then superseded, is a claim recorded.
    if (!p.kind || (!p.created && kind !== 'CLAIM_UPDATED' && kind !== 'ENTITY_UPDATED' && kind !== 'NAME_UPDATED'))
      p.kind = kind;
    p.row = after ?? before;
  }

  /**
   * The names and claims a merge moved to its survivor (or a split moved back): each an update of the
   * column that names its owner, so that the survivor's history and state show them.
   */
  private mergedRows(before: Row | null, after: Row | null) {
    const merge = (after ?? before)!;
    const moved = merge.moved as Record<string, string[]> | undefined;
    const [survivor, absorbed] = [merge.survivorId, merge.absorbedId];
    if (!moved || typeof survivor !== 'string' || typeof absorbed !== 'string') return;
    const split = Boolean(before && after && !before.splitAt && after.splitAt);
    if (before && !split) return;
    const [from, to] = split ? [survivor, absorbed] : [absorbed, survivor];
    for (const [key, ids] of Object.entries(moved)) {
      const [table, column] = key.split('.');
      if (table === 'Merge' || !loggedModels.has(table)) continue;
      for (const id of ids) this.row(table, { id, [column]: from }, { id, [column]: to }, [column]);
    }
  }

  /** A citation added or withdrawn: the sources of the row it supports changed. */
  private citation(before: Row | null, after: Row | null) {
    const citation = (after ?? before)!;
    const target = Object.entries(citationTargets).find(([column]) => typeof citation[column] === 'string');
    if (!target || typeof citation.sourceId !== 'string') return;
    const [column, model] = target;
    const p = this.entry(model, citation[column] as string);
    const source = citation.sourceId as string;
    if (before && after) return; // an excerpt changed: the sources did not
    if (after) {
      if (!p.sourcesWithdrawn.delete(source)) p.sourcesAdded.add(source);
    } else if (!p.sourcesAdded.delete(source)) p.sourcesWithdrawn.add(source);
    p.fields.add(typeof citation.field === 'string' ? citation.field : 'sources');
    p.concerns.add(source);
  }

  get size() {
    return this.pending.size;
  }

  /**
   * Appends the events, numbered after every committed write's (see the top of the file). Rows known
   * only through their citations are read for what they concern; every row still there is read for
   * its marking as it stands once the write's triggers ran (a claim's visibility follows its sources).
   */
  async append(tx: Tx, operation: string, keyName: string) {
    const events = [...this.pending.values()];
    this.pending = new Map();
    if (!events.length) return;
    const byModel = new Map<string, Pending[]>();
    for (const p of events)
      if (!p.deleted) (byModel.get(p.entityType) ?? byModel.set(p.entityType, []).get(p.entityType)!).push(p);
    for (const [model, list] of byModel) {
      const rows = await tx.$queryRawUnsafe<Row[]>(
        `SELECT * FROM "${model}" WHERE id = ANY($1::uuid[])`,
        list.map((p) => p.entityId),
      );
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const p of list) {
        const row = byId.get(p.entityId);
        this.remember(p, row ?? null);
        if (!p.row && row) {
          p.row = row;
          p.kind ??= kindOf(p, row);
        }
        p.stored = row ?? null;
      }
    }
    // An update that changed nothing a reader sees (a version bump, search text) is no event.
    const said = (p: Pending) =>
      p.fields.size > 0 || p.sourcesAdded.size > 0 || p.sourcesWithdrawn.size > 0 || !p.kind?.endsWith('_UPDATED');
    const rows = events
      .filter((p) => (p.kind || p.sourcesAdded.size || p.sourcesWithdrawn.size) && said(p))
      .map((p) => ({
        kind: p.kind ?? kindOf(p, p.row),
        entityType: p.entityType,
        entityId: p.entityId,
        concerns: [...p.concerns],
        fields: [...p.fields].sort(),
        sourcesAdded: [...p.sourcesAdded],
        sourcesWithdrawn: [...p.sourcesWithdrawn],
        operation,
        keyName,
        visibility: mostRestricted(p.visibility),
        // The row as the database holds it now that the write is done (its triggers ran).
        state: p.stored ?? null,
      }));
    // One time for every event of the write, read once the lock is held: a moment (`asOf`, `since`)
    // never falls between two events of one write.
    const [{ at }] = await tx.$queryRaw<{ at: string }[]>`
      WITH locked AS MATERIALIZED (SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK}))
      SELECT clock_timestamp()::text AS at FROM locked`;
    await insertMany(
      tx,
      'ChangeEvent',
      rows.map((row) => ({ ...row, at })),
    );
  }
}

/** The transaction lock that numbers events in commit order (any constant no other lock uses). */
const CHANGE_LOG_LOCK = 7_310_019;
