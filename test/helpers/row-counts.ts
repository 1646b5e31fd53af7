// Rows the write path may touch, and the audit log: what a refused mutation or import must leave as it was.
import type { Db } from '../../src/db.js';

export async function writtenRowCounts(p: Db) {
  const [actors, names, targetings, citations, victims, audit] = await Promise.all([
    p.actor.count(),
    p.name.count(),
    p.targeting.count(),
    p.citation.count(),
    p.victim.count(),
    p.auditEntry.count(),
  ]);
  return { actors, names, targetings, citations, victims, audit };
}
