// Named (prepared) statements on the PostgreSQL server. Prisma's pg adapter sends every statement
// unnamed, so the server parses and plans it on every request; for the nested reads a GraphQL query
// turns into, planning costs as much as running (Q2 of the benchmark: ~5 ms of planning). A named
// statement is parsed once per connection, and after five calls PostgreSQL may keep a generic plan
// for it. Prisma parameterises its SQL (values travel as $n), so one query shape is one text, and the
// name is the text's hash: two texts never share a name.
import { createHash } from 'node:crypto';
import type { SqlQuery } from '@prisma/driver-adapter-utils';

/**
 * Names for Prisma's reads, for the first `limit` distinct texts a process sends; later ones go
 * unnamed. Each connection keeps its named statements (and plans) for its lifetime, so the bound keeps
 * a stream of ad-hoc query shapes from growing the server's memory without end; the shapes a client
 * sends again and again (its SDK's operations) come early.
 *
 * Unnamed, planned on every call with the values at hand, are the statements whose best plan depends
 * on the values: batched lookups by lists of ids (`IN ($1, $2, …)`, whose text also changes with the
 * list's length) and the hand-written queries (search, derived pages: their text starts with a new line
 * or WITH, never with SELECT as Prisma's own reads do). A generic plan cannot tell
 * the hot actor's 50k claims from a handful: named, the derived-victims page's claim lookup switched to
 * one after five calls and ran 2× slower. Writes go unnamed too (an import's multi-row INSERTs differ
 * in length, and would use up the names).
 */
export function statementNames(limit = 500): (query: SqlQuery) => string | undefined {
  const names = new Map<string, string>();
  return (query) => {
    if (!query.sql.startsWith('SELECT') || /\bIN \(\$/.test(query.sql)) return undefined;
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit) {
      name = `prisma_${createHash('sha1').update(query.sql).digest('base64url')}`;
      names.set(query.sql, name);
    }
    return name; // undefined: past the bound, unnamed
  };
}
