// Named (prepared) statements on the PostgreSQL server. Prisma's pg adapter sends every statement
// unnamed, so the server parses and plans it on every request; for the nested reads a GraphQL query
// turns into, planning costs as much as running (Q2 of the benchmark: ~5 ms of planning, ~4 ms of
// execution). A named statement is parsed once per connection, and after a few runs PostgreSQL keeps a
// generic plan for it. Prisma parameterises its SQL (values travel as $n), so one query shape is one
// text, and the name is the text's hash: two texts never share a name.
import { createHash } from 'node:crypto';
import type { SqlQuery } from '@prisma/driver-adapter-utils';

/**
 * Names for Prisma's own reads (statements that begin with SELECT), for the first `limit` distinct
 * texts a process sends; later ones go unnamed. Each connection keeps its named statements (and their
 * plans) for its lifetime, so the bound keeps a stream of ad-hoc query shapes from growing the server's
 * memory without end; the shapes a client sends again and again (its SDK's operations) come early.
 *
 * Unnamed, planned on every call with the values at hand: writes (an import's multi-row INSERTs differ
 * in length and would use up the names) and the hand-written WITH queries (search, derived pages),
 * whose best plan depends on the values: a hot actor's 50k claims or a handful. Named, PostgreSQL
 * switched the derived-victims query to a generic plan after five calls and it ran 2× slower.
 */
export function statementNames(limit = 500): (query: SqlQuery) => string {
  const names = new Map<string, string>();
  return (query) => {
    if (!query.sql.startsWith('SELECT')) return undefined as unknown as string; // unnamed
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit) {
      name = `prisma_${createHash('sha1').update(query.sql).digest('base64url')}`;
      names.set(query.sql, name);
    }
    return name as string; // undefined: unnamed, as pg sends a statement without a name
  };
}
