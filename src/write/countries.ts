// Countries: ISO 3166-1 alpha-2 codes that are assigned (the `iso-3166` package's list, 249 codes), never
// the reserved ones (UK, FX, YU, EU, QO ...). Every way in goes through these: mutation inputs, STIX
// locations, MISP country names and codes, the seed format.

import { iso31661 } from 'iso-3166';

/** ISO 3166-1 alpha-2 codes officially assigned. */
const assigned = new Set(iso31661.map((c) => c.alpha2));
export const isAssignedCountry = (code: string) => assigned.has(code);

/**
 * Reserved codes that stand for exactly one assigned country, by the ISO 3166 Maintenance Agency's
 * reservations (https://www.iso.org/obp/ui/#search, "exceptionally" and "transitionally reserved"
 * codes): UK is exceptionally reserved at the United Kingdom's request (its code is GB); FX is
 * transitionally reserved for "France, Metropolitan", part of FR. Other reserved codes name no one
 * country today (YU: Yugoslavia, CS: Serbia and Montenegro, EU: the European Union) and give none.
 */
const reservedFor: Record<string, string> = { UK: 'GB', FX: 'FR' };

/** An alpha-2 code as an assigned one (any case; UK → GB), or undefined when it names no country. */
export function assignedCountry(code: string | undefined | null): string | undefined {
  const upper = code?.trim().toUpperCase();
  if (!upper || !/^[A-Z]{2}$/.test(upper)) return undefined;
  return assigned.has(upper) ? upper : reservedFor[upper];
}

/**
 * English country names → assigned codes: each assigned code's English name (Intl.DisplayNames, as the
 * ICU data in Node has it; reserved codes are left out, so "France" is FR and never FX, "United
 * Kingdom" GB and never UK, "Serbia" RS and never YU), the package's ISO names, and the variants MISP
 * writes (reviewed by hand against the shipped galaxy files).
 */
const byName = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const map = new Map<string, string>();
  for (const c of iso31661) {
    map.set(c.name.toLowerCase(), c.alpha2);
    const display = names.of(c.alpha2);
    if (display && display !== c.alpha2) map.set(display.toLowerCase(), c.alpha2);
  }
  const variants: Record<string, string> = {
    'united states of america': 'US',
    usa: 'US',
    us: 'US',
    uk: 'GB',
    'great britain': 'GB',
    'south korea': 'KR',
    'republic of korea': 'KR',
    'korea (republic of)': 'KR',
    'north korea': 'KP',
    "korea (democratic people's republic of)": 'KP',
    russia: 'RU',
    'russian federation': 'RU',
    iran: 'IR',
    'iran (islamic republic of)': 'IR',
    'czech republic': 'CZ',
    czechia: 'CZ',
    taiwan: 'TW',
    'hong kong': 'HK',
    vietnam: 'VN',
    'viet nam': 'VN',
    syria: 'SY',
    turkey: 'TR',
    türkiye: 'TR',
    laos: 'LA',
    'united arab emirates': 'AE',
    uae: 'AE',
    palestine: 'PS',
    'myanmar (burma)': 'MM',
    burma: 'MM',
    macau: 'MO',
    'ivory coast': 'CI',
    "côte d'ivoire": 'CI',
  };
  for (const [name, code] of Object.entries(variants)) map.set(name, code);
  return map;
})();

/** The assigned code of an English country name, if it is one. */
export function countryCodeOfName(name: string): string | undefined {
  return byName.get(name.trim().toLowerCase());
}
