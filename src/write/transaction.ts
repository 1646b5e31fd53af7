// The one write: every way in (mutations, imports, merges) is one transaction that also appends its
// audit entries and announces the change, so readers' caches drop what it made stale. Updates and
// deletes name the version the writer read: a stale version is refused with CONFLICT, never
// overwritten; a row above the writer's clearance is answered as one that does not exist.

import { mostRestricted, type Principal, tlpLevels } from '../auth/principal.js';
import { visibleRow } from '../auth/visibility.js';
import { CHANNEL, changePayloads, graphChanged } from '../database/graph-changes.js';
import type { Db } from '../db.js';
import { notFound, userError } from '../errors.js';
import type { Prisma, Tlp } from '../generated/prisma/client.js';
import { ChangeLog } from './change-log.js';
import { newId } from './rules.js';
import { type GraphChange, Touched } from './touched.js';

export type Tx = Prisma.TransactionClient;
type Row = { id: string; version: number } & Record<string, unknown>;

export type Edit = {
  tx: Tx;
  principal: Principal;
  /**
   * Records one change for the audit log: which record, and its fields before and after (null when
   * created / deleted). Who may read the entry follows from the rows' markings unless `visibility` says.
   */
  audit(entityType: string, entityId: string, before: object | null, after: object | null, visibility?: Tlp): void;
  /** Says whether rows changed that no audit entry of their own records (an import's bulk writes). */
  changed(yes?: boolean): void;
  /** The rows this write touched, for the caches (audited rows are added by `audit`). */
  touched: Touched;
  /** The change log's events of this write (audited rows are added by `audit`; imports add theirs). */
  log: ChangeLog;
};

/**
 * Who may read an audit entry: the highest marking or visibility of the record before and after (a
 * change to a TLP:RED record is TLP:RED itself, whoever reads the log).
 */
export function auditVisibility(...rows: (object | null)[]): Tlp {
  const marks = rows.flatMap((row) =>
    (['tlp', 'visibility'] as const).map((column) => (row as Record<string, unknown> | null)?.[column]),
  );
  return mostRestricted(
    marks.filter((m): m is Tlp => typeof m === 'string' && (tlpLevels as readonly string[]).includes(m)),
  );
}

/**
 * A row's own visibility covers the records a fact names; an organisation it names as coiner or
 * publisher is not among them (the row stays visible, the organisation is hidden where it is shown), but
 * the audit entry holds its id: the entry takes the organisation's marking.
 */
async function markReferences(tx: Tx, entries: Prisma.AuditEntryCreateManyInput[]) {
  const refs = (e: Prisma.AuditEntryCreateManyInput) =>
    [e.before, e.after].flatMap((row) =>
      ['coinedById', 'publisherId']
        .map((c) => (row as Record<string, unknown> | undefined)?.[c])
        .filter((v): v is string => typeof v === 'string'),
    );
  const ids = [...new Set(entries.flatMap(refs))];
  if (!ids.length) return;
  const marking = new Map(
    (
      await tx.organization.findMany({
        where: { id: { in: ids }, tlp: { not: 'CLEAR' } },
        select: { id: true, tlp: true },
      })
    ).map((o) => [o.id, o.tlp]),
  );
  for (const entry of entries)
    entry.visibility = auditVisibility(
      { tlp: entry.visibility },
      ...refs(entry).map((id) => ({ tlp: marking.get(id) ?? 'CLEAR' })),
    );
}

/** Rows as the audit log keeps them: plain JSON (dates as ISO strings, decimals as strings). */
const snapshot = (row: object | null) =>
  row === null ? null : (JSON.parse(JSON.stringify(row)) as Prisma.InputJsonValue);

/** How long a write may take: a mutation is short; an import of a whole dataset is not. */
export type EditOptions = { timeout?: number; maxWait?: number };

/**
 * Runs one write, whichever way it comes in (a mutation, an import, a merge): its changes and audit
 * entries commit together, or nothing does, and a committed change is announced to every process (so
 * that their caches drop what it made stale).
 */
