// Argument handling shared by the query fields: lookups by id or name, country codes, date ranges,
// citation kinds.
import { userError } from '../errors.js';
import { idOf } from '../global-id.js';

/** The database id named by `id` (checked to be of the right type), or found by `name` or `externalId`. */
export async function resolveLookupId(
  args: { id?: unknown; name?: unknown; externalId?: unknown },
  type: string,
  find: { byName: () => Promise<string>; byExternalId: () => Promise<string> },
): Promise<string> {
  if ([args.id, args.name, args.externalId].filter((a) => a != null).length !== 1)
    throw userError('BAD_USER_INPUT', 'Give exactly one of "id", "name" or "externalId".');
  if (args.name != null) return find.byName();
  if (args.externalId != null) return find.byExternalId();
  return idOf(String(args.id), [type], 'id').id;
}

/** A country-code argument, upper-cased; anything but two letters is refused. */
export function countryArg(value: string, argument: string) {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code))
    throw userError(
      'BAD_USER_INPUT',
      `"${argument}" must be an ISO 3166-1 alpha-2 country code such as KP (got "${value}").`,
      { argument },
    );
  return code;
}

/**
 * Active between two dates, by stated first and last seen: seen on or after `from` (or ongoing: a first
 * seen and no last), first seen on or before `to`. A record with neither date is unknown, left out
 * unless `includeUndated`.
 */
export function activeBetween(from?: Date | null, to?: Date | null, includeUndated?: boolean | null) {
  if (from && to && from > to)
    throw userError('BAD_USER_INPUT', '"activeFrom" must not be after "activeTo".', { argument: 'filter' });
  if (!from && !to) return [];
  const dated = { OR: [{ firstSeen: { not: null } }, { lastSeen: { not: null } }] };
  const undated = { firstSeen: null, lastSeen: null };
  const window = [
    ...(from ? [{ OR: [{ lastSeen: { gte: from } }, { lastSeen: null }] }] : []),
    ...(to ? [{ OR: [{ firstSeen: { lte: to } }, { firstSeen: null }] }] : []),
  ];
  return [{ OR: [{ AND: [dated, ...window] }, ...(includeUndated ? [undated] : [])] }];
}

/** The Prisma filter for citations of the given kinds of record. */
export function citationTargetFilter(targets: readonly ('NAME' | 'CLAIM' | 'ENTITY')[] | null | undefined) {
  if (!targets?.length) return {};
  const fields = targets.flatMap((t) =>
    t === 'NAME'
      ? ['nameId']
      : t === 'CLAIM'
        ? ['attributionId', 'toolUsageId', 'targetingId', 'associationId', 'techniqueUseId']
        : ['actorId', 'campaignId', 'toolId', 'victimId'],
  );
  return { OR: fields.map((f) => ({ [f]: { not: null } })) };
}

/** ORDER BY a column then the id (a stable order for cursors); dates without a value sort last. */
export function orderBy<OrderInput>(
  column: string,
  direction: 'ASC' | 'DESC' | null | undefined,
  nullable: boolean,
): OrderInput[] {
  const dir = direction === 'DESC' ? 'desc' : 'asc';
  return [{ [column]: nullable ? { sort: dir, nulls: 'last' } : dir }, { id: dir }] as OrderInput[];
}
