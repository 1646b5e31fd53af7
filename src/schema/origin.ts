// Actor.origins: the origin country each of an actor's records states (MISP's country, a curated
// entry's), so that records that disagree are all shown; `originCountry` is the one dataset precedence
// chose. On the default seeds, Turla's two MISP records say RU and CN.
import DataLoader from 'dataloader';
import { visibleDatasetRecord } from '../auth/visibility.js';
import type { Db } from '../db.js';
import type { Tlp } from '../generated/prisma/client.js';
import { statedOrigin } from '../ingest/stated-origin.js';

export type StatedOrigin = { country: string; dataset: string; identifier: string; recordName: string | null };

/** Each actor's stated origins, one statement for every actor of a request (see createLoaders). */
export const originsLoader = (prisma: Db, clearance: Tlp) =>
  new DataLoader<string, StatedOrigin[]>(async (ids) => {
    const records = await prisma.datasetRecord.findMany({
      where: { actorId: { in: [...ids] }, format: { in: ['misp', 'seed'] }, ...visibleDatasetRecord(clearance) },
      select: { actorId: true, dataset: true, identifier: true, format: true, original: true },
      orderBy: [{ dataset: 'asc' }, { identifier: 'asc' }],
    });
    const byActor = new Map<string, StatedOrigin[]>();
    for (const r of records) {
      const country = statedOrigin(r.format, r.original);
      if (!country) continue;
      const named = (r.original ?? {}) as { value?: unknown; name?: unknown };
      const recordName =
        typeof named.value === 'string' ? named.value : typeof named.name === 'string' ? named.name : null;
      byActor.set(r.actorId!, [
        ...(byActor.get(r.actorId!) ?? []),
        { country, dataset: r.dataset, identifier: r.identifier, recordName },
      ]);
    }
    return ids.map((id) => byActor.get(id) ?? []);
  });
