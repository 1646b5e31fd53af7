// The change log as the API serves it: `changes` (what changed since a time or a cursor, for
// platforms that poll), `history(of:)` (every change to an entity, its names and its claims) and
// `subscription { changes }` (the same events as they commit, resumable from a cursor). One reading of
// the log (ChangeEvent, appended by the write layer: src/write/change-log.ts) serves all three.
//
// Clearance: an event is read when its own marking (the row's, before and after the change) is within
// the caller's clearance and nothing it concerns is hidden from the caller now (a record marked RED
// after it was created: its creation is not in a GREEN caller's log either). Counts agree with pages.

import { Repeater } from 'graphql-yoga';
import { builder, pageSize } from '../builder.js';
import type { Context } from '../context.js';
import { onGraphChange } from '../database/graph-changes.js';
import { userError } from '../errors.js';
import { ChangeKind, Prisma, type Source as SourceModel, type Tlp } from '../generated/prisma/client.js';
import { encodeId, idOf } from '../global-id.js';
import { claimModels, loggedModels } from '../write/change-log.js';
import { Actor } from './actor.js';
import { Association } from './association.js';
import { Attribution } from './attribution.js';
import { Campaign } from './campaign.js';
import { Merge } from './merge.js';
import { Name } from './name.js';
import { Organization } from './organization.js';
import { selectedRows } from './selected-rows.js';
import { Source } from './source.js';
import { Targeting } from './targeting.js';
import { Tactic, Technique, TechniqueUse } from './technique.js';
import { Tool } from './tool.js';
import { ToolUsage } from './tool-usage.js';
import { tagged, tagOf } from './typed.js';
import { Victim } from './victim.js';

export type ChangeEventRow = {
  seq: bigint;
  at: Date;
  kind: ChangeKind;
  entityType: string;
  entityId: string;
  fields: string[] | null;
  sourcesAdded: string[] | null;
  sourcesWithdrawn: string[] | null;
  operation: string;
  keyName: string;
  state: unknown;
};

export const ChangeKindEnum = builder.enumType(ChangeKind, {
  name: 'ChangeKind',
  description: 'What a change did to an entity, a name, a claim or a source.',
});

const ChangedRecord = builder.unionType('ChangedRecord', {
  description: 'What a change event is about: an entity, a name, a claim, a source or a merge.',
  types: () => [
    Actor,
    Campaign,
    Tool,
    Victim,
    Technique,
    Tactic,
    Organization,
    Source,
    Name,
    Attribution,
    ToolUsage,
    Targeting,
    Association,
    TechniqueUse,
    Merge,
  ],
  resolveType: (row) => tagOf(row),
});

/** A change's cursor: its place in the log, which later events never move. */
export const changeCursor = (seq: bigint) => Buffer.from(`change:${seq}`).toString('base64');

export function seqOfCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64').toString();
  const match = /^change:(\d{1,19})$/.exec(text);
  if (!match)
    throw userError(
      'INVALID_PAGE_ARGUMENT',
      `Invalid cursor: ${cursor}. Pass a cursor a change event gave (its \`cursor\`, or a page's endCursor).`,
      { argument: 'after' },
    );
  return BigInt(match[1]);
}

export type ChangeFilter = {
  since?: Date | null;
  after?: bigint | null;
  kinds?: ChangeKind[] | null;
  /** The database id of a record: only the changes that concern it. */
  concerning?: string | null;
};

/** The SQL conditions of a reading of the log for `clearance` (see the top of the file). */
function changeWhere(filter: ChangeFilter, clearance: Tlp) {
  const conditions = [Prisma.sql`e.visibility <= ${clearance}::"Tlp"`];
  if (clearance !== 'RED')
    conditions.push(Prisma.sql`NOT (e.concerns && (SELECT "hidden_records"(${clearance}::"Tlp")))`); // once per statement
  if (filter.since) conditions.push(Prisma.sql`e.at >= ${filter.since}`);
  if (filter.after != null) conditions.push(Prisma.sql`e.seq > ${filter.after}`);
  if (filter.kinds?.length) conditions.push(Prisma.sql`e.kind = ANY(${filter.kinds}::"ChangeKind"[])`);
  if (filter.concerning) conditions.push(Prisma.sql`e.concerns @> ARRAY[${filter.concerning}::uuid]`);
  return Prisma.join(conditions, ' AND ');
}

