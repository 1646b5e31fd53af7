// The rules every way in shares (mutations, seeds, STIX, MISP): how names are normalised, what search
// text a record has, the key format, new ids, and confidence from the words a source used. Pure
// functions: test/unit/rules.test.ts tests them directly.
import { createHash, randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * A new row's id. Time-ordered (UUID v7): rows made in one statement keep the order they were given in
 * (connections page by createdAt, then id), so a claim's citations list in the order they were cited.
 */
export const newId = () => uuidv7();

/** A new claim's key: a STIX relationship id, so that exports and re-imports keep it. */
export const newClaimKey = () => `relationship--${randomUUID()}`;

/** Stable keys (imports and exports use them): lower-case letters, digits and . _ : - (at most 200). */
export const keyPattern = /^[a-z0-9][a-z0-9._:-]{0,199}$/;
export const keyRule = 'must be 1-200 lower-case letters, digits and . _ : - (starting with a letter or digit)';

/**
 * A slug for a key: "Dangerous Password" → "dangerous-password". `empty` stands for a text with no
 * letter or digit of a-z; MISP's keys were made with `{ maxLength: 80, empty: 'x' }` and stay so.
 */
export const slug = (text: string, { maxLength = 120, empty = 'record' } = {}) =>
  text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength) || empty;

/**
 * The key of a source an import knows only by its URL (a STIX external reference, a MISP `refs` entry):
 * the same URL gives the same key in every dataset, so that they share the source.
 */
export const sourceKeyOfUrl = (url: string) => `ref-${createHash('sha256').update(url).digest('hex').slice(0, 24)}`;

/** Records found by their names (actors, campaigns, tools) and the column a name points at each with. */
export const nameOwnerColumn = { Actor: 'actorId', Campaign: 'campaignId', Tool: 'toolId' } as const;

/**
 * Name normalisation for lookups: case, spaces and punctuation folded, so that "Dangerous Password",
 * "dangerouspassword" and "DANGEROUS-PASSWORD" are one key. Letters of every script are kept (NFKD
 * folds accents and full-width forms first).
 */
export function normalizeName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The column the trigram index serves for search: the display name and description only. Aliases are
 * searched through the Name table, where each carries its TLP visibility (a marked alias in this text
 * would be found by callers not cleared for it).
 */
export const searchTextOf = (name: string, description: string | null | undefined) =>
  [name, description ?? ''].join(' ').toLowerCase();

// Sources state confidence in words ("medium", "MEDIUM-HIGH likelihood"); the API also gives a
// number on 0-100. The number is derived from the label with the STIX 2.1 "None / Low / Med / High"
// scale (Appendix A of the STIX 2.1 specification: None 0, Low 15, Med 50, High 85); a label between
// two levels ("medium-high") takes the midpoint, rounded.
const scale: Record<string, number> = {
  none: 0,
  low: 15,
  'low-medium': 33,
  medium: 50,
  moderate: 50,
  'medium-high': 68,
  high: 85,
  // MISP's estimative-language likelihoods (midpoints of their ranges)
  'almost-no-chance': 3,
  'very-unlikely': 12,
  unlikely: 30,
  'roughly-even-chance': 50,
  likely: 70,
  'very-likely': 87,
  'almost-certain': 97,
};

export function confidenceFromLabel(label: string | null | undefined): number | null {
  if (!label) return null;
  const key = label.trim().toLowerCase().replace(/\s+/g, '-').replace(/^med-/, 'medium-').replace(/^med$/, 'medium');
  return scale[key] ?? null;
}

export const knownConfidenceLabels = Object.keys(scale);

/** How precise a date is: a day, a month (the first of it stands for it) or a year (its 1 January). */
export type DatePrecision = 'DAY' | 'MONTH' | 'YEAR';

/** What earliestReportDate reads of a cited source. */
export type SourceDate = { publishedOn: Date | string | null; publishedPrecision: DatePrecision; kind: string };

/**
 * An attribution's assessment date, on every way in: the one given (a day), else its earliest dated
 * report's (`citedSources` is read only then), else none.
 */
export async function assessedDate(
  given: Date | null | undefined,
  citedSources: () => Promise<SourceDate[]>,
): Promise<{ assessedOn: Date | null; assessedPrecision: DatePrecision | null }> {
  if (given) return { assessedOn: given, assessedPrecision: 'DAY' };
  return earliestReportDate(await citedSources()) ?? { assessedOn: null, assessedPrecision: null };
}

/**
 * The date a claim was assessed, when it gives none: that of the earliest dated report it cites, with
 * that date's precision (a dataset's own pages do not count: their date is when a catalogue entry was
 * made). Before this rule an ATT&CK attribution was "assessed" when MITRE created the relationship
 * (Operation Dream Job: 2023-03-17, for reports of 2020).
 */
export function earliestReportDate(
  sources: SourceDate[],
): { assessedOn: Date; assessedPrecision: DatePrecision } | null {
  let earliest: { assessedOn: Date; assessedPrecision: DatePrecision } | null = null;
  for (const s of sources) {
    if (!s.publishedOn || s.kind === 'DATASET') continue;
    const on = new Date(s.publishedOn);
    if (!earliest || on < earliest.assessedOn) earliest = { assessedOn: on, assessedPrecision: s.publishedPrecision };
  }
  return earliest;
}