export async function edit<T>(
  prisma: Db,
  principal: Principal,
  operation: string,
  work: (e: Edit) => Promise<T>,
  options: EditOptions = {},
): Promise<T> {
  const role = principal.role;
  if (!role) throw userError('UNAUTHENTICATED', 'Changes need an API key.');
  let change: GraphChange | null = null;
  const result = await prisma.$transaction(async (tx) => {
    // This transaction announces itself (below): the tables' statement triggers stay silent in it.
    await tx.$executeRaw`SELECT set_config('threat_actor.writer_announces', 'on', true)`;
    const entries: Prisma.AuditEntryCreateManyInput[] = [];
    const touched = new Touched();
    const log = new ChangeLog();
    let changedRows = false;
    const out = await work({
      tx,
      principal,
      touched,
      log,
      audit: (entityType, entityId, before, after, visibility) => {
        changedRows = true;
        log.row(entityType, before as Record<string, unknown> | null, after as Record<string, unknown> | null);
        // A merge moves names and claims between entities: its reach is not worked out row by row.
        if (entityType === 'Merge') touched.everything();
        else if (entityType !== 'Import') touched.change(entityType, before as object | null, after as object | null);
        entries.push({
          id: newId(),
          keyId: principal.keyId,
          keyName: principal.name,
          role,
          operation,
          entityType,
          entityId,
          before: snapshot(before) ?? undefined,
          after: snapshot(after) ?? undefined,
          visibility: visibility ?? auditVisibility(before, after),
        });
      },
      changed: (yes = true) => {
        changedRows ||= yes;
      },
    });
    if (entries.length) {
      await markReferences(tx, entries);
      await tx.auditEntry.createMany({ data: entries });
    }
    if (changedRows || log.size) {
      await log.append(tx, operation, principal.name);
      if (touched.empty) touched.everything(); // rows changed that no one named
      change = await touched.entities(tx);
      // Delivered to the other processes only if the transaction commits.
      for (const payload of changePayloads(prisma, change))
        await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${payload})`;
    }
    return out;
  }, options);
  if (change) graphChanged(prisma, change);
  return result;
}

type Delegate = {
  create(args: object): Promise<Row>;
  findFirst(args: object): Promise<Row | null>;
  updateMany(args: object): Promise<{ count: number }>;
  deleteMany(args: object): Promise<{ count: number }>;
  count(args: object): Promise<number>;
  findUniqueOrThrow(args: object): Promise<Row>;
};
/** The Prisma delegate of a model by its name ("ToolUsage" → tx.toolUsage), in a transaction or not. */
export const delegateOf = (tx: Tx | Db, model: string) =>
  (tx as unknown as Record<string, Delegate>)[model.charAt(0).toLowerCase() + model.slice(1)];

const conflict = (what: string, expected: number, current: number) =>
  userError(
    'CONFLICT',
    `The ${what} changed since you read it (you sent version ${expected}, it is at version ${current}). Read it again, then retry your change.`,
    { currentVersion: current },
  );

/** The row as the caller may see it, or null: a row above their clearance is not there for them (reads and writes alike). */
export const visibleRowOf = (e: Edit, model: string, id: string) =>
  delegateOf(e.tx, model).findFirst({ where: { id, ...visibleRow(model, e.principal.clearance) } });

/**
 * The row to change, at the version the client read. A row the caller may not see is answered as one
 * that does not exist, before its version is compared (a CONFLICT would tell that it exists).
 */
async function current(e: Edit, model: string, id: string, expectedVersion: number) {
  const row = await visibleRowOf(e, model, id);
  if (!row) throw notFound(model.toLowerCase(), 'that ID', 'It may have been deleted.');
  if (row.version !== expectedVersion) throw conflict(model.toLowerCase(), expectedVersion, row.version);
  return row;
}

/** A concurrent change committed first (the versioned write matched no row): say which, from the row as it is now. */
async function lostRace(e: Edit, model: string, id: string, expectedVersion: number): Promise<never> {
  const now = await visibleRowOf(e, model, id);
  if (!now) throw notFound(model.toLowerCase(), 'that ID', 'It was deleted meanwhile.');
  throw conflict(model.toLowerCase(), expectedVersion, now.version);
}

/** Updates a record at the version the client read; the version goes up by one. */
export async function updateAtVersion(
  e: Edit,
  model: string,
  id: string,
  expectedVersion: number,
  changes: object | ((before: Row) => object),
) {
  const delegate = delegateOf(e.tx, model);
  const before = await current(e, model, id, expectedVersion);
  const data = typeof changes === 'function' ? changes(before) : changes;
  // The version in the condition makes a concurrent update that committed first win: this one then
  // matches no row (PostgreSQL re-reads the row after waiting for the other's lock).
  const { count } = await delegate.updateMany({
    where: { id, version: expectedVersion },
    data: { ...data, version: { increment: 1 } },
  });
  if (count === 0) await lostRace(e, model, id, expectedVersion);
  const after = await delegate.findUniqueOrThrow({ where: { id } });
  e.audit(model, id, before, after);
  return after;
}

/** Deletes a record at the version the client read (its names, claims and citations go with it). */
export async function deleteAtVersion(e: Edit, model: string, id: string, expectedVersion: number) {
  const delegate = delegateOf(e.tx, model);
  const before = await current(e, model, id, expectedVersion);
  const { count } = await delegate.deleteMany({ where: { id, version: expectedVersion } });
  if (count === 0) await lostRace(e, model, id, expectedVersion);
  e.audit(model, id, before, null);
  // Its names, claims and citations went with it (cascades), each in answers of its own.
  e.touched.everything();
  return before;
}
