// "What the sources said by a date" (`knownAt`): a root field asked with `knownAt: "2020-07-01"` answers
// with the intelligence as published up to that day. Below it, names and claims are those with at least
// one cited source published by then (an undated source is not known to have been), the citations those
// published by then, and an attribution superseded by a claim not yet published then is CURRENT (as it
// stood). The date is read from the request before it runs (nested lists plan their SQL before their
// root field's resolver), so every field of one request must ask the same `knownAt`.
import type { ArgBuilder } from '@pothos/core';
import { type DocumentNode, Kind, parse, type SelectionSetNode, type ValueNode } from 'graphql';
import { visibleSql } from '../auth/visibility.js';
import type { builder } from '../builder.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import { Prisma, type Tlp } from '../generated/prisma/client.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

export type View = {
  /** The end of the day the request asks the sources' knowledge at; null: today, everything. */
  knownAt: Date | null;
  /** The moment the request asks the database as it stood at (src/database/as-of.ts); null: now. */
  asOf: Date | null;
  /** Two root fields asked different dates or moments: refused when they run. */
  conflicting: boolean;
  /** `asOf` is earlier than the change log (when it starts; null: the log is empty): refused when they run. */
  beforeLog?: { firstAt: Date | null };
};

export const presentView: View = { knownAt: null, asOf: null, conflicting: false };

/** A `knownAt` as asked (YYYY-MM-DD), as the start of that day; null: not one. */
export const dateOf = (value: unknown): Date | null => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? null : date;
};

const momentOf = (value: unknown): Date | null => {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const moment = new Date(value);
  return Number.isNaN(moment.getTime()) ? null : moment;
};

function argumentValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.STRING) return node.value;
  return undefined;
}

/** The request-wide arguments: read from every root field (stateAt's `asOf` is its own, not the request's). */
const viewArguments = ['knownAt', 'asOf'] as const;
const ownAsOf = new Set(['stateAt']);

/**
 * The `knownAt` and `asOf` a request's root fields ask (checked for format by the Date and DateTime
 * scalars when the request runs).
 */
export function viewOf(
  query: DocumentNode | string | undefined | null,
  variables: Record<string, unknown> | undefined | null,
  operationName?: string | null,
): View {
  let document: DocumentNode;
  try {
    // Most requests ask neither: they are not parsed a second time (yoga parses them itself).
    if (!query || (typeof query === 'string' && !query.includes('knownAt') && !query.includes('asOf')))
      return presentView;
    document = typeof query === 'string' ? parse(query) : query;
  } catch {
    return presentView; // yoga answers the syntax error itself
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return presentView;
  const asked = Object.fromEntries(viewArguments.map((name) => [name, new Set<string>()]));
  let fields = 0;
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
      fields++;
      for (const name of viewArguments) {
        if (name === 'asOf' && ownAsOf.has(selection.name.value)) continue;
        const arg = selection.arguments?.find((a) => a.name.value === name);
        const value = arg ? argumentValue(arg.value, variables ?? {}) : undefined;
        asked[name].add(typeof value === 'string' ? value : '');
      }
    }
  };
  visit(operation.selectionSet);
  // Root fields without the argument (or __typename) beside dated ones would answer of today: refused too.
  if (viewArguments.some((name) => asked[name].size > 1)) return { ...presentView, conflicting: fields > 1 };
  const [known] = asked.knownAt;
  const [moment] = asked.asOf;
  return { knownAt: dateOf(known), asOf: momentOf(moment), conflicting: false };
}

/** Root fields taking `knownAt` and `asOf` call this: a request asking several (or dated and undated fields) is refused. */
export function checkView(ctx: Context) {
  if (ctx.view.conflicting)
    throw userError(
      'BAD_USER_INPUT',
      'Every field of one request must ask the same knownAt and asOf (or none). Ask the other date in another request.',
      { argument: 'knownAt' },
    );
  if (ctx.view.beforeLog) throw beforeLogError(ctx.view.beforeLog.firstAt);
}

