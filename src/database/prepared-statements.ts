// Named (prepared) statements on the PostgreSQL server. Prisma's pg adapter sends every statement
// unnamed, so the server parses and plans it on every request; for the nested reads a GraphQL query
// turns into, planning costs as much as running (Q2 of the benchmark: ~5 ms of planning, ~4 ms of
// execution). A named statement is parsed once per connection, and after a few runs PostgreSQL keeps a
// generic plan for it. Prisma parameterises its SQL (values travel as $n), so one query shape is one
// text, and the name is the text's hash: two texts never share a name.
import { createHash } from 'node:crypto';
import type { SqlQuery } from '@prisma/driver-adapter-utils';

/**
 * Names for the first `limit` distinct statement texts a process sends; later ones go unnamed. Each
 * connection keeps its named statements (and their plans) for its lifetime, so the bound keeps a stream
 * of ad-hoc query shapes from growing the server's memory without end. The shapes a client sends
 * again and again (its SDK's operations) are met early and get the names.
 */
export function statementNames(limit = 500): (query: SqlQuery) => string {
  const names = new Map<string, string>();
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit) {
      name = `prisma_${createHash('sha1').update(query.sql).digest('base64url')}`;
      names.set(query.sql, name);
    }
    return name as string; // undefined: unnamed, as pg sends a statement without a name
  };
}
