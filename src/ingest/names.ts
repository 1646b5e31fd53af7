// Name normalisation for lookups: case, spaces and punctuation folded, so that "Dangerous Password",
// "dangerouspassword" and "DANGEROUS-PASSWORD" are one key. Letters of every script are kept
// (NFKD folds accents and full-width forms first).
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
