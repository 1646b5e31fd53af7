// The ranking behind search(query:) (src/schema/search.ts), also read by `npm run data:report`:
// fuzzy over names (trigram similarity of the normalised name, so typos such as "hiden cobra" still
// match) and word by word over descriptions (full-text: every word, as a prefix).
import { visibleRecordSql, visibleSql } from '../auth/visibility.js';
import type { Db } from '../db.js';
import { Prisma, type Tlp } from '../generated/prisma/client.js';
import { normalizeName } from '../write/rules.js';
import { searchedWords } from '../write/touched.js';
import type { EntityType } from './typed.js';

/** How many hits are ranked at most: a search is for finding, paging goes through them. */
const MAX_HITS = 200;

export type Hit = { type: EntityType; id: string; score: number; matched: string | null };

/** The query's words as a full-text query, each word a prefix ("crypto" finds "cryptocurrency"). */
function descriptionQuery(query: string): string | null {
  // The same words the response cache tags searches by (src/write/touched.ts: searchWordsTag).
  const words = searchedWords(query).slice(0, 16);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

const table = { Actor: Prisma.raw('"Actor"'), Campaign: Prisma.raw('"Campaign"'), Tool: Prisma.raw('"Tool"') } as const;

/**
 * The ranked hits for a query among what a clearance may see (also read by `npm run data:report`, which
 * checks that every current actor's display name finds an exact name first).
 *
 * Tiers, so that a person's expectation holds: the exact display name 1, an exact alias 0.95, a name
 * starting with the query 0.7-0.9 and one containing it 0.6-0.8 (more of the name matched, higher),
 * a similar name its trigram similarity (at most 0.9), a description holding every word 0.3-0.55.
 * Before the tiers, "lazarus" ranked Operation Dream Job (its description, 0.533) above Lazarus Group
 * (0.5).
 *
 * Which names are compared: those similar at the session's threshold (`%`, see sessionSettings) or
 * containing the query (for one or two letters: starting with it: "%ka%" has no trigram for the index,
 * so every name would be compared, 0.4 s at 200k names, where "ka%" has the start of a name). When
 * no name matches a query of several words, it is asked again comparing the names that hold one of
 * its words of four letters or more whole, at a similarity of 0.3 or more: a typo in the other word
 * ("fancy bare", 0.43 similar to "Fancy Bear") is found without lowering the threshold for every query
 * (0.3 for all: six times the work at 200k names). Only as a second statement: a common word ("sleet")
 * is held by thousands of names, and comparing them all on every search took the benchmark's Q3 from
 * 4 to 16 ms (p50, scale S). Each condition is one the trigram index on Name.normalized answers (a normalised name has
 * only letters and digits: nothing in it needs escaping); descriptions use the full-text indexes on
 * to_tsvector('simple', "searchText"), which hold no aliases (an alias may be marked). An entity's
 * score is its best; `matched` is its best-matching name, if any matched.
 */
export async function rankedHits(prisma: Db, clearance: Tlp, query: string, types: EntityType[]): Promise<Hit[]> {
  const hits = await hitsFor(prisma, clearance, query, types, false);
  const severalWords = (query.match(/[\p{L}\p{N}]+/gu) ?? []).length >= 2;
  return severalWords && !hits.some((h) => h.matched !== null) ? hitsFor(prisma, clearance, query, types, true) : hits;
}

async function hitsFor(
  prisma: Db,
  clearance: Tlp,
  query: string,
  types: EntityType[],
  wordByWord: boolean,
): Promise<Hit[]> {
  const normalized = normalizeName(query);
  const words = descriptionQuery(query);
  const containing = normalized.length < 3 ? `${normalized}%` : `%${normalized}%`;
  const wholeWords = [...new Set((query.match(/[\p{L}\p{N}]+/gu) ?? []).map(normalizeName))].filter(
    (w) => w.length >= 4,
  );
  const oneWordWhole =
    wordByWord && wholeWords.length >= 1
      ? Prisma.sql`OR ((${Prisma.join(
          wholeWords.slice(0, 8).map((w) => Prisma.sql`n.normalized LIKE ${`%${w}%`}`),
          ' OR ',
        )}) AND similarity(n.normalized, ${normalized}) >= 0.3)`
      : Prisma.empty;
  const descriptions = words
    ? types.map(
        (type) => Prisma.sql`
      UNION ALL
      SELECT ${type}, e.id, 0.3 + 0.25 * ts_rank_cd(to_tsvector('simple', e."searchText"), to_tsquery('simple', ${words}), 32), NULL
        FROM ${table[type]} e
       WHERE to_tsvector('simple', e."searchText") @@ to_tsquery('simple', ${words}) AND NOT (e.revoked OR e.deprecated) AND ${visibleRecordSql(clearance, 'e')}`,
      )
    : [];
  return prisma.$queryRaw<Hit[]>`
    SELECT type, id::text AS id, max(score)::float8 AS score, (array_agg(matched ORDER BY score DESC) FILTER (WHERE matched IS NOT NULL))[1] AS matched
      FROM (
      SELECT CASE WHEN n."actorId" IS NOT NULL THEN 'Actor' WHEN n."campaignId" IS NOT NULL THEN 'Campaign' ELSE 'Tool' END AS type,
             COALESCE(n."actorId", n."campaignId", n."toolId") AS id,
             CASE
               WHEN n.normalized = ${normalized} THEN CASE WHEN n.value = COALESCE(na.name, nc.name, nt.name) THEN 1 ELSE 0.95 END
               ELSE GREATEST(
                 LEAST(similarity(n.normalized, ${normalized}), 0.9),
                 CASE
                   WHEN n.normalized LIKE ${`${normalized}%`} THEN 0.7 + 0.2 * length(${normalized}) / length(n.normalized)
                   WHEN n.normalized LIKE ${containing} THEN 0.6 + 0.2 * length(${normalized}) / length(n.normalized)
                   ELSE 0
                 END)
             END AS score,
             n.value AS matched
        FROM "Name" n
        LEFT JOIN "Actor" na ON na.id = n."actorId"
        LEFT JOIN "Campaign" nc ON nc.id = n."campaignId"
        LEFT JOIN "Tool" nt ON nt.id = n."toolId"
       WHERE ${normalized} <> '' AND (n.normalized % ${normalized} OR n.normalized LIKE ${containing} ${oneWordWhole}) AND ${visibleSql(clearance, 'n')}
         AND NOT COALESCE(na.revoked OR na.deprecated, nc.revoked OR nc.deprecated, nt.revoked OR nt.deprecated)
      ${descriptions.length ? Prisma.join(descriptions, '') : Prisma.empty}
      ) hits
     WHERE type = ANY(${types})
     GROUP BY type, id
     ORDER BY score DESC, type, id
     LIMIT ${MAX_HITS}`;
}
