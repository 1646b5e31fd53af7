// STIX 2.1 bundle → the write path's document. Handles what threat-intelligence platforms exchange
// about actors: intrusion-set / threat-actor, campaign, malware / tool, identity, location, and the
// relationships attributed-to, uses, targets, revoked-by, and the association types between two actors
// or two tools (similar, overlaps, linked-to, related-to, associated-with, variant-of). Every object is checked first; one broken
// object refuses the whole bundle, with the object's id and the problem.
//
// Mapping rules (the tests check each against MITRE ATT&CK's own objects):
// - STIX ids are the records' keys and are kept as `stix` external ids, so a re-export keeps them and
//   another dataset that knows the id (MISP `related`) finds the same record.
// - `aliases` / `x_mitre_aliases` become names. ATT&CK cites each alias in an external reference whose
//   `source_name` is the alias, with "(Citation: X)" naming other references: those become the name's sources.
// - External references with a URL become sources (one per URL, shared by every object citing it); the
//   object's own page (e.g. attack.mitre.org/groups/G0032) is cited for its attributes and names.
// - `external_id`s (G0032, S0002, C0022) are kept; `revoked`, `x_mitre_deprecated` and revoked-by are kept
//   as such (never listed as current); `modified` decides whether a re-import updates a record.
// - `confidence` goes to claims; TLP 1.0 and 2.0 markings (whole-object or granular) go to the sources
//   made from the object, to the record it becomes, and to the claims it is an end of; a victim made only
//   for marked relationships takes the lowest of their markings.

import { z } from 'zod';
import { leastRestricted, mostRestricted, type tlpLevels } from '../auth/principal.js';
import { assignedCountry } from '../write/countries.js';
import { sourceKeyOfUrl } from '../write/rules.js';
import { parseCitation } from './citations.js';
import { associationKindOf, type SeedDocument, SeedFormatError } from './seed-format.js';

type Doc = z.input<typeof SeedDocument>;
type Citation = { source: string; excerpt?: string };

const stixId = (type?: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${type ?? '[a-z0-9-]+'}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
      `expected a STIX id${type ? ` of type ${type}` : ''}`,
    );
const timestamp = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 timestamp' });
const externalReference = z.object({
  source_name: z.string().min(1),
  description: z.string().optional(),
  url: z.string().optional(),
  external_id: z.string().optional(),
});
const common = {
  id: z.string(),
  spec_version: z.string().optional(),
  created: timestamp.optional(),
  modified: timestamp.optional(),
  created_by_ref: stixId('identity').optional(),
  revoked: z.boolean().optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  external_references: z.array(externalReference).optional(),
  object_marking_refs: z.array(stixId('marking-definition')).optional(),
  granular_markings: z
    .array(z.object({ marking_ref: z.string().optional(), selectors: z.array(z.string()).min(1) }))
    .optional(),
  x_mitre_deprecated: z.boolean().optional(),
};
const named = { ...common, name: z.string().min(1), description: z.string().optional() };

