// ATT&CK® Navigator layers (layer format 4.5, ../shared/notes/navigator-layer-format.md): the techniques
// of an actor, a campaign or a tool as the caller may see them, scored by how they are its own (direct,
// through a campaign or tool, both), or of two or more actors compared (which of them use each). Each
// technique's comment names its claims' sources, so that a layer opened in Navigator says why.
import { visibleCitation, visibleRecord } from '../auth/visibility.js';
import type { Db } from '../db.js';
import { notFound, userError } from '../errors.js';
import type { Tlp } from '../generated/prisma/client.js';
import { idOf } from '../global-id.js';
import { type DerivedTechnique, type TechniqueSubject, techniquePages } from '../schema/technique-pages.js';

/** The ATT&CK release the shipped techniques come from, and the Navigator version the layers are written for. */
const versions = { attack: '18', navigator: '5.1.0', layer: '4.5' };

type LayerTechnique = { techniqueID: string; tactic?: string; score: number; comment: string; color?: string };
export type NavigatorLayer = {
  name: string;
  versions: typeof versions;
  domain: 'enterprise-attack';
  description: string;
  sorting: number;
  layout: { layout: string; showID: boolean; showName: boolean; expandedSubtechniques: string };
  hideDisabled: boolean;
  techniques: LayerTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  metadata: { name: string; value: string }[];
  links: { label: string; url: string }[];
};

const legendColours = ['#a6cee3', '#fdbf6f', '#e31a1c'];

