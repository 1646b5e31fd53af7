// A vocabulary's terms with how many records hold each, then the custom terms found: read by
// vocabulary(kind:) (vocabulary.ts) and by `npm run data:report` (src/data-quality.ts).
import { visibleRecordSql } from '../auth/visibility.js';
import type { Db } from '../db.js';
import { Prisma, type Tlp } from '../generated/prisma/client.js';
import { type VocabularyKind, vocabularies } from '../write/vocabularies.js';

export type Term = { term: string; label: string; inVocabulary: boolean; count: number };

/**
 * The records' values of a vocabulary, among what a clearance may see: current records only, unless
 * `includeRevoked` (the report: exports hold revoked and deprecated records too).
 */
function valuesSql(kind: VocabularyKind, clearance: Tlp, includeRevoked: boolean) {
  const current = includeRevoked
    ? visibleRecordSql(clearance, 'e')
    : Prisma.sql`NOT (e.revoked OR e.deprecated) AND ${visibleRecordSql(clearance, 'e')}`;
  switch (kind) {
    case 'region':
      return Prisma.sql`SELECT e.region AS term FROM "Victim" e WHERE e.region IS NOT NULL AND ${visibleRecordSql(clearance, 'e')}`;
    case 'industry-sector':
      return Prisma.sql`SELECT e.sector AS term FROM "Victim" e WHERE e.sector IS NOT NULL AND ${visibleRecordSql(clearance, 'e')}`;
    case 'malware-type':
      return Prisma.sql`SELECT unnest(e."malwareTypes") AS term FROM "Tool" e WHERE e.kind = 'MALWARE' AND ${current}`;
    case 'tool-type':
      return Prisma.sql`SELECT unnest(e."malwareTypes") AS term FROM "Tool" e WHERE e.kind = 'TOOL' AND ${current}`;
    case 'attack-motivation':
      return Prisma.sql`SELECT unnest(e.motivations) AS term FROM "Actor" e WHERE ${current}`;
    case 'attack-resource-level':
      return null; // no record holds a resource level yet
  }
}

const labelOf = (term: string) => term.charAt(0).toUpperCase() + term.slice(1).replace(/-/g, ' ');

/** A vocabulary's terms (in the specification's order), then the custom terms found (most held first). */
export async function vocabularyTerms(
  prisma: Db,
  kind: VocabularyKind,
  clearance: Tlp,
  { includeRevoked = false } = {},
): Promise<Term[]> {
  const sql = valuesSql(kind, clearance, includeRevoked);
  const counts = new Map(
    sql
      ? (
          await prisma.$queryRaw<
            { term: string; count: number }[]
          >`SELECT term, count(*)::int AS count FROM (${sql}) v GROUP BY term`
        ).map((r) => [r.term, r.count] as const)
      : [],
  );
  const { terms } = vocabularies()[kind];
  const custom = [...counts].filter(([term]) => !terms.has(term)).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return [
    ...[...terms].map((term) => ({ term, label: labelOf(term), inVocabulary: true, count: counts.get(term) ?? 0 })),
    ...custom.map(([term, count]) => ({ term, label: labelOf(term), inVocabulary: false, count })),
  ];
}