const StixObject = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('intrusion-set'),
    ...named,
    aliases: z.array(z.string().min(1)).optional(),
    first_seen: timestamp.optional(),
    last_seen: timestamp.optional(),
    primary_motivation: z.string().optional(),
    secondary_motivations: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('threat-actor'),
    ...named,
    aliases: z.array(z.string().min(1)).optional(),
    first_seen: timestamp.optional(),
    last_seen: timestamp.optional(),
    primary_motivation: z.string().optional(),
    sophistication: z.string().optional(),
  }),
  z.object({
    type: z.literal('campaign'),
    ...named,
    aliases: z.array(z.string().min(1)).optional(),
    first_seen: timestamp.optional(),
    last_seen: timestamp.optional(),
    objective: z.string().optional(),
  }),
  z.object({
    type: z.literal('malware'),
    ...named,
    aliases: z.array(z.string()).optional(),
    x_mitre_aliases: z.array(z.string().min(1)).optional(),
    malware_types: z.array(z.string()).optional(),
    x_mitre_platforms: z.array(z.string()).optional(),
    is_family: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('tool'),
    ...named,
    aliases: z.array(z.string()).optional(),
    x_mitre_aliases: z.array(z.string().min(1)).optional(),
    tool_types: z.array(z.string()).optional(),
    x_mitre_platforms: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('attack-pattern'),
    ...named,
    kill_chain_phases: z.array(z.object({ kill_chain_name: z.string(), phase_name: z.string() })).optional(),
    x_mitre_platforms: z.array(z.string()).optional(),
    x_mitre_is_subtechnique: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('x-mitre-tactic'),
    ...named,
    x_mitre_shortname: z.string().regex(/^[a-z0-9-]+$/, 'expected a kill-chain phase name'),
  }),
  z.object({
    type: z.literal('x-mitre-matrix'),
    ...named,
    tactic_refs: z.array(stixId('x-mitre-tactic')),
  }),
  z.object({
    type: z.literal('identity'),
    ...named,
    identity_class: z.string().optional(),
    sectors: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('location'),
    ...common,
    name: z.string().optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 country')
      .optional(),
    region: z.string().optional(),
  }),
  z.object({
    type: z.literal('relationship'),
    ...common,
    relationship_type: z.string().min(1),
    source_ref: z.string(),
    target_ref: z.string(),
    description: z.string().optional(),
    start_time: timestamp.optional(),
    stop_time: timestamp.optional(),
  }),
  z.object({
    type: z.literal('marking-definition'),
    id: z.string(),
    name: z.string().optional(),
    definition_type: z.string().optional(),
  }),
  z.object({
    type: z.literal('report'),
    ...named,
    published: timestamp,
    object_refs: z.array(z.string()).min(1),
    report_types: z.array(z.string()).optional(),
  }),
]);
type StixObject = z.infer<typeof StixObject>;

/** TLP 2.0 marking definitions (STIX 2.1 fixed ids) and TLP 1.0 ones, mapped to the API's levels. */
const tlpMarkings: Record<string, Tlp> = {
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'CLEAR',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'GREEN',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'AMBER',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'AMBER_STRICT',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'RED',
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR', // TLP 1.0 white
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

export type StixOptions = {
  dataset: string;
  title: string;
  url?: string;
  publishedOn?: string;
  /** The key of the source that stands for the file (default `dataset-<dataset>`). */
  sourceKey?: string;
};

/**
 * The references a text's "(Citation: X)" markers name, in the order they appear. Titles may hold
 * parentheses ("Alert (TA17-164A) HIDDEN COBRA …"), so the markers are found by the names the
 * object's references give, not by parsing up to the next ")".
 */
const citationsIn = (text: string | undefined, names: Iterable<string>) =>
  [...names]
    .map((name) => ({ name, at: (text ?? '').indexOf(`(Citation: ${name})`) }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((c) => c.name);
const day = (ts: string | undefined) => ts?.slice(0, 10);
const lowerKey = (id: string) => id.toLowerCase();

type Tlp = (typeof tlpLevels)[number];

export class StixFormatError extends SeedFormatError {}

/** Parses and checks a bundle: every object, with errors naming the object. */
export function parseStixBundle(
  input: unknown,
  origin: string,
): { objects: StixObject[]; raw: Record<string, unknown>[]; skipped: Record<string, number> } {
  const bundle = z
    .object({ type: z.literal('bundle'), id: z.string(), objects: z.array(z.record(z.string(), z.unknown())) })
    .safeParse(input);
  if (!bundle.success)
    throw new StixFormatError(
      `${origin} is not a STIX 2.1 bundle: ${bundle.error.issues[0].message} at ${bundle.error.issues[0].path.join('.') || 'the top level'}`,
    );
  const known = new Set([
    'intrusion-set',
    'threat-actor',
    'campaign',
    'malware',
    'tool',
    'identity',
    'location',
    'relationship',
    'marking-definition',
    'report',
    'attack-pattern',
    'x-mitre-tactic',
    'x-mitre-matrix',
  ]);
  const problems: string[] = [];
  const objects: StixObject[] = [];
  const skipped: Record<string, number> = {};
  for (const [i, raw] of bundle.data.objects.entries()) {
    const type = typeof raw.type === 'string' ? raw.type : undefined;
    const id = typeof raw.id === 'string' ? raw.id : `objects[${i}]`;
    if (!type || !known.has(type)) {
      // Other objects (indicator, course-of-action ...) are not this API's: counted, not imported.
      skipped[type ?? 'untyped'] = (skipped[type ?? 'untyped'] ?? 0) + 1;
      continue;
    }
    const parsed = StixObject.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 3))
        problems.push(`  ${id}: ${issue.path.join('.') || '(object)'}: ${issue.message}`);
      continue;
    }
    if (!stixId(type).safeParse(parsed.data.id).success)
      problems.push(`  ${id}: id: expected a STIX id of type ${type}`);
    objects.push(parsed.data);
  }
  if (problems.length)
    throw new StixFormatError(
      `${origin} has ${problems.length} problem(s); nothing was imported:\n${problems.slice(0, 20).join('\n')}`,
    );
  // Every object as it came, those the API does not translate too: each is kept as a record.
  return { objects, raw: bundle.data.objects, skipped };
}

