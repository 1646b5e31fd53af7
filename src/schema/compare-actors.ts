// compareActors: what two or more actors share and what sets them apart — techniques (derived, as
// Actor.techniques), tools and victims (their own claims and their current campaigns'), names, and the
// association claims between them — each item with the claims behind it, so that "is APT38 the same as
// Lazarus Group?" is answered with evidence, never with a merge.
import { visibleFact, visibleRecord } from '../auth/visibility.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { notFound, userError } from '../errors.js';
import type {
  Actor,
  Association,
  Name,
  Targeting,
  Technique,
  TechniqueUse,
  Tool,
  ToolUsage,
  Victim,
} from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { currentCampaigns } from './derived-loaders.js';
import { checkView, knownFact, viewArgs } from './known-at.js';
import { findOneByExternalId } from './name-lookup.js';
import { ids, selectedRows } from './selected-rows.js';
import { techniquePages } from './technique-pages.js';

/** One compared thing (a technique, tool, victim or name) with the compared actors that have it and why. */
type Compared<T, C> = { item: T; actors: Actor[]; shared: boolean; claims: C[] };
type Comparison = {
  actors: Actor[];
  techniques: Compared<Technique, TechniqueUse>[];
  tools: Compared<Tool, ToolUsage>[];
  victims: Compared<Victim, Targeting>[];
  names: Compared<string, Name>[];
  associations: Association[];
};

/** Groups claims by what they are about; each group with the actors it belongs to (in the compared order). */
function compared<T extends { id: string }, C>(
  actors: Actor[],
  entries: { actorId: string; target: T; claims: C[] }[],
  order: (a: T, b: T) => number,
): Compared<T, C>[] {
  const byTarget = new Map<string, { target: T; actorIds: Set<string>; claims: C[] }>();
  for (const e of entries) {
    const g = byTarget.get(e.target.id) ?? { target: e.target, actorIds: new Set<string>(), claims: [] };
    g.actorIds.add(e.actorId);
    for (const c of e.claims) if (!g.claims.includes(c)) g.claims.push(c);
    byTarget.set(e.target.id, g);
  }
  return [...byTarget.values()]
    .map((g) => ({
      item: g.target,
      actors: actors.filter((a) => g.actorIds.has(a.id)),
      shared: g.actorIds.size === actors.length,
      claims: g.claims,
    }))
    .sort((a, b) => Number(b.shared) - Number(a.shared) || b.actors.length - a.actors.length || order(a.item, b.item));
}

/** Each actor's own claims of one kind and those of the campaigns currently attributed to it. */
async function derivedClaims<C extends { actorId: string | null; campaignId: string | null }>(
  ctx: Context,
  actorIds: string[],
  current: { actorId: string | null; campaignId: string | null }[],
  load: (where: object) => Promise<C[]>,
) {
  const claims = await load({
    OR: [{ actorId: { in: actorIds } }, { campaignId: { in: current.map((a) => a.campaignId!) } }],
    ...visibleFact(ctx.principal.clearance),
    ...knownFact(ctx),
  });
  return actorIds.map((actorId) => {
    const campaigns = new Set(current.filter((a) => a.actorId === actorId).map((a) => a.campaignId));
    return { actorId, claims: claims.filter((c) => c.actorId === actorId || campaigns.has(c.campaignId)) };
  });
}

