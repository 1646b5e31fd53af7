// The techniques of an actor, a campaign or a tool, derived and paged in SQL: a subject's own technique
// uses, and those of what it stands for — an actor's currently attributed campaigns and the tools it (or
// those campaigns) uses, a campaign's tools. One entry per technique, in ATT&CK id order; only the
// page's techniques and their claims are read. Retracted claims (ATT&CK's deprecated relationships)
// are not evidence of use and are left out.

import { visibleFact, visibleRecordSql } from '../auth/visibility.js';
import type { Db } from '../db.js';
import type { Campaign, Technique, TechniqueUse, Tool } from '../generated/prisma/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { currentSql, type FactScope, factSql, knownWhere } from './known-at.js';

export type TechniqueSubject = 'Actor' | 'Campaign' | 'Tool';

/** One technique of a subject: `direct` when a claim names the subject itself, else through `viaCampaigns` / `viaTools`. */
export type DerivedTechnique = {
  technique: Technique;
  direct: boolean;
  viaCampaigns: Campaign[];
  viaTools: Tool[];
  claims: TechniqueUse[];
};
export type TechniquePage = { items: DerivedTechnique[]; offset: number; totalCount: number };

const live = (scope: FactScope, alias: string) =>
  Prisma.sql`${factSql(scope, alias, 'techniqueUseId')} AND ${Prisma.raw(`${alias}.status`)} <> 'RETRACTED'`;

/**
 * (subject, user kind, user id): who stands for each subject — itself, and for an actor its current
 * campaigns and the tools it or they use, for a campaign its tools.
 */
function usersSql(subject: TechniqueSubject, ids: string[], scope: FactScope) {
  const column = Prisma.raw(`"${subject[0].toLowerCase()}${subject.slice(1)}Id"`);
  const self = Prisma.sql`SELECT s AS subject, ${subject}::text AS kind, s AS "user" FROM unnest(${ids}::uuid[]) s`;
  if (subject === 'Tool') return self;
  const campaigns =
    subject === 'Actor'
      ? Prisma.sql`SELECT a."actorId" AS subject, 'Campaign'::text AS kind, a."campaignId" AS "user" FROM "Attribution" a
          WHERE a."actorId" = ANY(${ids}::uuid[]) AND a."campaignId" IS NOT NULL AND ${currentSql(scope, 'a')} AND ${factSql(scope, 'a', 'attributionId')}`
      : Prisma.sql`SELECT s AS subject, 'Campaign'::text AS kind, s AS "user" FROM unnest(${ids}::uuid[]) s WHERE false`;
  return Prisma.sql`
    ${self}
    UNION ALL ${campaigns}
    UNION SELECT x.subject, 'Tool', u."toolId" FROM (${self}) x
      JOIN "ToolUsage" u ON u.${column} = x."user" AND ${factSql(scope, 'u', 'toolUsageId')}
    UNION SELECT x.subject, 'Tool', u."toolId" FROM (${campaigns}) x
      JOIN "ToolUsage" u ON u."campaignId" = x."user" AND ${factSql(scope, 'u', 'toolUsageId')}`;
}

/** The claims of technique uses by one kind of user. */
const claimJoin = (scope: FactScope) => Prisma.sql`JOIN "TechniqueUse" tu ON (
      (x.kind = 'Actor' AND tu."actorId" = x."user") OR (x.kind = 'Campaign' AND tu."campaignId" = x."user")
      OR (x.kind = 'Tool' AND tu."toolId" = x."user")) AND ${live(scope, 'tu')}`;