/** One page of the log in commit order, and (when asked) how many events match. */
export async function readChanges(ctx: Context, filter: ChangeFilter, limit: number) {
  const where = changeWhere(filter, ctx.principal.clearance);
  return ctx.prisma.$queryRaw<ChangeEventRow[]>`
    SELECT e.seq, e.at, e.kind, e."entityType", e."entityId", e.fields, e."sourcesAdded",
           e."sourcesWithdrawn", e.operation, e."keyName", e.state
    FROM "ChangeEvent" e WHERE ${where} ORDER BY e.seq LIMIT ${limit}`;
}

export async function countChanges(ctx: Context, filter: ChangeFilter) {
  const where = changeWhere(filter, ctx.principal.clearance);
  const [row] = await ctx.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "ChangeEvent" e WHERE ${where}`;
  return Number(row.n);
}

type SourceRow = SourceModel;

export const ChangeEvent = builder.objectRef<ChangeEventRow>('ChangeEvent').implement({
  description:
    'One change in the change log: an entity, a name, a claim or a source created, changed or deleted, by a mutation or an import.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Where this event stands in the log: pass it as `after` to read (or subscribe to) what came next.',
      resolve: (e) => changeCursor(e.seq),
    }),
    at: t.field({ type: 'DateTime', description: 'When the change was written.', resolve: (e) => e.at }),
    kind: t.field({ type: ChangeKindEnum, resolve: (e) => e.kind }),
    entityType: t.string({
      description: 'The changed record\'s type ("Actor", "Name", "Attribution" ...).',
      resolve: (e) => e.entityType,
    }),
    entityId: t.id({
      description: "The changed record's global ID (kept when the record is deleted).",
      resolve: (e) => encodeId(e.entityType, e.entityId),
    }),
    entity: t.field({
      type: ChangedRecord,
      nullable: true,
      description: 'The changed record as it is now; null when it was deleted.',
      resolve: async (e, _args, ctx) => {
        const [row] = await selectedRows<typeof ChangedRecord.$inferType>(ctx, e.entityType, {}, [e.entityId]);
        return row ? tagged(e.entityType, row) : null;
      },
    }),
    fields: t.stringList({
      description:
        'The fields the change set (all on creation; those whose values changed on update; "sources" when only citations changed).',
      resolve: (e) => e.fields ?? [],
    }),
    sourcesAdded: t.prismaField({
      type: ['Source'],
      description: 'Sources the record cites since this change (those you may read), in the order they were cited.',
      resolve: (query, e, _args, ctx) => selectedRows<SourceRow>(ctx, 'Source', query, e.sourcesAdded ?? []),
    }),
    sourcesWithdrawn: t.prismaField({
      type: ['Source'],
      description: 'Sources the record no longer cites after this change (those you may read).',
      resolve: (query, e, _args, ctx) => selectedRows<SourceRow>(ctx, 'Source', query, e.sourcesWithdrawn ?? []),
    }),
    operation: t.string({
      description: 'What made the change: the mutation ("updateActor") or the import ("seed", "import").',
      resolve: (e) => e.operation,
    }),
    by: t.string({ description: 'The API key (or local operator) that made it, by name.', resolve: (e) => e.keyName }),
    state: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'The record as the database stored it once the change committed (its columns; null when deleted): what a reader was served from then on.',
      resolve: (e) => e.state ?? null,
    }),
  }),
});

/** A page of the log as a connection: cursors are the events' own (stable as the log grows). */
async function changePage(ctx: Context, filter: ChangeFilter, first: number | null | undefined) {
  pageSize({ first }, ctx);
  const size = first ?? ctx.config.pageSize.default;
  const [rows, totalCount] = await Promise.all([readChanges(ctx, filter, size + 1), countChanges(ctx, filter)]);
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: changeCursor(node.seq), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? (filter.after != null ? changeCursor(filter.after) : null),
      hasPreviousPage: filter.after != null,
      hasNextPage: rows.length > size,
    },
  };
}

const ChangeConnection = builder.connectionObject(
  {
    type: ChangeEvent,
    name: 'ChangeEventConnection',
    fields: (t) => ({
      totalCount: t.int({
        description:
          'How many events match after the cursor you gave (all of them without one): what is left to read from there, this page included.',
        resolve: (c) => (c as unknown as { totalCount: number }).totalCount,
      }),
    }),
  },
  { name: 'ChangeEventEdge' },
);

/** The record a history or a feed is asked of: any record the change log has events about. */
export const concerningId = (id: string | number) => idOf(id, [...loggedModels], 'of').id;

builder.queryField('changes', (t) =>
  t.field({
    type: ChangeConnection,
    description:
      'The change log in commit order: every change to entities, names, claims and sources you may read. Poll with `after:` (the last cursor you read): nothing is missed or repeated.',
    args: {
      since: t.arg({ type: 'DateTime', description: 'Only changes written at or after this time.' }),
      after: t.arg.string({
        description: "Only changes after this cursor (a change event's `cursor`, or a page's endCursor).",
      }),
      types: t.arg({ type: [ChangeKindEnum], description: 'Only these kinds of change.' }),
      entity: t.arg.id({ description: "Only changes concerning this record (its own, its names' and its claims')." }),
      first: t.arg.int({ description: 'Page size.' }),
    },
    resolve: (_root, args, ctx) =>
      changePage(
        ctx,
        {
          since: args.since,
          after: args.after ? seqOfCursor(args.after) : null,
          kinds: args.types,
          concerning: args.entity != null ? concerningId(args.entity) : null,
        },
        args.first,
      ),
  }),
);

builder.queryField('history', (t) =>
  t.field({
    type: ChangeConnection,
    description:
      'Every change to a record, its names and its claims (and merges and splits it took part in), in the order they were made, with who or which import made each and the sources added or withdrawn.',
    args: {
      of: t.arg.id({ required: true, description: 'The record (any global ID).' }),
      after: t.arg.string({ description: 'Only changes after this cursor.' }),
      types: t.arg({ type: [ChangeKindEnum], description: 'Only these kinds of change.' }),
      first: t.arg.int({ description: 'Page size.' }),
    },
    resolve: (_root, args, ctx) =>
      changePage(
        ctx,
        { after: args.after ? seqOfCursor(args.after) : null, kinds: args.types, concerning: concerningId(args.of) },
        args.first,
      ),
  }),
);

/** The change streams open over a database, ended when the server shuts down (they never end themselves). */
const openStreams = new WeakMap<Context['prisma'], Set<() => void>>();

/** Ends every change stream over `prisma`: each subscriber's response completes, so the server can drain. */
export function endChangeStreams(prisma: Context['prisma']) {
  for (const end of [...(openStreams.get(prisma) ?? [])]) end();
}

/** How often a subscription looks at the log when it heard of no change (a missed notification, a lagging replica). */
const POLL_MS = 5_000;
/** Events read per look at the log. */
const BATCH = 100;

/**
 * The events after `after` (or after the latest when the subscription starts), then each event as its
 * write commits, read from the log (never from the notification itself, so a reconnecting client that
 * passes its last cursor gets exactly what it missed). Woken by every change this process hears of, in
 * process or from other processes (NOTIFY), and every POLL_MS at the latest; stopped as soon as the
 * client goes (yoga's Repeater: a plain generator would sleep on until its next wake-up).
 */
export function changeStream(ctx: Context, filter: ChangeFilter) {
  return new Repeater<ChangeEventRow>(async (push, stop) => {
    let wake: (() => void) | null = null;
    let changed = true;
    let stopped = false;
    const streams = openStreams.get(ctx.prisma) ?? openStreams.set(ctx.prisma, new Set()).get(ctx.prisma)!;
    const end = () => stop();
    streams.add(end);
    void stop.then(() => {
      stopped = true;
      streams.delete(end);
      wake?.();
    });
    const off = onGraphChange(ctx.prisma, () => {
      changed = true;
      wake?.();
    });
    try {
      let after = filter.after;
      if (after == null) {
        const [latest] = await ctx.prisma.$queryRaw<
          { seq: bigint | null }[]
        >`SELECT max(seq) AS seq FROM "ChangeEvent"`;
        after = latest.seq ?? 0n;
      }
      while (!stopped) {
        if (!changed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, POLL_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
          if (stopped) break;
        }
        changed = false;
        const rows = await readChanges(ctx, { ...filter, after }, BATCH);
        for (const row of rows) {
          if (stopped) break;
          // A subscription's context lives as long as it does: each event reads its record afresh.
          ctx.loaders.memo.clear();
          await push(row);
          after = row.seq;
        }
        if (rows.length === BATCH) changed = true; // more to read at once
      }
    } catch (error) {
      if (!stopped) throw error;
    } finally {
      off();
      stop();
    }
  });
}

builder.subscriptionType({ description: 'Live feeds, over Server-Sent Events (Accept: text/event-stream).' });

builder.subscriptionField('changes', (t) =>
  t.field({
    type: ChangeEvent,
    description:
      'Each change you may read as it commits (by any process). Pass `after` (the last cursor you received) to resume: the events missed meanwhile come first, none twice.',
    args: {
      after: t.arg.string({ description: 'Resume after this cursor; without it, from now.' }),
      types: t.arg({ type: [ChangeKindEnum], description: 'Only these kinds of change.' }),
      entity: t.arg.id({ description: 'Only changes concerning this record.' }),
    },
    subscribe: (_root, args, ctx) =>
      changeStream(ctx, {
        after: args.after ? seqOfCursor(args.after) : null,
        kinds: args.types,
        concerning: args.entity != null ? concerningId(args.entity) : null,
      }),
    resolve: (row) => row,
  }),
);

type StoredRow = {
  entityType: string;
  entityId: string;
  kind: ChangeKind;
  at: Date;
  state: Record<string, unknown> | null;
};

/** One name, claim or merge as stored at a moment: its type, its global ID and its columns then. */
const StoredRecord = builder.objectRef<StoredRow>('StoredRecord').implement({
  description: 'A row as the database stored it at a moment, read from the change log.',
  fields: (t) => ({
    type: t.string({ resolve: (r) => r.entityType }),
    id: t.id({ resolve: (r) => encodeId(r.entityType, r.entityId) }),
    changedAt: t.field({
      type: 'DateTime',
      description: 'When it was last changed before that moment.',
      resolve: (r) => r.at,
    }),
    state: t.field({ type: 'JSON', description: 'Its columns then.', resolve: (r) => r.state }),
  }),
});

const RecordState = builder.objectRef<{ record: StoredRow | null; related: StoredRow[] }>('RecordState').implement({
  description:
    'A record, its names, its claims and the merges it took part in, as the database held them at a moment (rows deleted by then left out).',
  fields: (t) => ({
    record: t.field({ type: StoredRecord, nullable: true, resolve: (s) => s.record }),
    names: t.field({ type: [StoredRecord], resolve: (s) => s.related.filter((r) => r.entityType === 'Name') }),
    claims: t.field({
      type: [StoredRecord],
      resolve: (s) => s.related.filter((r) => claimModels.has(r.entityType)),
    }),
    merges: t.field({ type: [StoredRecord], resolve: (s) => s.related.filter((r) => r.entityType === 'Merge') }),
  }),
});

builder.queryField('stateAt', (t) =>
  t.field({
    type: RecordState,
    description:
      'What the database held about a record at a moment (`asOf`): the record, its names, its claims and its merges with their columns as stored then, read from the change log, so that a platform can reproduce what it was served. Rows you may not see are left out, as everywhere.',
    args: {
      of: t.arg.id({ required: true, description: 'The record (any global ID).' }),
      asOf: t.arg({ type: 'DateTime', required: true, description: 'The moment.' }),
    },
    resolve: async (_root, args, ctx) => {
      const id = concerningId(args.of);
      const where = changeWhere({ concerning: id }, ctx.principal.clearance);
      const rows = await ctx.prisma.$queryRaw<StoredRow[]>`
        SELECT * FROM (
          SELECT DISTINCT ON (e."entityType", e."entityId") e."entityType", e."entityId", e.kind, e.at, e.state
            FROM "ChangeEvent" e WHERE ${where} AND e.at <= ${args.asOf}
           ORDER BY e."entityType", e."entityId", e.seq DESC) latest
         WHERE state IS NOT NULL ORDER BY "entityType", at, "entityId"`;
      return {
        record: rows.find((r) => r.entityId === id) ?? null,
        related: rows.filter((r) => r.entityId !== id),
      };
    },
  }),
);
