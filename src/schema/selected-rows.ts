// Rows handed to Pothos by fields that compute their lists themselves (derived edges, comparisons) are
// read again with the selection Pothos plans for the field (its `query`), batched per request: every
// item of a list that asks the same field is served by one statement. Without it, Pothos either reads
// keys the plain rows lack (a `select`-based field such as `by` answered null) or falls back to one
// query per row (compareActors of APT38 and Lazarus: 635 statements; with this: a handful).
import DataLoader from 'dataloader';
import { visibleRow } from '../auth/visibility.js';
import type { Context } from '../context.js';

type Row = { id: string };
type FindMany = (args: object) => Promise<Row[]>;

/** The rows of `ids` (in that order; hidden or missing ones left out) of a model, with `query`'s selection. */
export async function selectedRows<T>(ctx: Context, model: string, query: object, ids: readonly string[]) {
  const key = `selected:${model}:${JSON.stringify(query)}`;
  let loader = ctx.loaders.memo.get(key) as DataLoader<string, Row | null> | undefined;
  if (!loader) {
    const delegate = (ctx.prisma as unknown as Record<string, { findMany: FindMany }>)[
      model[0].toLowerCase() + model.slice(1)
    ];
    loader = new DataLoader<string, Row | null>(async (batch) => {
      const rows = await delegate.findMany({
        ...query,
        where: { id: { in: [...batch] }, ...visibleRow(model, ctx.principal.clearance) },
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return batch.map((id) => byId.get(id) ?? null);
    });
    ctx.loaders.memo.set(key, loader);
  }
  const rows = await loader.loadMany(ids);
  return rows.filter((r): r is Row => r != null && !(r instanceof Error)) as T[];
}

/** The ids of rows, in order. */
export const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
