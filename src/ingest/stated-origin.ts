// The origin country a dataset's record states, read from the record as it came: MISP's `meta.country`
// (a code), a curated seed entry's `originCountry`. Only a field that states it: never prose (ATT&CK
// states no origin; "North Korean" in a description is not read). Reserved codes go through the same
// rule as on the way in (src/write/countries.ts: UK → GB).
import { assignedCountry } from '../write/countries.js';

export function statedOrigin(format: string, original: unknown): string | null {
  const o = (original ?? {}) as { meta?: { country?: unknown }; originCountry?: unknown };
  const value =
    format === 'misp'
      ? Array.isArray(o.meta?.country)
        ? o.meta.country[0]
        : o.meta?.country
      : format === 'seed'
        ? o.originCountry
        : undefined;
  return typeof value === 'string' ? (assignedCountry(value) ?? null) : null;
}