/**
 * Translates a bundle's objects into a document for the write layer, one section at a time: identities
 * and locations (victims, organisations), reports (sources), actors, campaigns and tools, then the
 * relationships between them (claims). Markings, references and citations follow the objects.
 */
class StixTranslation {
  readonly byId: Map<string, StixObject>;
  readonly datasetSource: string;
  readonly doc: Doc & { [K in Exclude<keyof Doc, 'dataset'>]-?: NonNullable<Doc[K]> };
  readonly sourceKeys = new Set<string>();
  /** The markings of the relationships that target each object (see victimTlp). */
  readonly naming = new Map<string, Tlp[]>();
  /** Which reports list each object (what a report lists, it supports). */
  readonly reportsCiting = new Map<string, string[]>();

  constructor(
    readonly objects: StixObject[],
    readonly options: StixOptions,
  ) {
    this.byId = new Map(objects.map((o) => [o.id, o] as const));
    this.datasetSource = options.sourceKey ?? `dataset-${options.dataset}`;
    this.doc = {
      dataset: options.dataset,
      organizations: [],
      sources: [
        {
          key: this.datasetSource,
          title: options.title,
          url: options.url,
          kind: 'DATASET' as const,
          publishedOn: options.publishedOn,
        },
      ],
      actors: [],
      campaigns: [],
      tools: [],
      victims: [],
      attributions: [],
      usages: [],
      associations: [],
      targetings: [],
      tactics: [],
      techniques: [],
      techniqueUses: [],
      records: [],
    };
    for (const r of this.objects)
      if (r.type === 'relationship' && r.relationship_type === 'targets')
        this.naming.set(r.target_ref, [
          ...(this.naming.get(r.target_ref) ?? []),
          mostRestricted([this.tlpOf(r), this.tlpOf(this.byId.get(r.source_ref))]),
        ]);
  }

  translate(raw: Record<string, unknown>[]): Doc {
    this.addVictimsAndOrganizations();
    this.addReports();
    this.addEntities();
    this.addTacticsAndTechniques();
    this.addRelationships();
    this.addRecords(raw);
    return this.doc;
  }

