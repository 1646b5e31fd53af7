// Figures about the data itself, read by `npm run data:report` and asserted by the tests.
import type { Db } from './db.js';
import { normalizeName } from './write/rules.js';

/**
 * Display names (normalised) that more than one current entity of a type shows, each with those
 * entities' ids and names, and how many current entities there are.
 */
export async function sharedDisplayNames(prisma: Db, model: 'actor' | 'campaign' | 'tool') {
  const rows = await (
    prisma[model] as unknown as { findMany(a: object): Promise<{ id: string; name: string }[]> }
  ).findMany({ where: { revoked: false, deprecated: false }, select: { id: true, name: true } });
  const byName = new Map<string, { id: string; name: string }[]>();
  for (const r of rows) byName.set(normalizeName(r.name), [...(byName.get(normalizeName(r.name)) ?? []), r]);
  return { current: rows.length, shared: [...byName].filter(([, entities]) => entities.length > 1) };
}
