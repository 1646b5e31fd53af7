// MISP galaxy clusters (threat-actor.json, tool.json) → the write path's document.
//
// Mapping rules (tested with the shipped clusters):
// - `value` and `meta.synonyms` → names; `meta.name-attribution` ("alias:producer-uuid") names the
//   organisation that coined an alias, resolved through producer.json.
// - Identity across datasets comes from hard identifiers only: the cluster's uuid, the uuids of
//   clusters it calls `similar` (MISP's mitre-* clusters share ATT&CK's STIX uuids), and ATT&CK ids it
//   lists as synonyms (G0032). Never from a bare name: MISP's "CryptoCore" (filed under UNC1069) stays
//   a separate actor from the curated CryptoCore campaign.
// - `meta.country` → suspected origin; `cfr-suspected-state-sponsor` → sponsor; `cfr-suspected-victims`
//   (countries and organisations mixed) → country, region or organisation victims;
//   `cfr-target-category` / `targeted-sector` → sector victims; `refs` → sources.
// - `attribution-confidence` → the confidence of the targeting claims the cluster makes.
// - `related`: `uses` → tool usages; `part-of` → an attribution of the actor (a subgroup) to the other;
//   `similar` to a cluster of the same galaxy, `overlaps`, `linked-to`, `related-to`, `associated-with`,
//   `variant-of` → association claims between the two records, never a merge. Their estimative
//   likelihood tag is the claim's confidence words. Links to clusters not shipped are set aside (counted).

import { z } from 'zod';
import { assignedCountry, countryCodeOfName } from '../write/countries.js';
import { knownConfidenceLabels, slug as slugOf, sourceKeyOfUrl } from '../write/rules.js';
import { titleFromUrl } from '../write/source-urls.js';
import { associationKindOf, type SeedDocument, SeedFormatError } from './seed-format.js';

type Doc = z.input<typeof SeedDocument>;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a uuid');
const Cluster = z.object({
  value: z.string().min(1),
  uuid,
  description: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  related: z.array(z.object({ 'dest-uuid': uuid, type: z.string(), tags: z.array(z.string()).optional() })).optional(),
});
const Galaxy = z.object({
  name: z.string(),
  type: z.string(),
  uuid,
  version: z.number().optional(),
  values: z.array(z.unknown()),
});
type Cluster = z.infer<typeof Cluster>;

export class MispFormatError extends SeedFormatError {}

const strings = (v: unknown) =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
    : typeof v === 'string' && v.trim()
      ? [v.trim()]
      : [];
/** MISP's keys: slugs of at most 80 characters ("x" for none), as they were first made (keys are stable). */
const slug = (s: string) => slugOf(s, { maxLength: 80, empty: 'x' });
const isUrl = (s: string) => /^https?:\/\/\S+$/.test(s);

const regions = new Set([
  'middle east',
  'europe',
  'asia',
  'africa',
  'latin america',
  'south america',
  'north america',
  'southeast asia',
  'east asia',
  'central asia',
  'south asia',
  'eastern europe',
  'western europe',
  'caucasus',
  'gulf',
  'asia pacific',
  'oceania',
  'scandinavia',
  'balkans',
  // Not a country, and its reserved code (EU) is none: a region of victims.
  'european union',
]);

/** The words of a MISP estimative-language likelihood tag ("likely"); the writer turns them into a number. */
function estimative(tags: string[] | undefined) {
  for (const tag of tags ?? []) {
    const m = /^estimative-language:likelihood-probability="([a-z-]+)"$/.exec(tag);
    if (m) return m[1];
  }
  return undefined;
}

export type MispOptions = { dataset: string; title: string; url?: string; producers?: unknown };

/** Checks a galaxy file; one broken cluster refuses the file, naming the cluster and the problem. */
export function parseGalaxy(input: unknown, origin: string) {
  const galaxy = Galaxy.safeParse(input);
  if (!galaxy.success)
    throw new MispFormatError(
      `${origin} is not a MISP galaxy cluster file: ${galaxy.error.issues[0].path.join('.') || 'top level'}: ${galaxy.error.issues[0].message}`,
    );
  const problems: string[] = [];
  const clusters: Cluster[] = [];
  for (const [i, raw] of galaxy.data.values.entries()) {
    const parsed = Cluster.safeParse(raw);
    if (parsed.success) clusters.push(parsed.data);
    else {
      const name = (raw as { value?: unknown })?.value;
      const issue = parsed.error.issues[0];
      problems.push(
        `  values[${i}]${typeof name === 'string' ? ` (${name})` : ''}: ${issue.path.join('.') || '(cluster)'}: ${issue.message}`,
      );
    }
  }
  if (problems.length)
    throw new MispFormatError(
      `${origin} has ${problems.length} broken cluster(s); nothing was imported:\n${problems.slice(0, 20).join('\n')}`,
    );
  // Each cluster as it came (the parsed ones keep only what the translation reads), kept as its record.
  const raw = galaxy.data.values as Record<string, unknown>[];
  return { type: galaxy.data.type, name: galaxy.data.name, version: galaxy.data.version, clusters, raw };
}