  /** Every object of the bundle, as it came, with the entity it became (if any) and its marking. */
  private addRecords(raw: Record<string, unknown>[]) {
    const owner = {
      'intrusion-set': 'actor',
      'threat-actor': 'actor',
      campaign: 'campaign',
      malware: 'tool',
      tool: 'tool',
      'attack-pattern': 'technique',
      'x-mitre-tactic': 'tactic',
    };
    for (const original of raw) {
      const id = original.id as string;
      const parsed = this.byId.get(id);
      const modified = typeof original.modified === 'string' ? original.modified : undefined;
      const entity = owner[original.type as keyof typeof owner];
      this.doc.records.push({
        identifier: id,
        format: 'stix',
        type: String(original.type),
        modifiedAt: modified && !Number.isNaN(Date.parse(modified)) ? modified : undefined,
        tlp: !parsed
          ? rawTlp(original)
          : parsed.type === 'relationship'
            ? this.relationshipTlp(parsed)
            : this.tlpOf(parsed),
        original,
        ...(entity && parsed ? { [entity]: lowerKey(id) } : {}),
      });
    }
  }

  /**
   * An object's TLP: the most restrictive of its markings, whole-object or granular (a granular marking
   * marks part of what the object becomes, and a record or claim here is marked as a whole).
   */
  tlpOf(o: StixObject | undefined): Tlp {
    if (!o || o.type === 'marking-definition') return 'CLEAR';
    // A granular marking of an alias marks that name only (see aliasTlp), not the record.
    const granular = (o.granular_markings ?? []).filter(
      (g) => !g.selectors.every((sel) => /^aliases\.\[\d+\]$/.test(sel)),
    );
    const refs = [...(o.object_marking_refs ?? []), ...granular.map((g) => g.marking_ref ?? '')];
    return mostRestricted(refs.map((m) => tlpMarkings[m]).filter(Boolean));
  }
  /** The marking of the alias at `index` of an object's `aliases`: the granular markings that select it. */
  aliasTlp(o: StixObject, index: number): Tlp {
    return mostRestricted(
      ('granular_markings' in o ? (o.granular_markings ?? []) : [])
        .filter((g) => g.selectors.includes(`aliases.[${index}]`))
        .map((g) => tlpMarkings[g.marking_ref ?? ''] ?? 'CLEAR'),
    );
  }
  /**
   * A relationship's marking: its own, raised to those of the this.objects it joins (it tells of them).
   * A victim (identity or location) that carries no marking of its own but is made only for marked
   * relationships takes the lowest of their markings: what sees one of them may see it.
   */
  relationshipTlp(r: StixObject & { source_ref: string; target_ref: string }) {
    return mostRestricted([
      this.tlpOf(r),
      this.tlpOf(this.byId.get(r.source_ref)),
      this.tlpOf(this.byId.get(r.target_ref)),
    ]);
  }

  victimTlp(o: StixObject) {
    return this.tlpOf(o) !== 'CLEAR'
      ? this.tlpOf(o)
      : this.naming.has(o.id)
        ? leastRestricted(this.naming.get(o.id)!)
        : 'CLEAR';
  }
  publisherOf(o: StixObject) {
    return 'created_by_ref' in o && o.created_by_ref && this.byId.get(o.created_by_ref)?.type === 'identity'
      ? lowerKey(o.created_by_ref)
      : undefined;
  }

