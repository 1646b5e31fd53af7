// Derived views, batched per request: an actor's campaigns (through attributions), tools and victims
// (its own claims plus those of the campaigns currently attributed to it). One DataLoader call
// serves every actor on a page, so the number of SQL statements does not grow with the page.
import DataLoader from 'dataloader';
import type { Db } from '../db.js';
import type { Attribution, Campaign, Targeting, Tool, ToolUsage, Victim } from '../generated/prisma/client.js';

export type ActorCampaign = { campaign: Campaign; attributions: Attribution[] };
/** A tool or victim of an actor: `direct` when a claim names the actor, `via` the campaigns it is derived through. */
export type Derived<T, C> = { target: T; direct: boolean; claims: C[]; via: Campaign[] };

function groupBy<T, K>(rows: T[], key: (row: T) => K) {
  const map = new Map<K, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
}

/** Campaigns attributed (by a CURRENT claim) to each actor: the basis of derived tools and victims. */
async function currentCampaigns(prisma: Db, actorIds: readonly string[]) {
  return prisma.attribution.findMany({
    where: { actorId: { in: [...actorIds] }, campaignId: { not: null }, status: 'CURRENT' },
    include: { campaign: true },
  });
}

/**
 * Merges an actor's direct claims with those of its campaigns: one entry per target, marked direct
 * when the actor itself is claimed, with `via` listing the campaigns it is derived through.
 */
async function derive<C extends { id: string; actorId: string | null; campaignId: string | null }, T extends { id: string; name: string }>(
  prisma: Db,
  actorIds: readonly string[],
  loadClaims: (where: object) => Promise<(C & { target: T })[]>,
) {
  const attributions = await currentCampaigns(prisma, actorIds);
  const campaignIds = [...new Set(attributions.map((a) => a.campaignId!))];
  const claims = await loadClaims({ OR: [{ actorId: { in: [...actorIds] } }, { campaignId: { in: campaignIds } }] });
  const claimsByCampaign = groupBy(claims.filter((c) => c.campaignId), (c) => c.campaignId!);
  return actorIds.map((actorId) => {
    type Entry = { target: T; direct: boolean; claims: (C & { target: T })[]; via: Map<string, Campaign> };
    const entries = new Map<string, Entry>();
    const entry = (target: T) => {
      const e: Entry = entries.get(target.id) ?? { target, direct: false, claims: [], via: new Map() };
      entries.set(target.id, e);
      return e;
    };
    for (const c of claims.filter((c) => c.actorId === actorId)) {
      const e = entry(c.target);
      e.direct = true;
      e.claims.push(c);
    }
    for (const a of attributions.filter((a) => a.actorId === actorId)) {
      for (const c of claimsByCampaign.get(a.campaignId!) ?? []) {
        const e = entry(c.target);
        if (!e.claims.includes(c)) e.claims.push(c);
        e.via.set(a.campaign!.id, a.campaign!);
      }
    }
    return [...entries.values()]
      .map((e) => ({ ...e, via: [...e.via.values()].sort((x, y) => x.name.localeCompare(y.name)) }))
      .sort((x, y) => x.target.name.localeCompare(y.target.name) || x.target.id.localeCompare(y.target.id));
  });
}

export function createLoaders(prisma: Db) {
  return {
    actorCampaigns: new DataLoader<string, ActorCampaign[]>(async (actorIds) => {
      const rows = await prisma.attribution.findMany({
        where: { actorId: { in: [...actorIds] }, campaignId: { not: null } },
        include: { campaign: true },
        orderBy: [{ assessedOn: 'asc' }, { id: 'asc' }],
      });
      return actorIds.map((actorId) => {
        const mine = rows.filter((r) => r.actorId === actorId);
        return [...groupBy(mine, (r) => r.campaignId!).values()]
          .map((attributions) => ({ campaign: attributions[0].campaign!, attributions }))
          .sort((a, b) => a.campaign.name.localeCompare(b.campaign.name) || a.campaign.id.localeCompare(b.campaign.id));
      });
    }),
    actorTools: new DataLoader<string, Derived<Tool, ToolUsage>[]>((actorIds) =>
      derive(prisma, actorIds, async (where) =>
        (await prisma.toolUsage.findMany({ where, include: { tool: true }, orderBy: { id: 'asc' } })).map((u) => ({ ...u, target: u.tool })),
      ),
    ),
    actorVictims: new DataLoader<string, Derived<Victim, Targeting>[]>((actorIds) =>
      derive(prisma, actorIds, async (where) =>
        (await prisma.targeting.findMany({ where, include: { victim: true }, orderBy: { id: 'asc' } })).map((t) => ({ ...t, target: t.victim })),
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