async function compareActors(
  ctx: Context,
  ids: readonly (string | number)[] | null | undefined,
  externalIds: readonly string[] | null | undefined,
): Promise<Comparison> {
  checkView(ctx);
  const clearance = ctx.principal.clearance;
  const known = ctx.view.knownAt;
  if ((ids == null) === (externalIds == null))
    throw userError('BAD_USER_INPUT', 'Give "ids" or "externalIds", not both.', { argument: 'ids' });
  const actorIds = [
    ...new Set(
      ids
        ? ids.map((id, i) => idOf(id, ['Actor'], `ids.${i}`).id)
        : await Promise.all((externalIds ?? []).map((x) => findOneByExternalId(ctx, 'Actor', x))),
    ),
  ];
  if (actorIds.length < 2 || actorIds.length > 10)
    throw userError('BAD_USER_INPUT', 'Compare 2 to 10 different actors.', { argument: 'ids' });
  const rows = await ctx.prisma.actor.findMany({ where: { id: { in: actorIds }, ...visibleRecord(clearance) } });
  const visible = new Set(rows.map((r) => r.id));
  for (const [i, id] of actorIds.entries()) if (!visible.has(id)) throw notFound('actor', `the ID given in ids.${i}`);
  const actors = actorIds.map((id) => rows.find((r) => r.id === id)!);
  // The campaigns currently attributed to them, read once for their tools and their victims.
  const current = await currentCampaigns(ctx.prisma, actorIds, clearance, known);
  const [techniquePagesOf, toolClaims, victimClaims, names, associations] = await Promise.all([
    techniquePages(
      ctx.prisma,
      { clearance, known },
      'Actor',
      actorIds,
      () => ({ offset: 0, limit: 10_000 }),
      (techniqueIds) => ctx.prisma.technique.findMany({ where: { id: { in: techniqueIds } } }),
    ),
    derivedClaims(ctx, actorIds, current, (where) => ctx.prisma.toolUsage.findMany({ where, include: { tool: true } })),
    derivedClaims(ctx, actorIds, current, (where) =>
      ctx.prisma.targeting.findMany({ where, include: { victim: true } }),
    ),
    ctx.prisma.name.findMany({
      where: { actorId: { in: actorIds }, ...visibleFact(clearance), ...knownFact(ctx) },
      orderBy: { value: 'asc' },
    }),
    ctx.prisma.association.findMany({
      where: {
        fromActorId: { in: actorIds },
        toActorId: { in: actorIds },
        ...visibleFact(clearance),
        ...knownFact(ctx),
      },
      orderBy: { id: 'asc' },
    }),
  ]);
  const per = <C, T extends { id: string }>(
    lists: { actorId: string; claims: C[] }[],
    targetOf: (c: C) => T,
  ): { actorId: string; target: T; claims: C[] }[] =>
    lists.flatMap(({ actorId, claims }) => claims.map((c) => ({ actorId, target: targetOf(c), claims: [c] })));
  return {
    actors,
    techniques: compared(
      actors,
      techniquePagesOf.flatMap((page, i) =>
        page.items.map((t) => ({ actorId: actorIds[i], target: t.technique, claims: t.claims })),
      ),
      (a, b) => a.attackId.localeCompare(b.attackId),
    ),
    tools: compared(
      actors,
      per(toolClaims, (c) => c.tool),
      (a, b) => a.name.localeCompare(b.name),
    ),
    victims: compared(
      actors,
      per(victimClaims, (c) => c.victim),
      (a, b) => a.name.localeCompare(b.name),
    ),
    names: compared(
      actors,
      // Each name's records in the order the actors were given (the first spelling names the item).
      [...names]
        .sort(
          (x, y) =>
            x.normalized.localeCompare(y.normalized) || actorIds.indexOf(x.actorId!) - actorIds.indexOf(y.actorId!),
        )
        .map((n) => ({ actorId: n.actorId!, target: { id: n.normalized, value: n.value }, claims: [n] })),
      (a, b) => a.value.localeCompare(b.value),
    ).map((c) => ({ ...c, item: c.item.value })),
    associations,
  };
}

const sharedArg = (t: PothosSchemaTypes.FieldBuilder<typeof builder.$inferSchemaTypes, Comparison, 'Object'>) =>
  t.arg.boolean({ description: 'true: only what every compared actor has; false: only what some do not.' });
const filterShared = <T extends { shared: boolean }>(items: T[], shared: boolean | null | undefined) =>
  shared == null ? items : items.filter((i) => i.shared === shared);

const actorsDescription = 'The compared actors that have it.';