/** An `asOf` earlier than the change log (which starts at `since`; null: empty). */
export function beforeLogError(since: Date | null) {
  return userError(
    'BAD_USER_INPUT',
    since
      ? `asOf is earlier than the change log, which starts at ${since.toISOString()}: the database kept no history before. Ask a later moment.`
      : 'asOf: the change log is empty, so the database keeps no history yet. Ask without asOf.',
    { argument: 'asOf', ...(since ? { since: since.toISOString() } : {}) },
  );
}

export const asOfDescription =
  'Answer from the database as it stood at this moment (records, names, claims, citations, statuses and merges as stored then, rebuilt from the change log), so that a platform can reproduce what it was served; everything below follows. A record hidden from you now or then is absent. The same moment for every field of the request; no earlier than the change log starts.';

export const knownAtDescription =
  'Answer as the sources said by this day: names, claims (attributions, tool and technique uses, targetings, associations) and citations only with a source published by then, each attribution as it stood then (superseded by a later report: CURRENT); derived lists (campaigns, tools, victims, techniques) follow from those claims. The same date for every field of the request.';

/** `where` for a citation whose source was published by `known`. */
const publishedCitation = (known: Date) => ({ source: { publishedOn: { lte: known } } });

/** `where` for names and claims published by `known` (at least one cited source published by then); {}: no date. */
export const knownWhere = (known: Date | null) => (known ? { citations: { some: publishedCitation(known) } } : {});

/** `where` for names and claims under the request's `knownAt`. */
export const knownFact = (ctx: Context) => knownWhere(ctx.view.knownAt);

/** `where` for attributions that are CURRENT as they stood at `known` (superseded by one not yet published: CURRENT). */
export const currentWhere = (known: Date | null) =>
  known
    ? {
        OR: [
          { status: 'CURRENT' as const },
          {
            status: 'SUPERSEDED' as const,
            supersededBy: { citations: { none: publishedCitation(known) } },
          },
        ],
      }
    : { status: 'CURRENT' as const };

/** Who reads facts in SQL: the caller's clearance and the request's `knownAt`. */
export type FactScope = { clearance: Tlp; known: Date | null };

/** The request's fact scope: its caller's clearance and its `knownAt`. */
export const factScope = (ctx: Context): FactScope => ({ clearance: ctx.principal.clearance, known: ctx.view.knownAt });

const publishedBy = (known: Date, column: string, id: Prisma.Sql) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "Citation" kc JOIN "Source" ks ON ks.id = kc."sourceId"
    WHERE kc.${Prisma.raw(`"${column}"`)} = ${id} AND ks."publishedOn" <= ${known})`;

/** SQL: the name or claim row `alias` (cited by Citation.`column`) is one the scope reads. */
export function factSql(scope: FactScope, alias: string, column: string) {
  const visible = visibleSql(scope.clearance, alias);
  return scope.known
    ? Prisma.sql`${visible} AND ${publishedBy(scope.known, column, Prisma.raw(`${alias}.id`))}`
    : visible;
}

/** SQL: the attribution `alias` is CURRENT as it stood at the scope's date. */
export function currentSql(scope: FactScope, alias: string) {
  const status = Prisma.raw(`${alias}.status`);
  if (!scope.known) return Prisma.sql`${status} = 'CURRENT'`;
  return Prisma.sql`(${status} = 'CURRENT' OR (${status} = 'SUPERSEDED' AND ${Prisma.raw(`${alias}."supersededById"`)} IS NOT NULL
    AND NOT ${publishedBy(scope.known, 'attributionId', Prisma.raw(`${alias}."supersededById"`))}))`;
}

/** `where` for citations under `known`: their source was published by then; {}: no date. */
export const knownCitationWhere = (known: Date | null) => (known ? publishedCitation(known) : {});

/** `where` for citations under the request's `knownAt`. */
export const knownCitation = (ctx: Context) => knownCitationWhere(ctx.view.knownAt);

/** The `knownAt` and `asOf` arguments every root field that reads the graph takes. */
export const viewArgs = (arg: ArgBuilder<Types>) => ({
  knownAt: arg({ type: 'Date', description: knownAtDescription }),
  asOf: arg({ type: 'DateTime', description: asOfDescription }),
});
