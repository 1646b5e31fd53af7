// search(query:): ranked fuzzy search over names and descriptions (the ranking: search-ranking.ts).
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import { arrayConnection, itemOf, nodesQuery, totalCountField } from './array-connection.js';
import { EntityTypeEnum, entityTypeName } from './enums.js';
import { checkView, viewArgs } from './known-at.js';
import { type Hit, rankedHits } from './search-ranking.js';
import { type EntityType, tagged } from './typed.js';
import { NamedEntity } from './unions.js';

builder.queryField('search', (t) =>
  t.connection(
    {
      type: NamedEntity,
      description:
        'Ranked search over actors, campaigns and tools (current records: not revoked or deprecated): fuzzy over every name (tolerates typos, case, spacing and punctuation), and word by word over display names and descriptions (every word of the query, each as a prefix).',
      args: {
        ...viewArgs(t.arg),
        query: t.arg.string({ required: true, description: 'Words or a name, e.g. "leery turtle" or "hiden cobra".' }),
        types: t.arg({ type: [EntityTypeEnum], description: 'Only these types (default: all).' }),
      },
      resolve: async (_root, args, ctx, info) => {
        checkView(ctx);
        if (args.query.trim().length < 2)
          throw userError('BAD_USER_INPUT', 'The search query needs at least 2 characters.', { argument: 'query' });
        if (args.query.length > 200)
          throw userError('BAD_USER_INPUT', 'The search query is limited to 200 characters.', { argument: 'query' });
        const types = (args.types?.length ? args.types : (['ACTOR', 'CAMPAIGN', 'TOOL'] as const)).map(
          (x) => entityTypeName[x],
        );
        const hits = await rankedHits(ctx.prisma, ctx.principal.clearance, args.query, types);
        // Only the page's records are read (the ranking already left out what is not current).
        const page = arrayConnection(args, ctx, hits, () => null);
        const rows = await loadEntities(
          ctx,
          info,
          page.edges.map((e) => e.item),
        );
        return { ...page, edges: page.edges.map((e) => ({ ...e, node: rows.get(e.item.id)! })) };
      },
    },
    { name: 'SearchConnection', ...totalCountField },
    {
      name: 'SearchEdge',
      fields: (e) => ({
        score: e.float({
          description:
            'Relevance, 0-1: 1 is the exact display name, 0.95 an exact alias; a name starting with the query 0.7-0.9, one containing it 0.6-0.8 (for one or two letters: only names starting with them); a similar name its similarity (at most 0.9); a description holding every word 0.3-0.55.',
          resolve: (edge) => Math.round(itemOf<Hit>(edge).score * 1000) / 1000,
        }),
        matchedName: e.string({
          nullable: true,
          description: 'The name that matched, when a name matched.',
          resolve: (edge) => itemOf<Hit>(edge).matched,
        }),
      }),
    },
  ),
);

/**
 * The page's records, each type read with the columns and relations the request selects under it
 * (see nodesQuery: none of the fields below reads its row again).
 */
async function loadEntities(ctx: Context, info: GraphQLResolveInfo, hits: Hit[]) {
  const ids = (type: EntityType) => hits.filter((h) => h.type === type).map((h) => h.id);
  const query = (typeName: EntityType) => nodesQuery(ctx, info, typeName);
  const [actors, campaigns, tools] = await Promise.all([
    ids('Actor').length ? ctx.prisma.actor.findMany({ ...query('Actor'), where: { id: { in: ids('Actor') } } }) : [],
    ids('Campaign').length
      ? ctx.prisma.campaign.findMany({ ...query('Campaign'), where: { id: { in: ids('Campaign') } } })
      : [],
    ids('Tool').length ? ctx.prisma.tool.findMany({ ...query('Tool'), where: { id: { in: ids('Tool') } } }) : [],
  ]);
  return new Map<string, typeof NamedEntity.$inferType>([
    ...actors.map((r) => [r.id, tagged('Actor', r)] as const),
    ...campaigns.map((r) => [r.id, tagged('Campaign', r)] as const),
    ...tools.map((r) => [r.id, tagged('Tool', r)] as const),
  ]);
}