/** producer.json: uuid → the organisation that coins names. */
function producerIndex(producers: unknown) {
  const index = new Map<string, { key: string; name: string; country?: string; description?: string }>();
  if (!producers) return index;
  const parsed = Galaxy.safeParse(producers);
  if (!parsed.success) throw new MispFormatError(`producer.json is not a MISP galaxy cluster file`);
  for (const raw of parsed.data.values) {
    const p = Cluster.safeParse(raw);
    if (!p.success) continue;
    const country = strings(p.data.meta?.country)[0];
    index.set(p.data.uuid.toLowerCase(), {
      key: `misp-producer--${p.data.uuid.toLowerCase()}`,
      name: p.data.value,
      country: assignedCountry(country),
      description: p.data.description,
    });
  }
  return index;
}

export function galaxyToDocument(galaxy: ReturnType<typeof parseGalaxy>, options: MispOptions): Doc {
  const producers = producerIndex(options.producers);
  const datasetSource = `dataset-${options.dataset}-${slug(galaxy.type)}`;
  const doc = {
    dataset: options.dataset,
    organizations: [] as NonNullable<Doc['organizations']>,
    sources: [{ key: datasetSource, title: options.title, url: options.url, kind: 'DATASET' as const }] as NonNullable<
      Doc['sources']
    >,
    actors: [] as NonNullable<Doc['actors']>,
    tools: [] as NonNullable<Doc['tools']>,
    victims: [] as NonNullable<Doc['victims']>,
    targetings: [] as NonNullable<Doc['targetings']>,
    usages: [] as NonNullable<Doc['usages']>,
    attributions: [] as NonNullable<Doc['attributions']>,
    associations: [] as NonNullable<Doc['associations']>,
    records: [] as NonNullable<Doc['records']>,
  };
  const seen = {
    orgs: new Set<string>(),
    sources: new Set<string>(),
    victims: new Set<string>(),
    links: new Set<string>(),
  };
  const inGalaxy = new Set(galaxy.clusters.map((c) => c.uuid.toLowerCase()));
  const kind = galaxy.type === 'threat-actor' ? 'actor' : 'tool';

  const victim = (key: string, v: NonNullable<Doc['victims']>[number]) => {
    if (!seen.victims.has(key)) {
      seen.victims.add(key);
      doc.victims.push(v);
    }
    return key;
  };
  /** A cfr-suspected-victims entry: a country, a region, or else an organisation. */
  const victimFor = (name: string) => {
    const code = countryCodeOfName(name);
    if (code)
      return victim(`country-${code.toLowerCase()}`, {
        key: `country-${code.toLowerCase()}`,
        name,
        kind: 'COUNTRY',
        country: code,
      });
    if (regions.has(name.toLowerCase()))
      return victim(`region-${slug(name)}`, { key: `region-${slug(name)}`, name, kind: 'REGION' });
    return victim(`org-${slug(name)}`, { key: `org-${slug(name)}`, name, kind: 'ORGANIZATION' });
  };
  const sectorFor = (name: string) =>
    victim(`sector-${slug(name)}`, { key: `sector-${slug(name)}`, name, kind: 'SECTOR', sector: slug(name) });

  for (const [i, c] of galaxy.clusters.entries()) {
    const meta = c.meta ?? {};
    const key = `misp-${galaxy.type}--${c.uuid.toLowerCase()}`;
    doc.records.push({
      identifier: c.uuid.toLowerCase(),
      format: 'misp',
      type: galaxy.type,
      original: galaxy.raw[i],
      [kind]: key,
    });
    const refs = strings(meta.refs).filter(isUrl);
    for (const url of refs) {
      const k = sourceKeyOfUrl(url);
      if (!seen.sources.has(k)) {
        seen.sources.add(k);
        doc.sources.push({ key: k, title: titleFromUrl(url), url, kind: 'REPORT' });
      }
    }
    const cited = [{ source: datasetSource }];
    // Who coined each alias (name-attribution: "alias:producer-uuid").
    const coiner = new Map<string, string>();
    for (const entry of strings(meta['name-attribution'])) {
      const at = entry.lastIndexOf(':');
      const producer = producers.get(entry.slice(at + 1).toLowerCase());
      if (at < 1 || !producer) continue;
      if (!seen.orgs.has(producer.key)) {
        seen.orgs.add(producer.key);
        doc.organizations.push({
          key: producer.key,
          name: producer.name,
          country: producer.country,
          description: producer.description,
        });
      }
      coiner.set(entry.slice(0, at).trim().toLowerCase(), producer.key);
    }
    const synonyms = strings(meta.synonyms);
    const attackIds = synonyms.filter((s) => /^[GSC]\d{4}$/.test(s));
    const names = [
      ...new Map(
        [c.value, ...synonyms.filter((s) => !attackIds.includes(s))].map((n) => [n.toLowerCase(), n]),
      ).values(),
    ]
      .filter((n) => n.length <= 200)
      .map((value) => ({ value, coinedBy: coiner.get(value.toLowerCase()), sources: cited }));
    // Identity: the cluster's own uuid first, then the ATT&CK objects it is `similar` to, then ATT&CK ids (the writer's order).
    const similar = (c.related ?? []).filter((r) => r.type === 'similar').map((r) => r['dest-uuid'].toLowerCase());
    const stixTypes = kind === 'actor' ? ['intrusion-set'] : ['malware', 'tool'];
    const entity = {
      key,
      name: c.value,
      description: c.description,
      names,
      externalIds: [
        { system: 'misp', value: c.uuid.toLowerCase() },
        ...attackIds.map((value) => ({ system: 'mitre-attack', value })),
      ],
      sameAs: similar.flatMap((u) => stixTypes.map((t) => ({ system: 'stix', value: `${t}--${u}` }))),
      citations: c.description ? [{ source: datasetSource, field: 'description' }] : [],
    };
    // Links to other clusters that are claims, not identity. A symmetric link stated from both
    // ends (MISP lists "A overlaps B" under A and under B) is one claim under one key.
    const own = c.uuid.toLowerCase();
    const liked = (tags: string[] | undefined) => {
      const label = estimative(tags);
      return label && knownConfidenceLabels.includes(label) ? label : undefined;
    };
    for (const r of c.related ?? []) {
      const dest = r['dest-uuid'].toLowerCase();
      const type = r.type.trim();
      const associationKind = associationKindOf[type];
      // `similar` outside the galaxy names the ATT&CK object that is this very record (sameAs above).
      if (associationKind && !(associationKind === 'SIMILAR' && !inGalaxy.has(dest))) {
        const symmetric = associationKind !== 'VARIANT_OF';
        const linkKey = `misp-${type}--${(symmetric ? [own, dest].sort() : [own, dest]).join('--')}`;
        if (seen.links.has(linkKey)) continue; // the other end's statement of the same link
        seen.links.add(linkKey);
        doc.associations.push({
          key: linkKey,
          kind: associationKind,
          ...(kind === 'actor' ? { fromActor: key } : { fromTool: key }),
          toMatch: [{ system: 'misp', value: dest }],
          confidenceLabel: liked(r.tags),
          sources: cited,
        });
      } else if (type === 'part-of' && kind === 'actor') {
        doc.attributions.push({
          key: `misp-part-of--${own}--${dest}`,
          subjectActor: key,
          actorMatch: [
            { system: 'misp', value: dest },
            { system: 'stix', value: `intrusion-set--${dest}` },
          ],
          confidenceLabel: liked(r.tags),
          sources: cited,
        });
      }
    }
    if (kind === 'actor') {
      const country = strings(meta.country)[0];
      const confidence = Number(strings(meta['attribution-confidence'])[0]);
      doc.actors.push({
        ...entity,
        originCountry: assignedCountry(country),
        sponsor: strings(meta['cfr-suspected-state-sponsor'])[0],
        motivations: strings(meta['cfr-type-of-incident']).map((m) => m.toLowerCase()),
      });
      const claim = (victimKey: string, i: number) =>
        doc.targetings.push({
          key: `${key}-targets-${i}`,
          actor: key,
          victim: victimKey,
          confidence: Number.isInteger(confidence) && confidence >= 0 && confidence <= 100 ? confidence : undefined,
          sources: [...cited, ...refs.slice(0, 3).map((url) => ({ source: sourceKeyOfUrl(url) }))],
        });
      // `uses` links name tools by uuid: a MISP tool cluster, or an ATT&CK malware / tool (same uuids).
      for (const r of (c.related ?? []).filter((r) => r.type === 'uses')) {
        const dest = r['dest-uuid'].toLowerCase();
        doc.usages.push({
          key: `${key}-uses-${dest}`,
          actor: key,
          toolMatch: [
            { system: 'misp', value: dest },
            { system: 'stix', value: `malware--${dest}` },
            { system: 'stix', value: `tool--${dest}` },
          ],
          confidenceLabel: liked(r.tags),
          sources: cited,
        });
      }
      const victims = [
        ...new Set([
          ...strings(meta['cfr-suspected-victims']).map(victimFor),
          ...[...strings(meta['cfr-target-category']), ...strings(meta['targeted-sector'])].map(sectorFor),
        ]),
      ];
      victims.forEach(claim);
    } else {
      doc.tools.push({ ...entity, kind: 'MALWARE', malwareTypes: strings(meta.type).map((t) => t.toLowerCase()) });
    }
  }
  return doc;
}
