// vocabulary(kind:): a STIX 2.1 open vocabulary's terms with how many records you may see hold each,
// then the custom terms the data holds (words the reviewed table maps to no term: see
// seeds/reviewed/vocabularies.yaml and src/write/vocabularies.ts).
import { builder } from '../builder.js';
import type { VocabularyKind } from '../write/vocabularies.js';
import { type Term, vocabularyTerms } from './vocabulary-terms.js';

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
