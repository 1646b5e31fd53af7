// Connections over lists computed in memory (derived views, ranked search), with the same page-size
// rules, cursors and totalCount as the database-backed ones.

import { queryFromInfo } from '@pothos/plugin-prisma';
import { offsetForArgs, offsetToCursor, resolveArrayConnection } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import { type builder, pageSize } from '../builder.js';
import type { Context } from '../context.js';
import type { Campaign, Targeting, ToolUsage } from '../generated/prisma/client.js';
import type { Derived } from './derived-loaders.js';
import { ids, selectedRows } from './selected-rows.js';

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

/** Pages `items`; each edge keeps the whole item (for edge fields) and shows `toNode(item)` as its node. */
export function arrayConnection<T, N>(args: PageArgs, ctx: Context, items: T[], toNode: (item: T) => N) {
  pageSize(args, ctx);
  const connection = resolveArrayConnection(
    { args, defaultSize: ctx.config.pageSize.default, maxSize: ctx.config.pageSize.max },
    items,
  );
  return {
    ...connection,
    totalCount: items.length,
    edges: connection.edges
      .flatMap((edge) => (edge == null ? [] : [edge]))
      .map((edge) => ({ cursor: edge.cursor, item: edge.node, node: toNode(edge.node) })),
  };
}

/**
 * Which window of a list of `totalCount` items the page arguments ask for (Relay's offset rules, with
 * the configured page sizes): what a list paged in SQL reads.
 */
export function pageWindow(args: PageArgs, pageSizes: { default: number; max: number }, totalCount: number) {
  const { offset, expectedSize } = offsetForArgs({
    args,
    defaultSize: pageSizes.default,
    maxSize: pageSizes.max,
    totalCount,
  });
  return { offset, limit: expectedSize };
}

/** A connection over one window of a list the database paged (offset cursors, as arrayConnection's). */
export function windowConnection<T, N>(
  args: PageArgs,
  ctx: Context,
  page: { items: T[]; offset: number; totalCount: number },
  toNode: (item: T) => N,
) {
  pageSize(args, ctx);
  const edges = page.items.map((item, i) => ({ cursor: offsetToCursor(page.offset + i), item, node: toNode(item) }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: page.offset > 0,
      hasNextPage: page.offset + edges.length < page.totalCount,
    },
  };
}

/**
 * The loader key of a derived page: the view, the page arguments, and the query its records are read
 * with (the selection the request makes under the connection's nodes; none: whole rows).
 */
export const pageKey = (view: string, args: PageArgs, query: object | null = null) =>
  `${view}:${JSON.stringify({ first: args.first ?? null, last: args.last ?? null, after: args.after ?? null, before: args.before ?? null, query })}`;

/** The item an edge of an arrayConnection was built from. */
export const itemOf = <T>(edge: unknown) => (edge as { item: T }).item;

/** The field builder of connection and edge types, typed from the schema builder (no `any`). */
export type ObjectFields = PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, unknown>;

/** Connection-type options adding `totalCount` to a connection built by arrayConnection. */
export const totalCountField = {
  // Pothos types the connection builder per field; this one field reads a property arrayConnection sets.
  fields: (t: ObjectFields) => ({
    totalCount: t.int({
      description: 'How many items there are in all pages.',
      resolve: (c) => (c as { totalCount: number }).totalCount,
    }),
  }),
};

/** Edge-type options for an actor's derived tools or victims: `direct`, `via` and the claims behind the edge. */
export function derivedEdgeFields(claimType: 'ToolUsage' | 'Targeting', what: string) {
  const item = (edge: unknown) => itemOf<Derived<unknown, unknown>>(edge);
  return {
    fields: (e: ObjectFields) => ({
      direct: e.boolean({
        description: 'True when a claim names this actor itself; false when only derived through campaigns.',
        resolve: (edge) => item(edge).direct,
      }),
      via: e.prismaField({
        type: ['Campaign'],
        description: `Campaigns attributed to the actor that ${what}.`,
        resolve: (query, edge, _args, ctx) =>
          selectedRows<Campaign>(ctx, 'Campaign', query, ids(item(edge).via as Campaign[])),
      }),
      claims: e.prismaField({
        type: [claimType],
        description: 'The claims behind this edge: the actor’s own and its campaigns’.',
        resolve: (query, edge, _args, ctx) =>
          selectedRows<ToolUsage & Targeting>(ctx, claimType, query, ids(item(edge).claims as { id: string }[])),
      }),
    }),
  };
}

/**
 * How a connection built here reads its records: with what the request selects under its nodes
 * (`edges.node` and `nodes`). Pothos then knows what each record holds and reads none of them again.
 */
export const nodesQuery = (
  context: object,
  info: GraphQLResolveInfo,
  typeName: 'Actor' | 'Campaign' | 'Tool' | 'Victim' | 'Targeting',
) => queryFromInfo({ context, info, typeName, paths: [['edges', 'node'], ['nodes']] });
