// Actor.origins: the origin country each of an actor's records states (MISP's country, a curated
// entry's), so that records that disagree are all shown; `originCountry` is the one dataset precedence
// chose. On the default seeds, Turla's two MISP records say RU and CN.
import DataLoader from 'dataloader';
import { visibleDatasetRecord } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { statedOrigin } from '../ingest/stated-origin.js';

export type StatedOrigin = { country: string; dataset: string; identifier: string; recordName: string | null };

const loaders = new WeakMap<Context, DataLoader<string, StatedOrigin[]>>();

/** One statement for every actor of a request: the records you may see that can state an origin. */
export function originsOf(ctx: Context, actorId: string) {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const records = await ctx.prisma.datasetRecord.findMany({
        where: {
          actorId: { in: [...ids] },
          format: { in: ['misp', 'seed'] },
          ...visibleDatasetRecord(ctx.principal.clearance),
        },
        select: { actorId: true, dataset: true, identifier: true, format: true, original: true },
        orderBy: [{ dataset: 'asc' }, { identifier: 'asc' }],
      });
      const byActor = new Map<string, StatedOrigin[]>();
      for (const r of records) {
        const country = statedOrigin(r.format, r.original);
        if (!country) continue;
        const name = (r.original as { value?: unknown; name?: unknown }) ?? {};
        const recordName =
          typeof name.value === 'string' ? name.value : typeof name.name === 'string' ? name.name : null;
        byActor.set(r.actorId!, [
          ...(byActor.get(r.actorId!) ?? []),
          { country, dataset: r.dataset, identifier: r.identifier, recordName },
        ]);
      }
      return ids.map((id) => byActor.get(id) ?? []);
    });
    loaders.set(ctx, loader);
  }
  return loader.load(actorId);
}

export const StatedOriginRef = builder.objectRef<StatedOrigin>('StatedOrigin').implement({
  description: 'The origin country one record of a dataset states for an actor.',
  fields: (t) => ({
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2.' }),
    dataset: t.exposeString('dataset'),
    identifier: t.exposeString('identifier', {
      description: 'The record’s identifier in its dataset (MISP uuid, seed key).',
    }),
    recordName: t.exposeString('recordName', { nullable: true, description: 'The name the record gives the actor.' }),
  }),
});
