// STIX 2.1 open vocabularies (seeds/reviewed/vocabularies.yaml): every way in stores the term a word
// means (a dataset's own word mapped by the reviewed table, else kept as a custom term: lower-case,
// hyphenated), and every filter folds what a caller types the same way, so "Financial services",
// "FINANCIAL-SERVICES" and "finance" find the same victims. Before the table, the export drew 129
// validator warnings on values outside the vocabularies (215: 82, 216: 30, 111: 7, 223: 6, 222: 4).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../database/migrations.js';

export const vocabularyKinds = [
  'region',
  'industry-sector',
  'malware-type',
  'tool-type',
  'attack-motivation',
  'attack-resource-level',
] as const;
export type VocabularyKind = (typeof vocabularyKinds)[number];

export const vocabulariesFile = path.join(projectRoot, 'seeds/reviewed/vocabularies.yaml');

const table = z.strictObject({
  vocabularies: z.strictObject(
    Object.fromEntries(
      vocabularyKinds.map((k) => [
        k,
        z.strictObject({ terms: z.array(z.string()).min(1), words: z.record(z.string(), z.string()) }),
      ]),
    ) as Record<
      VocabularyKind,
      z.ZodObject<{ terms: z.ZodArray<z.ZodString>; words: z.ZodRecord<z.ZodString, z.ZodString> }>
    >,
  ),
});

type Vocabulary = { terms: Set<string>; words: Map<string, string> };
let loaded: Record<VocabularyKind, Vocabulary> | undefined;

/** The table, read once. */
export function vocabularies(): Record<VocabularyKind, Vocabulary> {
  if (loaded) return loaded;
  const parsed = table.parse(parse(readFileSync(vocabulariesFile, 'utf8'))).vocabularies;
  loaded = Object.fromEntries(
    vocabularyKinds.map((kind) => [
      kind,
      { terms: new Set(parsed[kind].terms), words: new Map(Object.entries(parsed[kind].words)) },
    ]),
  ) as Record<VocabularyKind, Vocabulary>;
  return loaded;
}

/** A word folded as vocabulary terms are written: lower case, each run of other characters one hyphen. */
export const foldWord = (word: string) =>
  word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');

/** The term a word means in a vocabulary, and whether it is one of the vocabulary's terms (else custom). */
export function termOf(kind: VocabularyKind, word: string): { term: string; custom: boolean } {
  const { terms, words } = vocabularies()[kind];
  const folded = foldWord(word);
  const term = terms.has(folded) ? folded : (words.get(folded) ?? folded);
  return { term, custom: !terms.has(term) };
}

/** Each word's term, in order, without repeats (and without empty words). */
export const termsOf = (kind: VocabularyKind, words: readonly string[]) => [
  ...new Set(words.map((w) => termOf(kind, w).term).filter(Boolean)),
];

/** A tool's types come from malware-type-ov for malware, tool-type-ov for tools. */
export const toolTypeVocabulary = (toolKind: string): VocabularyKind =>
  toolKind === 'MALWARE' ? 'malware-type' : 'tool-type';

/**
 * The vocabulary columns of a row about to be written, as terms: an actor's motivations, a tool's
 * types, a victim's sector, a region victim's region (from its name). `before`: the stored row, for an
 * update that changes only some columns. Other columns are left as given.
 */
export function withVocabularyTerms(
  model: string,
  data: Record<string, unknown>,
  before: Record<string, unknown> = {},
): Record<string, unknown> {
  const out = { ...data };
  if (model === 'Actor' && Array.isArray(data.motivations))
    out.motivations = termsOf('attack-motivation', data.motivations as string[]);
  if (model === 'Tool' && Array.isArray(data.malwareTypes))
    out.malwareTypes = termsOf(toolTypeVocabulary(String(data.kind ?? before.kind)), data.malwareTypes as string[]);
  if (model === 'Tool' && data.kind && !data.malwareTypes && Array.isArray(before.malwareTypes))
    out.malwareTypes = termsOf(toolTypeVocabulary(String(data.kind)), before.malwareTypes as string[]);
  if (model === 'Victim') {
    if (typeof data.sector === 'string') out.sector = termOf('industry-sector', data.sector).term || null;
    const kind = data.kind ?? before.kind;
    const name = data.name ?? before.name;
    if ((data.kind !== undefined || data.name !== undefined) && kind)
      out.region = kind === 'REGION' && typeof name === 'string' ? termOf('region', name).term || null : null;
  }
  return out;
}