  /** The sources an object's external references give, by source_name; the object's own page first. */
  referenceSources(o: StixObject) {
    const refs = 'external_references' in o ? (o.external_references ?? []) : [];
    const byName = new Map<string, string>();
    // Every reference's source, in order: two references may share a name (two documents with one title).
    const keys: string[] = [];
    let page: string | undefined;
    // A URL listed both as an identifier's page and as a plain reference takes the plain one's title.
    const plainTitle = new Map(refs.filter((r) => r.url && !r.external_id).map((r) => [r.url!, r.source_name]));
    for (const ref of refs) {
      if (!ref.url) continue;
      // The object's own page: ATT&CK's (mitre-attack) or one the object also lists as a plain reference.
      const isPage = !!ref.external_id && !page && (ref.source_name === 'mitre-attack' || plainTitle.has(ref.url));
      if (ref.external_id && !isPage) continue; // an identifier's address (Malpedia …), not a source
      const key = sourceKeyOfUrl(ref.url);
      if (!this.sourceKeys.has(key)) {
        this.sourceKeys.add(key);
        const own = !!ref.external_id;
        // A citation's line gives its title, authors and date; the object's own page was published
        // when the object was created.
        const cited = own ? null : parseCitation(ref.description);
        this.doc.sources.push({
          key,
          title:
            cited?.title ??
            plainTitle.get(ref.url) ??
            (own
              ? `${'name' in o && o.name ? o.name : ref.external_id} (${ref.source_name} ${ref.external_id})`
              : ref.source_name),
          url: ref.url,
          kind: own ? 'DATASET' : 'REPORT',
          note: ref.description,
          tlp: this.tlpOf(o),
          publisher: own ? this.publisherOf(o) : undefined,
          authors: cited?.authors ?? [],
          ...(own
            ? 'created' in o && o.created
              ? { publishedOn: day(o.created), precision: 'DAY' as const }
              : {}
            : { publishedOn: cited?.publishedOn, precision: cited?.precision ?? 'DAY' }),
        });
      }
      if (isPage) page = key;
      byName.set(ref.source_name, key);
      keys.push(key);
    }
    return { page, byName, keys };
  }

  /** Sources for a statement: the references its "(Citation: X)" markers name, else the fallback. */
  citing(text: string | undefined, refs: Map<string, string>, fallback: string[]): Citation[] {
    const cited = citationsIn(text, refs.keys())
      .map((name) => refs.get(name))
      .filter((k): k is string => !!k);
    return [...new Set(cited.length ? cited : fallback)].map((source) => ({ source }));
  }

  private addVictimsAndOrganizations() {
    // An identity that something targets is a victim (an organisation, or a sector for a class);
    // any other identity is an organisation (a publisher of sources).
    const targeted = new Set(
      this.objects.flatMap((o) =>
        o.type === 'relationship' && o.relationship_type === 'targets' ? [o.target_ref] : [],
      ),
    );
    for (const o of this.objects) {
      if (o.type === 'identity') {
        if (targeted.has(o.id) || o.identity_class === 'class') {
          this.doc.victims.push({
            key: lowerKey(o.id),
            name: o.name,
            kind: o.identity_class === 'class' ? 'SECTOR' : 'ORGANIZATION',
            sector: o.sectors?.[0],
            description: o.description,
            tlp: this.victimTlp(o),
            createdAt: o.created,
            updatedAt: o.modified,
          });
        } else
          this.doc.organizations.push({
            key: lowerKey(o.id),
            name: o.name,
            description: o.description,
            tlp: this.tlpOf(o),
          });
      }
      if (o.type === 'location') {
        this.doc.victims.push({
          key: lowerKey(o.id),
          name: o.name ?? o.country?.toUpperCase() ?? o.region ?? o.id,
          // An assigned ISO code (UK → GB); a reserved one that names no country (EU) makes a region.
          kind: assignedCountry(o.country) ? 'COUNTRY' : 'REGION',
          country: assignedCountry(o.country),
          tlp: this.victimTlp(o),
          createdAt: o.created,
          updatedAt: o.modified,
        });
      }
    }
  }

  private addReports() {
    // A report is a source; what it lists in object_refs, it supports.
    for (const o of this.objects) {
      if (o.type !== 'report') continue;
      const url = o.external_references?.find((r) => r.url)?.url;
      this.doc.sources.push({
        key: lowerKey(o.id),
        title: o.name,
        url,
        note: o.description,
        kind: 'REPORT',
        publishedOn: day(o.published),
        tlp: this.tlpOf(o),
        publisher: this.publisherOf(o),
      });
      for (const ref of o.object_refs)
        this.reportsCiting.set(ref, [...(this.reportsCiting.get(ref) ?? []), lowerKey(o.id)]);
    }
  }

