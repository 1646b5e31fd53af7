// Named (prepared) statements on the PostgreSQL server. Prisma's pg adapter sends every statement
// unnamed, so the server parses and analyses it on every request; for the nested reads a GraphQL query
// turns into, that is a large part of the work. A named statement is parsed once per connection.
// Prisma parameterises its SQL (values travel as $n), so one query shape is one text, and the name is
// the text's hash: two texts never share a name.
//
// Each call is still planned with its values (the pool sets plan_cache_mode=force_custom_plan, in
// connection.ts): left to choose, PostgreSQL switched the derived-victims page's claim lookup
// (`victimId IN (…) AND actorId IN (…)`) to a generic plan after five calls, which cannot tell the
// hot actor's 50k claims from a handful, and it ran 2× slower.
import { createHash } from 'node:crypto';
import type { SqlQuery } from '@prisma/driver-adapter-utils';

/**
 * Names for reads (SELECT and WITH statements), for the first `limit` distinct texts a process sends;
 * later ones go unnamed. Each connection keeps its named statements for its lifetime, so the bound
 * keeps a stream of ad-hoc query shapes from growing the server's memory without end; the shapes a
 * client sends again and again (its SDK's operations) come early. Writes go unnamed: an import's
 * multi-row INSERTs differ in length, and would use up the names.
 */
export function statementNames(limit = 500): (query: SqlQuery) => string {
  const names = new Map<string, string>();
  return (query) => {
    if (!/^\s*(SELECT|WITH)\b/.test(query.sql)) return undefined as unknown as string; // unnamed
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit) {
      name = `prisma_${createHash('sha1').update(query.sql).digest('base64url')}`;
      names.set(query.sql, name);
    }
    return name as string; // undefined: unnamed, as pg sends a statement without a name
  };
}
