// A page cursor names a row by its id: it is checked like an id. Prisma pages from the cursor row's
// position whether or not that row matches the page's `where`, so a cursor naming a row above the
// caller's clearance would page differently from one naming no row at all. Every read (top level or
// nested, as Pothos' relation connections nest them) first checks each cursor row against the page's
// own `where` (which holds the caller's visibility); one that is not there pages as an unknown one.
// The extra statement is sent only when a request carries a cursor, on the client the extension was
// made from (outside any transaction: paging reads run outside the write path's transactions, and on
// the embedded database a check inside one would wait for the connection that transaction holds).

import { userError } from '../errors.js';
import { getDatamodel } from '../generated/pothos-types.js';
import { Prisma } from '../generated/prisma/client.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** No row has this id: a cursor that names nothing the caller may see pages from here (an empty page). */
const NOWHERE = '00000000-0000-0000-0000-000000000000';
const reads = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow']);

/** model → relation field → related model, from the Prisma datamodel. */
const relations = new Map<string, Map<string, string>>(
  Object.entries(getDatamodel().datamodel.models).map(([model, { fields }]) => [
    model,
    new Map(fields.filter((f) => f.kind === 'object').map((f) => [f.name, f.type])),
  ]),
);

type Args = {
  where?: object;
  cursor?: Record<string, unknown>;
  select?: Record<string, unknown>;
  include?: Record<string, unknown>;
};
type Find = (model: string, where: object) => Promise<unknown>;

/** The cursors of a query's args and of its nested relation reads, with the model each pages. */
function cursorsOf(model: string, args: Args, found: { model: string; args: Args }[] = []) {
  if (args.cursor) found.push({ model, args });
  for (const nested of [args.select, args.include]) {
    for (const [field, value] of Object.entries(nested ?? {})) {
      const related = relations.get(model)?.get(field);
      if (related && value && typeof value === 'object') cursorsOf(related, value as Args, found);
    }
  }
  return found;
}

async function checkCursors(model: string, args: Args, find: Find) {
  for (const page of cursorsOf(model, args)) {
    const id = page.args.cursor!.id;
    if (typeof id !== 'string' || !uuid.test(id))
      throw userError(
        'INVALID_PAGE_ARGUMENT',
        'The cursor is not one this API gave: copy "after" / "before" from a page\'s cursors.',
        { argument: 'cursor' },
      );
    if (!(await find(page.model, { AND: [page.args.where ?? {}, { id }] }))) page.args.cursor = { id: NOWHERE };
  }
}

/** The Prisma client extension that checks cursors (see above). */
export const checkedCursors = Prisma.defineExtension((client) => {
  const find: Find = (model, where) =>
    (client as unknown as Record<string, { findFirst(a: object): Promise<unknown> }>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ].findFirst({ where, select: { id: true } });
  return client.$extends({
    name: 'checked-cursors',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (reads.has(operation) && args && typeof args === 'object') await checkCursors(model, args as Args, find);
          return query(args);
        },
      },
    },
  });
});
