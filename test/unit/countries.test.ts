// Countries are assigned ISO 3166-1 codes only: names and codes from every dataset go through these.
import { describe, expect, it } from 'vitest';
import { assignedCountry, countryCodeOfName, isAssignedCountry } from '../../src/write/countries.js';

describe('country names and codes', () => {
  it('maps the names MISP uses to assigned codes', () => {
    expect(
      [
        'United States',
        'South Korea',
        'Russia',
        'Iran',
        'Taiwan',
        'Hong Kong',
        'Czech Republic',
        'Vietnam',
        'Germany',
        'France',
        'United Kingdom',
        'Serbia',
      ].map(countryCodeOfName),
    ).toEqual(['US', 'KR', 'RU', 'IR', 'TW', 'HK', 'CZ', 'VN', 'DE', 'FR', 'GB', 'RS']);
    expect(countryCodeOfName('Bangladesh Bank')).toBeUndefined();
    expect(countryCodeOfName('European Union')).toBeUndefined(); // EU is reserved: a region, not a country
  });

  it('turns reserved codes into the one country they stand for, or into none', () => {
    expect(['kp', 'GB', 'UK', 'FX', 'YU', 'CS', 'EU', 'QO', 'XK', 'K', ''].map(assignedCountry)).toEqual([
      'KP',
      'GB',
      'GB',
      'FR',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(isAssignedCountry('UK')).toBe(false);
    expect(isAssignedCountry('GB')).toBe(true);
  });
});
