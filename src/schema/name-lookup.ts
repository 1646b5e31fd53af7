// Finding the one actor, campaign or tool that carries a name or an identifier, for actor(name:),
// actor(externalId:), campaign(...) and tool(...). Never picks one silently: several matches are an AMBIGUOUS_NAME error.

import { visibleFact, visibleRecord } from '../auth/visibility.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import { encodeId } from '../global-id.js';
import { rankOf } from '../write/resolution.js';
import { normalizeName } from '../write/rules.js';
import { resolveLookupId } from './args.js';
import { checkView } from './known-at.js';
import type { EntityType } from './typed.js';

const ownerField = { Actor: 'actorId', Campaign: 'campaignId', Tool: 'toolId' } as const;
const entitySelect = { name: true, revoked: true, deprecated: true } as const;

/** What a person needs to choose among entities that share a name: where each comes from, and who uses the name. */
export type Candidate = {
  id: string;
  name: string;
  datasets: string[];
  attackIds: string[];
  matchedNames: { value: string; sources: string[] }[];
};

/** The database id of the one entity of `type` that carries `name`. */
export async function findOneByName(ctx: Context, type: EntityType, name: string): Promise<string> {
  const normalized = normalizeName(name);
  if (!normalized)
    throw userError('BAD_USER_INPUT', 'A name needs at least one letter or digit.', { argument: 'name' });
  const owner = ownerField[type];
  const rows = await ctx.prisma.name.findMany({
    where: { normalized, [owner]: { not: null }, ...visibleFact(ctx.principal.clearance) },
    select: {
      actorId: true,
      campaignId: true,
      toolId: true,
      actor: { select: entitySelect },
      campaign: { select: entitySelect },
      tool: { select: entitySelect },
    },
  });
  const byId = new Map<string, { name: string; current: boolean }>();
  for (const r of rows) {
    const entity = (r.actor ?? r.campaign ?? r.tool)!;
    byId.set(r[owner]!, { name: entity.name, current: !entity.revoked && !entity.deprecated });
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
    const candidates = await candidatesFor(ctx, type, normalized, [...byId.keys()]);
    const described = candidates.map((c) => `${c.name} (${[...c.datasets, ...c.attackIds].join(', ')})`);
    throw userError(
      'AMBIGUOUS_NAME',
      `"${name}" is a name of ${byId.size} ${what}s: ${described.join('; ')}. Ask by id or externalId; the candidates, with their datasets, ATT&CK ids and the sources of the matching names, are in extensions.candidates.`,
      { candidates },
    );
  }
  return [...byId.keys()][0];
}

/** The candidates of an ambiguous name, with what tells them apart (read only when a name is ambiguous). */
async function candidatesFor(ctx: Context, type: EntityType, normalized: string, ids: string[]): Promise<Candidate[]> {
  const clearance = ctx.principal.clearance;
  const owner = ownerField[type];
  const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
  const delegate = ctx.prisma[model] as unknown as {
    findMany(a: object): Promise<
      {
        id: string;
        name: string;
        dataset: string;
        externalIds: { value: string }[];
        records: { dataset: string }[];
        names: { value: string; citations: { source: { title: string } }[] }[];
      }[]
    >;
  };
  const rows = await delegate.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      name: true,
      dataset: true,
      externalIds: { where: { system: 'mitre-attack' }, select: { value: true }, orderBy: { value: 'asc' } },
      records: { where: visibleRecord(clearance), select: { dataset: true } },
      names: {
        where: { normalized, [owner]: { in: ids }, ...visibleFact(clearance) },
        select: {
          value: true,
          citations: {
            where: { source: visibleRecord(clearance) },
            select: { source: { select: { title: true } } },
            orderBy: { createdAt: 'asc' },
            take: 5,
          },
        },
      },
    },
  });
  return rows
    .map((r) => ({
      id: encodeId(type, r.id),
      name: r.name,
      // The datasets whose records it combines, in precedence order (the one its fields come from first).
      datasets: [...new Set([r.dataset, ...r.records.map((x) => x.dataset)])].sort(
        (a, b) => rankOf(a) - rankOf(b) || a.localeCompare(b),
      ),
      attackIds: r.externalIds.map((x) => x.value),
      matchedNames: r.names.map((n) => ({ value: n.value, sources: n.citations.map((c) => c.source.title) })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * The identifier forms a lookup tries: ATT&CK ids are upper case (G0032), STIX ids and MISP uuids lower
 * case, so that an identifier is found however it is typed (as names are).
 */
export function identifierForms(value: string) {
  const trimmed = value.trim();
  return [...new Set([trimmed, trimmed.toUpperCase(), trimmed.toLowerCase()])];
}

/** The database id of the entity of `type` that holds an identifier: ATT&CK id, STIX id, MISP uuid ... */
export async function findOneByExternalId(ctx: Context, type: EntityType, externalId: string): Promise<string> {
  if (!externalId.trim())
    throw userError('BAD_USER_INPUT', 'An identifier cannot be empty.', { argument: 'externalId' });
  const owner = ownerField[type];
  const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
  const found = await ctx.prisma.externalId.findFirst({
    where: {
      value: { in: identifierForms(externalId) },
      [owner]: { not: null },
      [model]: visibleRecord(ctx.principal.clearance),
    },
    select: { [owner]: true },
  });
  const id = (found as Record<string, string | null> | null)?.[owner];
  if (!id)
    throw notFound(
      model,
      `the identifier "${externalId}"`,
      'Identifiers are ATT&CK ids (G0032, C0022, S0002), STIX ids (intrusion-set--...) and MISP uuids.',
    );
  return id;
}

/** The resolver of actor(id:|name:|externalId:), campaign(...) and tool(...). */
export function lookupResolver<Row>(type: EntityType) {
  const model = type.toLowerCase() as 'actor' | 'campaign' | 'tool';
  return async (
    query: object,
    _root: unknown,
    args: { id?: string | number | null; name?: string | null; externalId?: string | null },
    ctx: Context,
  ): Promise<Row> => {
    checkView(ctx);
    const id = await resolveLookupId(args, type, {
      byName: () => findOneByName(ctx, type, args.name!),
      byExternalId: () => findOneByExternalId(ctx, type, args.externalId!),
    });
    const delegate = ctx.prisma[model] as unknown as { findUnique(a: object): Promise<Row | null> };
    const row = await delegate.findUnique({ ...query, where: { id, ...visibleRecord(ctx.principal.clearance) } });
    if (!row) throw notFound(model, 'that ID', 'It may have been deleted.');
    return row;
  };
}