const ComparedTechnique = builder.objectRef<Compared<Technique, TechniqueUse>>('ComparedTechnique').implement({
  fields: (t) => ({
    technique: t.prismaField({
      type: 'Technique',
      resolve: async (query, c, _args, ctx) => (await selectedRows<Technique>(ctx, 'Technique', query, [c.item.id]))[0],
    }),
    actors: t.prismaField({
      type: ['Actor'],
      description: actorsDescription,
      resolve: (query, c, _args, ctx) => selectedRows<Actor>(ctx, 'Actor', query, ids(c.actors)),
    }),
    shared: t.exposeBoolean('shared', { description: 'Every compared actor has it.' }),
    claims: t.prismaField({
      type: ['TechniqueUse'],
      description: 'The technique uses behind it (each actor’s own, its campaigns’ and its tools’).',
      resolve: (query, c, _args, ctx) => selectedRows<TechniqueUse>(ctx, 'TechniqueUse', query, ids(c.claims)),
    }),
  }),
});
const ComparedTool = builder.objectRef<Compared<Tool, ToolUsage>>('ComparedTool').implement({
  fields: (t) => ({
    tool: t.prismaField({
      type: 'Tool',
      resolve: async (query, c, _args, ctx) => (await selectedRows<Tool>(ctx, 'Tool', query, [c.item.id]))[0],
    }),
    actors: t.prismaField({
      type: ['Actor'],
      description: actorsDescription,
      resolve: (query, c, _args, ctx) => selectedRows<Actor>(ctx, 'Actor', query, ids(c.actors)),
    }),
    shared: t.exposeBoolean('shared', { description: 'Every compared actor uses it.' }),
    claims: t.prismaField({
      type: ['ToolUsage'],
      resolve: (query, c, _args, ctx) => selectedRows<ToolUsage>(ctx, 'ToolUsage', query, ids(c.claims)),
    }),
  }),
});
const ComparedVictim = builder.objectRef<Compared<Victim, Targeting>>('ComparedVictim').implement({
  fields: (t) => ({
    victim: t.prismaField({
      type: 'Victim',
      resolve: async (query, c, _args, ctx) => (await selectedRows<Victim>(ctx, 'Victim', query, [c.item.id]))[0],
    }),
    actors: t.prismaField({
      type: ['Actor'],
      description: actorsDescription,
      resolve: (query, c, _args, ctx) => selectedRows<Actor>(ctx, 'Actor', query, ids(c.actors)),
    }),
    shared: t.exposeBoolean('shared', { description: 'Every compared actor targets it.' }),
    claims: t.prismaField({
      type: ['Targeting'],
      resolve: (query, c, _args, ctx) => selectedRows<Targeting>(ctx, 'Targeting', query, ids(c.claims)),
    }),
  }),
});
const ComparedName = builder.objectRef<Compared<string, Name>>('ComparedName').implement({
  fields: (t) => ({
    value: t.string({ description: 'The name (first spelling).', resolve: (c) => c.item }),
    actors: t.prismaField({
      type: ['Actor'],
      description: actorsDescription,
      resolve: (query, c, _args, ctx) => selectedRows<Actor>(ctx, 'Actor', query, ids(c.actors)),
    }),
    shared: t.exposeBoolean('shared', { description: 'Every compared actor carries it.' }),
    names: t.prismaField({
      type: ['Name'],
      description: 'Each actor’s name record, with who coined it and its sources.',
      resolve: (query, c, _args, ctx) => selectedRows<Name>(ctx, 'Name', query, ids(c.claims)),
    }),
  }),
});

const ActorComparison = builder.objectRef<Comparison>('ActorComparison').implement({
  description:
    'Two or more actors side by side: shared and distinct techniques, tools, victims and names, each with the claims behind it, and the associations recorded between them. Shared items first.',
  fields: (t) => ({
    actors: t.prismaField({
      type: ['Actor'],
      resolve: (query, c, _args, ctx) => selectedRows<Actor>(ctx, 'Actor', query, ids(c.actors)),
    }),
    techniques: t.field({
      type: [ComparedTechnique],
      args: { shared: sharedArg(t) },
      resolve: (c, args) => filterShared(c.techniques, args.shared),
    }),
    tools: t.field({
      type: [ComparedTool],
      args: { shared: sharedArg(t) },
      resolve: (c, args) => filterShared(c.tools, args.shared),
    }),
    victims: t.field({
      type: [ComparedVictim],
      args: { shared: sharedArg(t) },
      resolve: (c, args) => filterShared(c.victims, args.shared),
    }),
    names: t.field({
      type: [ComparedName],
      args: { shared: sharedArg(t) },
      resolve: (c, args) => filterShared(c.names, args.shared),
    }),
    associations: t.prismaField({
      type: ['Association'],
      description: 'Association claims (overlaps, linked to, similar …) between two of the compared actors.',
      resolve: (query, c, _args, ctx) => selectedRows<Association>(ctx, 'Association', query, ids(c.associations)),
    }),
  }),
});

builder.queryField('compareActors', (t) =>
  t.field({
    type: ActorComparison,
    description:
      'Compares 2-10 actors: what they share and what sets them apart (techniques, tools, victims, names, associations), each item with its claims. The same as an ATT&CK Navigator layer: navigatorLayer(ids:).',
    args: {
      ids: t.arg.idList({ description: 'The actors’ global IDs.' }),
      externalIds: t.arg.stringList({
        description: 'Or their identifiers: ATT&CK ids (G0082), STIX ids or MISP uuids (any case).',
      }),
      ...viewArgs(t.arg),
    },
    resolve: (_root, args, ctx) => compareActors(ctx, args.ids, args.externalIds),
  }),
);
