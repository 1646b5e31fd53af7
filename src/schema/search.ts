// search(query:): ranked fuzzy search over names (trigram similarity of the normalised name, so
// typos such as "hiden cobra" still match) and descriptions (full-text: every word, as a prefix).
import type { GraphQLResolveInfo } from 'graphql';
import { visibleRecordSql, visibleSql } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { userError } from '../errors.js';
import { Prisma } from '../generated/prisma/client.js';
import { normalizeName } from '../write/rules.js';
import { arrayConnection, itemOf, nodesQuery, totalCountField } from './array-connection.js';
import { EntityTypeEnum, entityTypeName } from './enums.js';
import { type EntityType, tagged } from './typed.js';
import { NamedEntity } from './unions.js';

/** How many hits are ranked at most: a search is for finding, paging goes through them. */
const MAX_HITS = 200;

type Hit = { type: EntityType; id: string; score: number; matched: string | null };

/** The query's words as a full-text query, each word a prefix ("crypto" finds "cryptocurrency"). */
function descriptionQuery(query: string): string | null {
  const words = (
    query
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, 16);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

const table = { Actor: Prisma.raw('"Actor"'), Campaign: Prisma.raw('"Campaign"'), Tool: Prisma.raw('"Tool"') } as const;

async function rankedHits(ctx: Context, query: string, types: EntityType[]): Promise<Hit[]> {
  const normalized = normalizeName(query);
  const words = descriptionQuery(query);
  // Names score by trigram similarity of the normalised forms (`%`: at least the session's threshold,
  // see sessionSettings), and a name containing the query counts at least 0.5, among the names the
  // caller may see. For one or two letters, a name starting with them: the trigram index finds a LIKE
  // pattern by its trigrams, and "%ka%" has none, so every name would be compared (0.4 s at 200k
  // names), where "ka%" has the start of a name ("  k", " ka"). Display names and descriptions
  // (searchText: no aliases, which may be marked) match when they hold every word of the query,
  // scoring 0.4-0.8 by how often and how close together the words appear. An entity's score is its
  // best; `matched` is its best-matching name, if any matched. Each condition is one an index answers
  // (the trigram index on Name.normalized for `%` and LIKE: a normalised name has only letters and
  // digits, so nothing in it needs escaping; the full-text indexes on to_tsvector('simple', "searchText")).
  const containing = normalized.length < 3 ? `${normalized}%` : `%${normalized}%`;
  const descriptions = words
    ? types.map(
        (type) => Prisma.sql`
      UNION ALL
      SELECT ${type}, e.id, 0.4 + 0.4 * ts_rank_cd(to_tsvector('simple', e."searchText"), to_tsquery('simple', ${words}), 32), NULL
        FROM ${table[type]} e
       WHERE to_tsvector('simple', e."searchText") @@ to_tsquery('simple', ${words}) AND NOT (e.revoked OR e.deprecated) AND ${visibleRecordSql(ctx.principal.clearance, 'e')}`,
      )
    : [];
  return ctx.prisma.$queryRaw<Hit[]>`
    SELECT type, id::text AS id, max(score)::float8 AS score, (array_agg(matched ORDER BY score DESC) FILTER (WHERE matched IS NOT NULL))[1] AS matched
      FROM (
      SELECT CASE WHEN n."actorId" IS NOT NULL THEN 'Actor' WHEN n."campaignId" IS NOT NULL THEN 'Campaign' ELSE 'Tool' END AS type,
             COALESCE(n."actorId", n."campaignId", n."toolId") AS id,
             GREATEST(similarity(n.normalized, ${normalized}), CASE WHEN n.normalized LIKE ${containing} THEN 0.5 ELSE 0 END) AS score,
             n.value AS matched
        FROM "Name" n
        LEFT JOIN "Actor" na ON na.id = n."actorId"
        LEFT JOIN "Campaign" nc ON nc.id = n."campaignId"
        LEFT JOIN "Tool" nt ON nt.id = n."toolId"
       WHERE ${normalized} <> '' AND (n.normalized % ${normalized} OR n.normalized LIKE ${containing}) AND ${visibleSql(ctx.principal.clearance, 'n')}
         AND NOT COALESCE(na.revoked OR na.deprecated, nc.revoked OR nc.deprecated, nt.revoked OR nt.deprecated)
      ${descriptions.length ? Prisma.join(descriptions, '') : Prisma.empty}
      ) hits
     WHERE type = ANY(${types})
     GROUP BY type, id
     ORDER BY score DESC, type, id
     LIMIT ${MAX_HITS}`;
}

builder.queryField('search', (t) =>
  t.connection(
    {
      type: NamedEntity,
      description:
        'Ranked search over actors, campaigns and tools (current records: not revoked or deprecated): fuzzy over every name (tolerates typos, case, spacing and punctuation), and word by word over display names and descriptions (every word of the query, each as a prefix).',
      args: {
        query: t.arg.string({ required: true, description: 'Words or a name, e.g. "leery turtle" or "hiden cobra".' }),
        types: t.arg({ type: [EntityTypeEnum], description: 'Only these types (default: all).' }),
      },
      resolve: async (_root, args, ctx, info) => {
        if (args.query.trim().length < 2)
          throw userError('BAD_USER_INPUT', 'The search query needs at least 2 characters.', { argument: 'query' });
        if (args.query.length > 200)
          throw userError('BAD_USER_INPUT', 'The search query is limited to 200 characters.', { argument: 'query' });
        const types = (args.types?.length ? args.types : (['ACTOR', 'CAMPAIGN', 'TOOL'] as const)).map(
          (x) => entityTypeName[x],
        );
        const hits = await rankedHits(ctx, args.query, types);
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
            'Relevance, 0-1: 1 is an exact name; a name containing the query (for one or two letters: starting with them) scores at least 0.5; a description holding every word 0.4-0.8.',
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
