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