/** Each subject's page of techniques: totals, then the page's technique ids, then their rows and claims. */
export async function techniquePages(
  prisma: Db,
  scope: FactScope,
  subject: TechniqueSubject,
  subjectIds: readonly string[],
  window: (totalCount: number) => { offset: number; limit: number },
  loadTechniques: (ids: string[]) => Promise<Technique[]>,
): Promise<TechniquePage[]> {
  const ids = [...subjectIds];
  const users = await prisma.$queryRaw<{ subject: string; kind: TechniqueSubject; user: string }[]>`
    SELECT subject::text, kind, "user"::text FROM (${usersSql(subject, ids, scope)}) x`;
  const userSql = Prisma.sql`SELECT * FROM unnest(${users.map((u) => u.subject)}::uuid[], ${users.map((u) => u.kind)}::text[], ${users.map((u) => u.user)}::uuid[]) AS x(subject, kind, "user")`;
  // Distinct (subject, technique) pairs, ranked in ATT&CK id order, with each subject's total.
  const ranked = await prisma.$queryRaw<{ subject: string; technique: string; pos: number; total: number }[]>`
    WITH pairs AS (SELECT DISTINCT x.subject, tu."techniqueId" AS technique FROM (${userSql}) x ${claimJoin(scope)}),
    ranked AS (
      SELECT p.subject, t.id AS technique,
             row_number() OVER (PARTITION BY p.subject ORDER BY t."attackId", t.id) - 1 AS pos,
             count(*) OVER (PARTITION BY p.subject) AS total
        FROM pairs p JOIN "Technique" t ON t.id = p.technique AND ${visibleRecordSql(scope.clearance, 't')})
    SELECT subject::text, technique::text, pos::int, total::int FROM ranked`;
  const totals = new Map(ranked.map((r) => [r.subject, r.total]));
  const windows = new Map(ids.map((id) => [id, window(totals.get(id) ?? 0)]));
  const page = ranked.filter((r) => {
    const w = windows.get(r.subject)!;
    return r.pos >= w.offset && r.pos < w.offset + w.limit;
  });
  const pageTechniques = [...new Set(page.map((r) => r.technique))];
  const usersOf = (s: string) => users.filter((u) => u.subject === s);
  const [techniques, claims] = pageTechniques.length
    ? await Promise.all([
        loadTechniques(pageTechniques),
        prisma.techniqueUse.findMany({
          where: {
            techniqueId: { in: pageTechniques },
            status: { not: 'RETRACTED' },
            ...visibleFact(scope.clearance),
            ...knownWhere(scope.known),
            OR: (['Actor', 'Campaign', 'Tool'] as const).map((kind) => ({
              [`${kind[0].toLowerCase()}${kind.slice(1)}Id`]: {
                in: [...new Set(users.filter((u) => u.kind === kind).map((u) => u.user))],
              },
            })),
          },
          include: { campaign: true, tool: true },
          orderBy: { id: 'asc' },
        }),
      ])
    : [[], []];
  const byId = new Map(techniques.map((t) => [t.id, t]));
  return ids.map((id) => {
    const mine = usersOf(id);
    const has = (kind: TechniqueSubject, user: string | null) =>
      user != null && mine.some((u) => u.kind === kind && u.user === user);
    const items = page
      .filter((r) => r.subject === id)
      .sort((a, b) => a.pos - b.pos)
      .map((r) => {
        const own = claims.filter((c) => c.techniqueId === r.technique && has(subject, ownColumn(subject, c)));
        const derived = claims.filter(
          (c) =>
            c.techniqueId === r.technique &&
            !own.includes(c) &&
            ((subject !== 'Campaign' && has('Campaign', c.campaignId)) ||
              (subject !== 'Tool' && has('Tool', c.toolId))),
        );
        const unique = <T extends { id: string; name: string }>(xs: (T | null)[]) =>
          [...new Map(xs.filter((x): x is T => x != null).map((x) => [x.id, x])).values()].sort((a, b) =>
            a.name.localeCompare(b.name),
          );
        return {
          technique: byId.get(r.technique)!,
          direct: own.length > 0,
          viaCampaigns: subject === 'Campaign' ? [] : unique(derived.map((c) => c.campaign)),
          viaTools: subject === 'Tool' ? [] : unique(derived.map((c) => c.tool)),
          claims: [...own, ...derived],
        };
      });
    return { items, offset: windows.get(id)!.offset, totalCount: totals.get(id) ?? 0 };
  });
}

const ownColumn = (subject: TechniqueSubject, c: TechniqueUse) =>
  subject === 'Actor' ? c.actorId : subject === 'Campaign' ? c.campaignId : c.toolId;
