// Finding the one actor, campaign or tool that carries a name, for actor(name:), campaign(name:)
// and tool(name:). Never picks one silently: several matches are an AMBIGUOUS_NAME error.

import { visibleFact, visibleRecord } from '../auth/visibility.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import { encodeId } from '../global-id.js';
import { normalizeName } from '../write/rules.js';
import { resolveLookupId } from './args.js';
import type { EntityType } from './typed.js';

const ownerField = { Actor: 'actorId', Campaign: 'campaignId', Tool: 'toolId' } as const;
const entitySelect = { name: true, revoked: true, deprecated: true } as const;

/** The database id of the one entity of `type` that carries `name`. */
export async function findOneByName(ctx: Context, type: EntityType, name: string): Promise<string> {
  const normalized = normalizeName(name);
  if (!normalized)
    throw userError('BAD_USER_INPUT', 'A name needs at least one letter or digit.', { argument: 'name' });
  const owner = ownerField[type];
  const rows = await ctx.prisma.name.findMany({
    where: { normalized, [owner]: { not: null }, ...visibleFact(ctx.principal.clearance) },
    select: {
      value: true,
      actorId: true,
      campaignId: true,
      toolId: true,
      actor: { select: entitySelect },
      campaign: { select: entitySelect },
      tool: { select: entitySelect },
    },
  });
  const byId = new Map<string, { id: string; name: string; matchedNames: string[]; current: boolean }>();
  for (const r of rows) {
    const id = r[owner]!;
    const entity = (r.actor ?? r.campaign ?? r.tool)!;
    const entry = byId.get(id) ?? {
      id: encodeId(type, id),
      name: entity.name,
      matchedNames: [],
      current: !entity.revoked && !entity.deprecated,
    };
    entry.matchedNames.push(r.value);
    byId.set(id, entry);
  }
  const what = type.toLowerCase();
  if (byId.size === 0)
    throw notFound(
      what,
      `the name "${name}"`,
      'Names are matched ignoring case, spaces and punctuation; try search(query:) for close matches.',
    );
  // A revoked or deprecated record keeps its names; while a current record carries the name too, it wins.
  if ([...byId.values()].some((e) => e.current)) for (const [id, e] of byId) if (!e.current) byId.delete(id);
  if (byId.size > 1) {
    const candidates = [...byId.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ current: _current, ...c }) => c);
    throw userError(
      'AMBIGUOUS_NAME',
      `"${name}" is a name of ${byId.size} ${what}s (${candidates.map((c) => c.name).join(', ')}). Ask by id; the candidates are in extensions.candidates.`,
      { candidates },
    );
  }
  return [...byId.keys()][0];
}

/** The resolver of actor(id:|name:), campaign(...) and tool(...): by global ID or by any name. */
export function lookupResolver<Row>(type: EntityType) {
  const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
  return async (
    query: object,
    _root: unknown,
    args: { id?: string | number | null; name?: string | null },
    ctx: Context,
  ): Promise<Row> => {
    const id = await resolveLookupId(args, type, () => findOneByName(ctx, type, args.name!));
    const delegate = ctx.prisma[model] as unknown as { findUnique(a: object): Promise<Row | null> };
    const row = await delegate.findUnique({ ...query, where: { id, ...visibleRecord(ctx.principal.clearance) } });
    if (!row) throw notFound(model, 'that ID', 'It may have been deleted.');
    return row;
  };
}