/** Every technique of a subject (all pages at once) with its claims' sources, as the caller may see them. */
async function techniquesOf(prisma: Db, clearance: Tlp, subject: TechniqueSubject, id: string) {
  const [page] = await techniquePages(
    prisma,
    { clearance, known: null },
    subject,
    [id],
    () => ({ offset: 0, limit: 10_000 }),
    (ids) => prisma.technique.findMany({ where: { id: { in: ids } } }),
  );
  const claimIds = page.items.flatMap((i) => i.claims.map((c) => c.id));
  const citations = claimIds.length
    ? await prisma.citation.findMany({
        where: { techniqueUseId: { in: claimIds }, ...visibleCitation(clearance) },
        select: { techniqueUseId: true, source: { select: { title: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      })
    : [];
  const sourcesOf = new Map<string, string[]>();
  for (const c of citations)
    sourcesOf.set(c.techniqueUseId!, [...(sourcesOf.get(c.techniqueUseId!) ?? []), c.source.title]);
  return page.items.map((item) => ({
    item,
    sources: [...new Set(item.claims.flatMap((c) => sourcesOf.get(c.id) ?? []))],
  }));
}

/** Why a technique is the subject's, in words: direct, and the campaigns and tools it came through. */
const howWords = (item: DerivedTechnique) =>
  [
    ...(item.direct ? ['direct'] : []),
    ...item.viaCampaigns.map((c) => `via campaign ${c.name}`),
    ...item.viaTools.map((t) => `via ${t.kind === 'MALWARE' ? 'malware' : 'tool'} ${t.name}`),
  ].join('; ');

const sourcesWords = (sources: string[]) => (sources.length ? ` Sources: ${sources.join('; ')}.` : '');

async function subjectOf(prisma: Db, clearance: Tlp, globalId: string, types: readonly TechniqueSubject[]) {
  const { type, id } = idOf(globalId, types, 'id');
  const where = { id, ...visibleRecord(clearance) };
  const row =
    type === 'Actor'
      ? await prisma.actor.findFirst({ where, select: { name: true } })
      : type === 'Campaign'
        ? await prisma.campaign.findFirst({ where, select: { name: true } })
        : await prisma.tool.findFirst({ where, select: { name: true } });
  if (!row) throw notFound(type.toLowerCase(), 'the ID given');
  return { type: type as TechniqueSubject, id, name: row.name };
}

const baseLayer = (name: string, description: string, legend: string[], techniques: LayerTechnique[]) => ({
  name,
  versions,
  domain: 'enterprise-attack' as const,
  description,
  sorting: 3,
  layout: { layout: 'side', showID: true, showName: true, expandedSubtechniques: 'annotated' },
  hideDisabled: false,
  techniques,
  gradient: { colors: ['#ffffff', ...legendColours], minValue: 0, maxValue: 3 },
  legendItems: legend.map((label, i) => ({ label, color: legendColours[i] })),
  metadata: [
    { name: 'generated', value: new Date().toISOString() },
    { name: 'source', value: 'threat-actor-intel-api (MITRE ATT&CK® v18.1 and the sources cited in each comment)' },
  ],
  links: [{ label: 'MITRE ATT&CK®', url: 'https://attack.mitre.org/' }],
});

/**
 * The layer of one actor, campaign or tool (`ids` of one), or comparing two or more actors. Scores: one
 * subject — 1 only through its campaigns or tools, 2 only its own claims, 3 both; a comparison of two —
 * 1 the first only, 2 the second only, 3 both (of more: how many of them use it).
 */
export async function navigatorLayer(prisma: Db, clearance: Tlp, ids: readonly string[]): Promise<NavigatorLayer> {
  if (!ids.length) throw userError('BAD_USER_INPUT', 'Give the ID of an actor, a campaign or a tool.');
  if (ids.length === 1) {
    const subject = await subjectOf(prisma, clearance, ids[0], ['Actor', 'Campaign', 'Tool']);
    const techniques = (await techniquesOf(prisma, clearance, subject.type, subject.id)).map(({ item, sources }) => {
      const derived = item.viaCampaigns.length + item.viaTools.length > 0;
      return {
        techniqueID: item.technique.attackId,
        score: (item.direct ? 2 : 0) + (derived ? 1 : 0),
        comment: `${subject.name}: ${howWords(item)}.${sourcesWords(sources)}`,
      };
    });
    return baseLayer(
      `${subject.name} (${subject.type.toLowerCase()})`,
      `Techniques of ${subject.name}: its own technique uses and those of the campaigns attributed to it and the tools it uses, as sourced claims.`,
      ['through campaigns or tools only', 'its own claims only', 'both'],
      techniques,
    );
  }
  if (ids.length > 10)
    throw userError('BAD_USER_INPUT', 'Compare at most 10 actors in one layer.', { argument: 'ids' });
  const subjects = [];
  for (const id of ids) subjects.push(await subjectOf(prisma, clearance, id, ['Actor']));
  const byTechnique = new Map<string, { who: string[]; words: string[] }>();
  for (const s of subjects) {
    for (const { item, sources } of await techniquesOf(prisma, clearance, 'Actor', s.id)) {
      const entry = byTechnique.get(item.technique.attackId) ?? { who: [], words: [] };
      entry.who.push(s.name);
      entry.words.push(`${s.name}: ${howWords(item)}.${sourcesWords(sources)}`);
      byTechnique.set(item.technique.attackId, entry);
    }
  }
  const names = subjects.map((s) => s.name);
  const techniques = [...byTechnique].map(([techniqueID, { who, words }]) => ({
    techniqueID,
    score: names.length === 2 ? (who.includes(names[0]) ? 1 : 0) + (who.includes(names[1]) ? 2 : 0) : who.length,
    comment: words.join(' '),
  }));
  return {
    ...baseLayer(
      `${names.join(' vs ')}`,
      `Techniques of ${names.join(', ')} compared: ${names.length === 2 ? `score 1 ${names[0]} only, 2 ${names[1]} only, 3 both` : 'score = how many of them use it'}.`,
      names.length === 2 ? [`${names[0]} only`, `${names[1]} only`, 'both'] : [],
      techniques,
    ),
    gradient: { colors: ['#ffffff', ...legendColours], minValue: 0, maxValue: Math.max(3, names.length) },
  };
}