  private addEntities() {
    for (const o of this.objects) {
      if (
        o.type !== 'intrusion-set' &&
        o.type !== 'threat-actor' &&
        o.type !== 'campaign' &&
        o.type !== 'malware' &&
        o.type !== 'tool'
      )
        continue;
      const { page, byName, keys } = this.referenceSources(o);
      const own = [page ?? this.datasetSource];
      const refs = o.external_references ?? [];
      const listed = (o.type === 'malware' || o.type === 'tool' ? (o.x_mitre_aliases ?? o.aliases) : o.aliases) ?? [];
      // Each alias with its marking (granular markings select entries of `aliases`); the name itself is unmarked.
      const markOf = new Map<string, Tlp>([[o.name.trim(), 'CLEAR']]);
      listed.forEach((a, i) => {
        const tlp = this.aliasTlp(o, i);
        const known = markOf.get(a.trim());
        markOf.set(a.trim(), known === undefined ? tlp : leastRestricted([known, tlp]));
      });
      const names = [...markOf].map(([value, tlp]) => {
        const aliasRef = refs.find((r) => r.source_name === value && !r.url);
        return { value, tlp, sources: this.citing(aliasRef?.description, byName, own) };
      });
      const entity = {
        key: lowerKey(o.id),
        name: o.name,
        description: o.description,
        names,
        externalIds: [
          { system: 'stix', value: o.id },
          ...refs
            .filter((r) => r.external_id)
            .map((r) => ({ system: r.source_name, value: r.external_id!, url: r.url })),
        ],
        // The object's page supports its description; every other reference it lists, the record as a whole.
        citations: [
          ...(o.description ? [{ source: own[0], field: 'description' }] : []),
          ...[...new Set(keys)].filter((k) => k !== own[0]).map((source) => ({ source, field: 'reference' })),
          ...(this.reportsCiting.get(o.id) ?? []).map((source) => ({ source, field: 'report' })),
        ],
        revoked: o.revoked ?? false,
        deprecated: o.x_mitre_deprecated ?? false,
        tlp: this.tlpOf(o),
        modifiedAt: o.modified,
        createdAt: o.created,
      };
      if (o.type === 'intrusion-set' || o.type === 'threat-actor') {
        const motivations =
          o.type === 'intrusion-set'
            ? [o.primary_motivation, ...(o.secondary_motivations ?? [])]
            : [o.primary_motivation];
        this.doc.actors.push({
          ...entity,
          firstSeen: day(o.first_seen),
          lastSeen: day(o.last_seen),
          motivations: motivations.filter((m): m is string => !!m),
        });
      } else if (o.type === 'campaign') {
        this.doc.campaigns.push({
          ...entity,
          objective: o.objective,
          firstSeen: day(o.first_seen),
          lastSeen: day(o.last_seen),
        });
      } else {
        this.doc.tools.push({
          ...entity,
          kind: o.type === 'malware' ? 'MALWARE' : 'TOOL',
          malwareTypes: o.type === 'malware' ? (o.malware_types ?? []) : (o.tool_types ?? []),
          platforms: o.x_mitre_platforms ?? [],
        });
      }
    }
  }

  /**
   * ATT&CK's tactics (in the order of the matrix that lists them; others after) and techniques. A
   * technique's own page is its `url`; its references stay in its record, not as sources (they tell of
   * the technique, not of who uses it: the uses cite their own).
   */
  /** The keys of the attack-patterns that became techniques. */
  readonly techniqueKeys = new Set<string>();

