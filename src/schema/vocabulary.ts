// vocabulary(kind:): a STIX 2.1 open vocabulary's terms with how many records you may see hold each,
// then the custom terms the data holds (words the reviewed table maps to no term: see
// seeds/reviewed/vocabularies.yaml and src/write/vocabularies.ts).
import { visibleRecordSql } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Db } from '../db.js';
import { Prisma, type Tlp } from '../generated/prisma/client.js';
import { type VocabularyKind, vocabularies } from '../write/vocabularies.js';

const kinds = {
  REGION: 'region',
  INDUSTRY_SECTOR: 'industry-sector',
  MALWARE_TYPE: 'malware-type',
  TOOL_TYPE: 'tool-type',
  ATTACK_MOTIVATION: 'attack-motivation',
  ATTACK_RESOURCE_LEVEL: 'attack-resource-level',
} as const satisfies Record<string, VocabularyKind>;

export const VocabularyKindEnum = builder.enumType('VocabularyKind', {
  description: 'A STIX 2.1 open vocabulary (the `-ov` lists of the specification, section 10).',
  values: Object.fromEntries(
    Object.entries(kinds).map(([value, kind]) => [value, { description: `${kind}-ov` }]),
  ) as Record<keyof typeof kinds, { description: string }>,
});

type Term = { term: string; label: string; inVocabulary: boolean; count: number };

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

const VocabularyTerm = builder.objectRef<Term>('VocabularyTerm').implement({
  description: 'A term and how many records you may see hold it.',
  fields: (t) => ({
    term: t.exposeString('term', { description: 'As stored and exported: lower case, hyphenated.' }),
    label: t.exposeString('label', { description: 'For people: "Financial services". Filters accept it too.' }),
    inVocabulary: t.exposeBoolean('inVocabulary', {
      description: 'False for a custom term: a dataset word the vocabulary has no term for.',
    }),
    count: t.exposeInt('count', {
      description:
        'Records holding it: victims (region, sector), malware or tools (types), actors (motivations); current records only.',
    }),
  }),
});

builder.queryField('vocabulary', (t) =>
  t.field({
    type: [VocabularyTerm],
    description:
      'A STIX open vocabulary: its terms with counts, then the custom terms the data holds (words no term covers, kept lower-case and hyphenated). Filters take any term or label, in any case.',
    args: { kind: t.arg({ type: VocabularyKindEnum, required: true }) },
    resolve: (_root, args, ctx) => vocabularyTerms(ctx.prisma, kinds[args.kind], ctx.principal.clearance),
  }),
);
