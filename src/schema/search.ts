// search(query:): ranked fuzzy search over names (trigram similarity of the normalised name, so
// typos such as "hiden cobra" still match) and descriptions (trigram word similarity).
import { builder } from '../builder.js';
import { visibleSql } from '../auth/visibility.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import { normalizeName } from '../ingest/names.js';
import { arrayConnection, itemOf, totalCountField } from './array-connection.js';
import { NamedEntity } from './unions.js';
import { tagged, type EntityType } from './typed.js';

const SearchType = builder.enumType('SearchType', { values: ['ACTOR', 'CAMPAIGN', 'TOOL'] as const });
const typeName = { ACTOR: 'Actor', CAMPAIGN: 'Campaign', TOOL: 'Tool' } as const;

/** How many hits are ranked at most: a search is for finding, paging goes through them. */
const MAX_HITS = 200;

type Hit = { type: EntityType; id: string; score: number; matched: string | null };

async function rankedHits(ctx: Context, query: string, types: EntityType[]): Promise<Hit[]> {
  const raw = query.trim().toLowerCase();
  const normalized = normalizeName(query);
  // Names score by trigram similarity of the normalised forms (a substring match counts at least
  // 0.5), among the names the caller may see; display names and descriptions (searchText: no aliases,
  // which may be marked) score by word similarity, weighted below
  // names. An entity's score is its best; `matched` is its best-matching name, if any matched.
  // Both name conditions are ones the trigram index answers (`%` and LIKE; a normalised name has only
  // letters and digits, so nothing in it needs escaping for LIKE).
  return ctx.prisma.$queryRaw<Hit[]>`
    WITH hits AS (
      SELECT CASE WHEN n."actorId" IS NOT NULL THEN 'Actor' WHEN n."campaignId" IS NOT NULL THEN 'Campaign' ELSE 'Tool' END AS type,
             COALESCE(n."actorId", n."campaignId", n."toolId") AS id,
             GREATEST(similarity(n.normalized, ${normalized}), CASE WHEN strpos(n.normalized, ${normalized}) > 0 THEN 0.5 ELSE 0 END) AS score,
             n.value AS matched
        FROM "Name" n
        LEFT JOIN "Actor" na ON na.id = n."actorId"
        LEFT JOIN "Campaign" nc ON nc.id = n."campaignId"
        LEFT JOIN "Tool" nt ON nt.id = n."toolId"
       WHERE ${normalized} <> '' AND (n.normalized % ${normalized} OR n.normalized LIKE '%' || ${normalized} || '%') AND ${visibleSql(ctx.principal.clearance, 'n')}
         AND NOT COALESCE(na.revoked OR na.deprecated, nc.revoked OR nc.deprecated, nt.revoked OR nt.deprecated)
      UNION ALL
      SELECT 'Actor', a.id, 0.8 * word_similarity(${raw}, a."searchText"), NULL FROM "Actor" a WHERE ${raw} <% a."searchText" AND NOT (a.revoked OR a.deprecated)
      UNION ALL
      SELECT 'Campaign', c.id, 0.8 * word_similarity(${raw}, c."searchText"), NULL FROM "Campaign" c WHERE ${raw} <% c."searchText" AND NOT (c.revoked OR c.deprecated)
      UNION ALL
      SELECT 'Tool', t.id, 0.8 * word_similarity(${raw}, t."searchText"), NULL FROM "Tool" t WHERE ${raw} <% t."searchText" AND NOT (t.revoked OR t.deprecated)
    )
    SELECT type, id::text AS id, max(score)::float8 AS score, (array_agg(matched ORDER BY score DESC) FILTER (WHERE matched IS NOT NULL))[1] AS matched
      FROM hits
     WHERE type = ANY(${types})
     GROUP BY type, id
     ORDER BY score DESC, type, id
     LIMIT ${MAX_HITS}`;
}


builder.queryField('search', (t) =>
  t.connection(
    {
      type: NamedEntity,
      description: 'Ranked fuzzy search over the names and descriptions of actors, campaigns and tools (current records: not revoked or deprecated). Tolerates typos, case, spacing and punctuation.',
      args: {
        query: t.arg.string({ required: true, description: 'Words or a name, e.g. "leery turtle" or "hiden cobra".' }),
        types: t.arg({ type: [SearchType], description: 'Only these types (default: all).' }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.query.trim().length < 2) throw userError('BAD_USER_INPUT', 'The search query needs at least 2 characters.', { argument: 'query' });
        if (args.query.length > 200) throw userError('BAD_USER_INPUT', 'The search query is limited to 200 characters.', { argument: 'query' });
        const types = (args.types?.length ? args.types : (['ACTOR', 'CAMPAIGN', 'TOOL'] as const)).map((x) => typeName[x]);
        const hits = await rankedHits(ctx, args.query, types);
        // Only the page's records are read (the ranking already left out what is not current).
        const page = arrayConnection(args, ctx, hits, () => null);
        const rows = await loadEntities(ctx, page.edges.map((e) => e.item));
        return { ...page, edges: page.edges.map((e) => ({ ...e, node: rows.get(e.item.id)! })) };
      },
    },
    { name: 'SearchConnection', ...totalCountField },
    {
      name: 'SearchEdge',
      fields: (e) => ({
        score: e.float({ description: 'Relevance, 0-1: 1 is an exact name.', resolve: (edge) => Math.round(itemOf<Hit>(edge).score * 1000) / 1000 }),
        matchedName: e.string({ nullable: true, description: 'The name that matched, when a name matched.', resolve: (edge) => itemOf<Hit>(edge).matched }),
      }),
    },
  ),
);

async function loadEntities(ctx: Context, hits: Hit[]) {
  const ids = (type: EntityType) => hits.filter((h) => h.type === type).map((h) => h.id);
  const [actors, campaigns, tools] = await Promise.all([
    ids('Actor').length ? ctx.prisma.actor.findMany({ where: { id: { in: ids('Actor') } } }) : [],
    ids('Campaign').length ? ctx.prisma.campaign.findMany({ where: { id: { in: ids('Campaign') } } }) : [],
    ids('Tool').length ? ctx.prisma.tool.findMany({ where: { id: { in: ids('Tool') } } }) : [],
  ]);
  return new Map<string, typeof NamedEntity.$inferType>([
    ...actors.map((r) => [r.id, tagged('Actor', r)] as const),
    ...campaigns.map((r) => [r.id, tagged('Campaign', r)] as const),
    ...tools.map((r) => [r.id, tagged('Tool', r)] as const),
  ]);
}