  private addTacticsAndTechniques() {
    const order = this.objects.flatMap((o) => (o.type === 'x-mitre-matrix' ? o.tactic_refs : []));
    const attackRef = (o: StixObject) =>
      ('external_references' in o ? (o.external_references ?? []) : []).find(
        (r) => r.source_name === 'mitre-attack' && r.external_id,
      );
    let unlisted = order.length;
    for (const o of this.objects) {
      if (o.type === 'x-mitre-tactic') {
        const ref = attackRef(o);
        if (!ref)
          throw new StixFormatError(`${o.id}: a tactic has an ATT&CK id (an external reference of mitre-attack)`);
        const at = order.indexOf(o.id);
        this.doc.tactics.push({
          key: lowerKey(o.id),
          attackId: ref.external_id!,
          shortName: o.x_mitre_shortname,
          name: o.name,
          description: o.description,
          url: ref.url,
          position: at >= 0 ? at : unlisted++,
          tlp: this.tlpOf(o),
          modifiedAt: o.modified,
          createdAt: o.created,
        });
      }
      if (o.type === 'attack-pattern') {
        // Techniques are ATT&CK's: an attack-pattern without an ATT&CK id (CAPEC, a vendor's own) is kept as a record only.
        const ref = attackRef(o);
        if (!ref?.external_id?.match(/^T\d{4}(\.\d{3})?$/)) continue;
        this.doc.techniques.push({
          key: lowerKey(o.id),
          attackId: ref.external_id!,
          name: o.name,
          description: o.description,
          url: ref.url,
          tactics: (o.kill_chain_phases ?? [])
            .filter((p) => p.kill_chain_name === 'mitre-attack')
            .map((p) => p.phase_name),
          platforms: o.x_mitre_platforms ?? [],
          isSubtechnique: o.x_mitre_is_subtechnique ?? false,
          revoked: o.revoked ?? false,
          deprecated: o.x_mitre_deprecated ?? false,
          tlp: this.tlpOf(o),
          modifiedAt: o.modified,
          createdAt: o.created,
        });
        this.techniqueKeys.add(lowerKey(o.id));
      }
    }
  }

