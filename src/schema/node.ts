// node(id:) and nodes(ids:): any object by its global ID (Relay's object identification), declared here
// rather than by the relay plugin so that they take `knownAt` and `asOf` as every root field does.
import { resolveNodes } from '@pothos/plugin-relay';
import { builder, isNodeType } from '../builder.js';
import { notFound, userError } from '../errors.js';
import { checkView, viewArgs } from './known-at.js';

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true, // as Relay's node field is (an unknown ID is a NOT_FOUND error here)
    description: 'Any object by its global ID.',
    args: {
      id: t.arg.globalID({ required: true, extensions: { relayGlobalIDAlwaysParse: true } }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, { id }, ctx, info) => {
      checkView(ctx);
      // An ID of a type that is no node here (an API key's, or none at all) names nothing either.
      const [node] = isNodeType(info.schema, id.typename) ? await resolveNodes(builder, ctx, info, [id]) : [null];
      if (node == null)
        throw notFound(
          isNodeType(info.schema, id.typename) ? id.typename.toLowerCase() : 'object',
          'that ID',
          'It may have been deleted.',
        );
      return node as never;
    },
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description:
      'Objects by their global IDs, in order; null for an ID that matches nothing. At most as many IDs as a page holds (MAX_PAGE_SIZE).',
    args: {
      ids: t.arg.globalIDList({ required: true, extensions: { relayGlobalIDAlwaysParse: true } }),
      ...viewArgs(t.arg),
    },
    resolve: async (_root, { ids }, ctx, info) => {
      checkView(ctx);
      const max = ctx.config.pageSize.max;
      if (ids.length > max)
        throw userError('INVALID_PAGE_ARGUMENT', `"ids" takes at most ${max} IDs (got ${ids.length}); ask in pages.`, {
          argument: 'ids',
          max,
        });
      const known = ids.filter((id) => isNodeType(info.schema, id.typename));
      const found = await resolveNodes(builder, ctx, info, known);
      const byPosition = new Map(known.map((id, i) => [id, found[i]]));
      return ids.map((id) => (byPosition.get(id) ?? null) as never);
    },
  }),
}));
