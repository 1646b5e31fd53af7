// What every mutation input is checked against (plugin-validation, with zod): errors name the field
// ("input.confidence: ..."), and nothing is written when any field is wrong.
import { iso31661 } from 'iso-3166';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { tlpLevels } from '../auth/principal.js';
import { userError } from '../errors.js';
import type { Tlp } from '../generated/prisma/client.js';
import { keyPattern, keyRule } from '../write/rules.js';

/** ISO 3166-1 alpha-2 codes officially assigned (not reserved ones such as UK, EU or QO). */
const assigned = new Set(iso31661.map((c) => c.alpha2));
const isCountry = (code: string) => assigned.has(code);

export const check = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'is limited to 200 characters'),
  text: z.string().max(20_000, 'is limited to 20,000 characters'),
  shortText: z.string().max(500, 'is limited to 500 characters'),
  key: z.string().regex(keyPattern, keyRule),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as KP')
    .refine(
      isCountry,
      'is not an assigned ISO 3166-1 code (reserved ones such as UK or EU are not countries: the United Kingdom is GB)',
    ),
  countries: z
    .array(
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as KP')
        .refine(
          isCountry,
          'is not an assigned ISO 3166-1 code (reserved ones such as UK or EU are not countries: the United Kingdom is GB)',
        ),
    )
    .max(50, 'is limited to 50 countries'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000, 'is limited to 2,000 characters'),
  urls: z
    .array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000))
    .max(20, 'is limited to 20 addresses'),
  words: z
    .array(z.string().trim().min(1, 'must not hold empty strings').max(200))
    .max(100, 'is limited to 100 entries'),
  confidence: z.number().int().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100'),
  language: z.string().regex(/^[a-z]{2}$/, 'must be an ISO 639-1 code such as en'),
  decimal: z.string().regex(/^\d{1,18}(\.\d{1,2})?$/, 'must be a non-negative amount with at most 2 decimals'),
  version: z.number().int().min(1, 'must be the version you read (1 or more)'),
  sourcesList: z
    .array(z.unknown())
    .min(1, 'needs at least one source: claims here are sourced')
    .max(50, 'is limited to 50 sources'),
};

/** "from" must not come after "to" (both optional). */
export const ordered = (from: string, to: string) => (input: Record<string, unknown>) => {
  const a = input[from] as Date | null | undefined;
  const b = input[to] as Date | null | undefined;
  return !(a && b && a > b);
};

/** A marking the caller may give: never above their own clearance (they could not read what they wrote). */
export function markingFor(principal: Principal, tlp: Tlp | null | undefined, field: string): Tlp {
  const marking = tlp ?? 'CLEAR';
  if (tlpLevels.indexOf(marking) > tlpLevels.indexOf(principal.clearance)) {
    throw userError(
      'BAD_USER_INPUT',
      `${field}: TLP:${marking} is above this key's clearance (TLP:${principal.clearance}).`,
      { fields: [{ field, message: 'above your clearance' }] },
    );
  }
  return marking;
}