  private addRelationships() {
    const entityKind = (id: string) => this.byId.get(id)?.type;
    const isActor = (id: string) => ['intrusion-set', 'threat-actor'].includes(entityKind(id) ?? '');
    const isTool = (id: string) => ['malware', 'tool'].includes(entityKind(id) ?? '');
    const revokedBy = new Map<string, string>();
    const parentOf = new Map<string, string>();
    for (const r of this.objects) {
      if (r.type !== 'relationship') continue;
      // A technique use may name its user by an id another file brought (ATT&CK ships techniques apart
      // from groups and software): the write layer finds the record holding that STIX id.
      const usesTechnique = r.relationship_type === 'uses' && this.techniqueKeys.has(lowerKey(r.target_ref));
      const outside = usesTechnique && !this.byId.has(r.source_ref) ? userTypeOfStixId(r.source_ref) : undefined;
      if (!outside && (!this.byId.has(r.source_ref) || !this.byId.has(r.target_ref))) {
        throw new StixFormatError(
          `${r.id}: ${this.byId.has(r.source_ref) ? 'target_ref' : 'source_ref'} names an object that is not in the bundle (${this.byId.has(r.source_ref) ? r.target_ref : r.source_ref})`,
        );
      }
      const { keys } = this.referenceSources(r);
      const claim = {
        key: lowerKey(r.id),
        // A claim tells of both ends: it is marked at least as they are.
        tlp: this.relationshipTlp(r),
        confidence: r.confidence,
        firstObserved: day(r.start_time),
        lastObserved: day(r.stop_time),
        // A revoked or deprecated relationship is kept, never current.
        status: r.revoked || r.x_mitre_deprecated ? ('RETRACTED' as const) : ('CURRENT' as const),
        note: r.description,
        createdAt: r.created,
        updatedAt: r.modified,
        // A relationship's references are its sources (ATT&CK lists exactly those its description cites).
        sources: [
          ...new Set([
            ...(keys.length ? keys : this.reportsCiting.has(r.id) ? [] : [this.datasetSource]),
            ...(this.reportsCiting.get(r.id) ?? []),
          ]),
        ].map((source) => ({ source })),
      };
      const from = lowerKey(r.source_ref);
      const to = lowerKey(r.target_ref);
      if (r.relationship_type === 'revoked-by') revokedBy.set(from, to);
      else if (r.relationship_type === 'subtechnique-of') parentOf.set(from, to);
      else if (usesTechnique) {
        const user = outside
          ? { userMatch: { type: outside, ids: [{ system: 'stix', value: r.source_ref }] } }
          : isActor(r.source_ref)
            ? { actor: from }
            : entityKind(r.source_ref) === 'campaign'
              ? { campaign: from }
              : isTool(r.source_ref)
                ? { tool: from }
                : null;
        if (user) this.doc.techniqueUses.push({ ...claim, technique: to, ...user });
      } else if (
        r.relationship_type === 'uses' &&
        isTool(r.target_ref) &&
        (isActor(r.source_ref) || entityKind(r.source_ref) === 'campaign')
      ) {
        this.doc.usages.push({ ...claim, tool: to, ...(isActor(r.source_ref) ? { actor: from } : { campaign: from }) });
      } else if (r.relationship_type === 'attributed-to' && isActor(r.target_ref)) {
        const kind = entityKind(r.source_ref);
        const subject =
          kind === 'campaign'
            ? { campaign: from }
            : isActor(r.source_ref)
              ? { subjectActor: from }
              : isTool(r.source_ref)
                ? { tool: from }
                : null;
        // When it was assessed is its reports' date (the write layer reads it), not when MITRE recorded it.
        if (subject) this.doc.attributions.push({ ...claim, ...subject, actor: to });
      } else if (
        associationKindOf[r.relationship_type] &&
        ((isActor(r.source_ref) && isActor(r.target_ref)) || (isTool(r.source_ref) && isTool(r.target_ref)))
      ) {
        const pair = isActor(r.source_ref) ? { fromActor: from, toActor: to } : { fromTool: from, toTool: to };
        this.doc.associations.push({ ...claim, kind: associationKindOf[r.relationship_type]!, ...pair });
      } else if (
        r.relationship_type === 'targets' &&
        ['identity', 'location'].includes(entityKind(r.target_ref) ?? '') &&
        (isActor(r.source_ref) || entityKind(r.source_ref) === 'campaign')
      ) {
        this.doc.targetings.push({
          ...claim,
          victim: to,
          ...(isActor(r.source_ref) ? { actor: from } : { campaign: from }),
        });
      }
    }
    for (const list of [this.doc.actors, this.doc.campaigns, this.doc.tools, this.doc.techniques]) {
      for (const e of list) {
        const by = revokedBy.get(e.key);
        if (by) e.revokedBy = by;
      }
    }
    for (const t of this.doc.techniques) {
      const parent = parentOf.get(t.key);
      if (parent && this.techniqueKeys.has(parent)) t.parent = parent;
    }
  }
}

/** Which record a STIX id of another file names, by its type: actors, campaigns, tools. */
function userTypeOfStixId(id: string): 'actor' | 'campaign' | 'tool' | undefined {
  const type = id.slice(0, id.indexOf('--'));
  return type === 'intrusion-set' || type === 'threat-actor'
    ? 'actor'
    : type === 'campaign'
      ? 'campaign'
      : type === 'malware' || type === 'tool'
        ? 'tool'
        : undefined;
}

/** The TLP of an object the API does not translate (attack-pattern, indicator ...): its markings, whole or granular. */
function rawTlp(o: Record<string, unknown>): Tlp {
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  const refs = [
    ...list(o.object_marking_refs),
    ...list(o.granular_markings).map((g) => (g as { marking_ref?: unknown })?.marking_ref),
  ];
  return mostRestricted(refs.map((m) => tlpMarkings[String(m)]).filter(Boolean));
}

export function stixToDocument(objects: StixObject[], options: StixOptions, raw: Record<string, unknown>[] = []): Doc {
  return new StixTranslation(objects, options).translate(raw);
}
