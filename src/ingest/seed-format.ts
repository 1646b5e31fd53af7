// The reviewed, human-edited format of seeds/*.yaml, checked when loaded. Cross-references (a claim
// naming a source or an actor by key) are checked by the writer, which knows what the database holds.

import { z } from 'zod';
import { isAssignedCountry } from '../write/countries.js';
import { keyPattern, keyRule, knownConfidenceLabels } from '../write/rules.js';

const key = z.string().regex(keyPattern, `expected a key: ${keyRule}`);
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as KP')
  .refine(
    isAssignedCountry,
    'expected an assigned ISO 3166-1 code (reserved ones such as UK are not: the United Kingdom is GB)',
  );
// YAML reads 2020-06-24 as a Date; keep it a calendar date either way.
const date = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
);
const url = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });
const money = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d{1,2})?$/, 'expected an amount in USD'));

const citation = z.preprocess(
  (v) => (typeof v === 'string' ? { source: v } : v),
  z.strictObject({ source: key, excerpt: z.string().min(1).optional() }),
);
const fieldCitation = z.strictObject({ source: key, field: z.string().min(1), excerpt: z.string().min(1).optional() });

const tlp = z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED']);
const name = z.strictObject({
  value: z.string().trim().min(1).max(200),
  coinedBy: key.optional(),
  note: z.string().optional(),
  /** The marking of the name itself (a name only a marked source or object gives is marked). */
  tlp: tlp.default('CLEAR'),
  sources: z.array(citation).min(1, 'every name cites at least one source'),
});
const externalId = z.strictObject({ system: z.string().min(1), value: z.string().min(1), url: url.optional() });

const entity = {
  key,
  name: z.string().trim().min(1).max(200),
  description: z.string().optional(),
  /** Identifiers in other systems; the first is the record's own id in its dataset (STIX id, MISP uuid), tried first to find it again. */
  externalIds: z.array(externalId).default([]),
  citations: z.array(fieldCitation).default([]),
  names: z.array(name).min(1, 'every entity has at least one name'),
  revoked: z.boolean().default(false),
  deprecated: z.boolean().default(false),
  revokedBy: key.optional(),
  /** The marking of the record itself (its names and the claims naming it take it too). */
  tlp: tlp.default('CLEAR'),
  /** Identifiers that find the same record in another dataset but are not this record's own (MISP `similar` links). */
  sameAs: z.array(z.strictObject({ system: z.string().min(1), value: z.string().min(1) })).default([]),
  modifiedAt: z.iso.datetime({ offset: true }).optional(),
  /** When the record was first made in its dataset (STIX `created`). */
  createdAt: z.iso.datetime({ offset: true }).optional(),
};

const claim = {
  key,
  confidence: z.number().int().min(0).max(100).optional(),
  confidenceLabel: z
    .string()
    .refine((l) => knownConfidenceLabels.includes(l.toLowerCase()), {
      message: `expected one of ${knownConfidenceLabels.join(', ')}`,
    })
    .optional(),
  firstObserved: date.optional(),
  lastObserved: date.optional(),
  status: z.enum(['CURRENT', 'SUPERSEDED', 'DISPUTED', 'RETRACTED']).default('CURRENT'),
  note: z.string().optional(),
  /** The marking of the claim itself (a STIX relationship's, raised to those of the objects it joins). */
  tlp: tlp.default('CLEAR'),
  sources: z.array(citation).min(1, 'every claim cites at least one source'),
  /** STIX `created` and `modified` of a relationship, kept so that a re-export gives the same object. */
  createdAt: z.iso.datetime({ offset: true }).optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
};

const match = z.array(z.strictObject({ system: z.string().min(1), value: z.string().min(1) }));

export {
  type AssociationKind,
  associationKindOf,
  associationKinds,
  associationTypeOf,
  symmetricAssociationKinds,
} from './association-kinds.js';

import { associationKinds } from './association-kinds.js';

const oneOf = (fields: string[], what: string) => (v: Record<string, unknown>) =>
  fields.filter((f) => v[f] != null).length === 1 || `${what}: expected exactly one of ${fields.join(', ')}`;

/**
 * An object as its dataset brought it, kept whole (see DatasetRecord in schema.prisma): parsers make
 * these, seed files do not list them. `actor` / `campaign` / `tool` name the document's entity it is.
 */
const datasetRecord = z.strictObject({
  identifier: z.string().min(1),
  format: z.enum(['stix', 'misp', 'seed']),
  type: z.string().min(1),
  modifiedAt: z.iso.datetime({ offset: true }).optional(),
  tlp: tlp.default('CLEAR'),
  original: z.record(z.string(), z.unknown()),
  actor: key.optional(),
  campaign: key.optional(),
  tool: key.optional(),
  technique: key.optional(),
  tactic: key.optional(),
});

/** An ATT&CK id: TA0001 (tactic), T1566 or T1566.001 (technique). */
const attackId = (prefix: 'TA' | 'T') =>
  z
    .string()
    .regex(
      prefix === 'TA' ? /^TA\d{4}$/ : /^T\d{4}(\.\d{3})?$/,
      prefix === 'TA' ? 'expected a tactic id such as TA0001' : 'expected a technique id such as T1566 or T1566.001',
    );

export const SeedDocument = z.strictObject({
  /** Which dataset the document comes from: its records keep it, and other datasets only fill their gaps. */
  dataset: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/)
    .default('curated'),
  organizations: z
    .array(
      z.strictObject({
        key,
        name: z.string().min(1),
        country: country.optional(),
        url: url.optional(),
        description: z.string().optional(),
        tlp: tlp.default('CLEAR'),
      }),
    )
    .default([]),
  sources: z
    .array(
      z.strictObject({
        key,
        title: z.string().min(1),
        publisher: key.optional(),
        url: url.optional(),
        alternateUrls: z.array(url).default([]),
        publishedOn: date.optional(),
        precision: z.enum(['DAY', 'MONTH', 'YEAR']).default('DAY'),
        kind: z.enum(['REPORT', 'ADVISORY', 'ARTICLE', 'BLOG_POST', 'CONFERENCE_TALK', 'DATASET', 'PRESS_RELEASE']),
        language: z
          .string()
          .regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code such as en')
          .default('en'),
        tlp: tlp.default('CLEAR'),
        authors: z.array(z.string()).default([]),
        note: z.string().optional(),
      }),
    )
    .default([]),
  actors: z
    .array(
      z.strictObject({
        ...entity,
        originCountry: country.optional(),
        sponsor: z.string().optional(),
        motivations: z.array(z.string()).default([]),
        firstSeen: date.optional(),
        lastSeen: date.optional(),
      }),
    )
    .default([]),
  campaigns: z
    .array(
      z.strictObject({
        ...entity,
        objective: z.string().optional(),
        firstSeen: date.optional(),
        lastSeen: date.optional(),
        estimatedLossUsd: money.optional(),
        confirmedLossUsd: money.optional(),
      }),
    )
    .default([]),
  tools: z
    .array(
      z.strictObject({
        ...entity,
        kind: z.enum(['MALWARE', 'TOOL']),
        malwareTypes: z.array(z.string()).default([]),
        platforms: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  victims: z
    .array(
      z.strictObject({
        key,
        name: z.string().min(1),
        kind: z.enum(['ORGANIZATION', 'SECTOR', 'COUNTRY', 'REGION']),
        country: country.optional(),
        sector: z.string().optional(),
        description: z.string().optional(),
        /** A victim made only for marked claims takes their (lowest) marking; a less marked claim lowers it. */
        tlp: tlp.default('CLEAR'),
        citations: z.array(fieldCitation).default([]),
        createdAt: z.iso.datetime({ offset: true }).optional(),
        updatedAt: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .default([]),
  attributions: z
    .array(
      z
        .strictObject({
          ...claim,
          campaign: key.optional(),
          subjectActor: key.optional(),
          tool: key.optional(),
          actor: key.optional(),
          /** The actor given by identifiers instead of a key (MISP `part-of`): skipped, with a warning, when no record holds any. */
          actorMatch: match.default([]),
          attributedToDescription: z.string().optional(),
          attributedToCountries: z.array(country).default([]),
          assessedOn: date.optional(),
          supersededBy: key.optional(),
        })
        .check((ctx) => {
          const subject = oneOf(['campaign', 'subjectActor', 'tool'], 'the attributed subject')(ctx.value);
          if (subject !== true) ctx.issues.push({ code: 'custom', message: subject, input: ctx.value });
          if (!ctx.value.actor && !ctx.value.actorMatch.length && !ctx.value.attributedToDescription)
            ctx.issues.push({
              code: 'custom',
              message: 'an attribution names an actor or describes one (attributedToDescription)',
              input: ctx.value,
            });
        }),
    )
    .default([]),
  usages: z
    .array(
      z
        .strictObject({
          ...claim,
          actor: key.optional(),
          campaign: key.optional(),
          tool: key.optional(),
          /** The tool given by identifiers instead of a key (MISP `related`): skipped, with a warning, when no record holds any. */
          toolMatch: match.default([]),
        })
        .check((ctx) => {
          const user = oneOf(['actor', 'campaign'], 'the user of the tool')(ctx.value);
          if (user !== true) ctx.issues.push({ code: 'custom', message: user, input: ctx.value });
          if (!ctx.value.tool && !ctx.value.toolMatch.length)
            ctx.issues.push({
              code: 'custom',
              message: 'a usage names its tool (tool or toolMatch)',
              input: ctx.value,
            });
        }),
    )
    .default([]),
  associations: z
    .array(
      z
        .strictObject({
          ...claim,
          kind: z.enum(associationKinds),
          fromActor: key.optional(),
          fromTool: key.optional(),
          toActor: key.optional(),
          toTool: key.optional(),
          /** The other record given by identifiers (MISP `related`): skipped, with a warning, when no record holds any. */
          toMatch: match.default([]),
        })
        .check((ctx) => {
          const v = ctx.value;
          const from = oneOf(['fromActor', 'fromTool'], 'the first record')(v);
          if (from !== true) ctx.issues.push({ code: 'custom', message: from, input: v });
          if (v.toActor && v.toTool)
            ctx.issues.push({
              code: 'custom',
              message: 'the second record: expected one of toActor, toTool',
              input: v,
            });
          if (!v.toActor && !v.toTool && !v.toMatch.length)
            ctx.issues.push({
              code: 'custom',
              message: 'an association names its second record (toActor, toTool or toMatch)',
              input: v,
            });
          if ((v.fromActor && v.toTool) || (v.fromTool && v.toActor))
            ctx.issues.push({ code: 'custom', message: 'an association links two actors or two tools', input: v });
        }),
    )
    .default([]),
  targetings: z
    .array(
      z.strictObject({ ...claim, actor: key.optional(), campaign: key.optional(), victim: key }).check((ctx) => {
        const who = oneOf(['actor', 'campaign'], 'the targeting actor or campaign')(ctx.value);
        if (who !== true) ctx.issues.push({ code: 'custom', message: who, input: ctx.value });
      }),
    )
    .default([]),
  /** ATT&CK tactics, with their place in the matrix. */
  tactics: z
    .array(
      z.strictObject({
        key,
        attackId: attackId('TA'),
        shortName: z.string().regex(/^[a-z0-9-]+$/, 'expected a kill-chain phase name such as initial-access'),
        name: z.string().trim().min(1).max(200),
        description: z.string().optional(),
        url: url.optional(),
        position: z.number().int().min(0),
        tlp: tlp.default('CLEAR'),
        modifiedAt: z.iso.datetime({ offset: true }).optional(),
        createdAt: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .default([]),
  /** ATT&CK techniques and sub-techniques. */
  techniques: z
    .array(
      z.strictObject({
        key,
        attackId: attackId('T'),
        name: z.string().trim().min(1).max(200),
        description: z.string().optional(),
        url: url.optional(),
        /** Tactic short names (kill-chain phase names). */
        tactics: z.array(z.string().min(1)).default([]),
        platforms: z.array(z.string().min(1)).default([]),
        isSubtechnique: z.boolean().default(false),
        /** The technique a sub-technique belongs to. */
        parent: key.optional(),
        revoked: z.boolean().default(false),
        deprecated: z.boolean().default(false),
        revokedBy: key.optional(),
        tlp: tlp.default('CLEAR'),
        modifiedAt: z.iso.datetime({ offset: true }).optional(),
        createdAt: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .default([]),
  /** Claims that an actor, a campaign or a tool uses a technique (the note is the procedure). */
  techniqueUses: z
    .array(
      z
        .strictObject({
          ...claim,
          actor: key.optional(),
          campaign: key.optional(),
          tool: key.optional(),
          /** The user given by identifiers (a STIX id another file brought): skipped, with a warning, when no record holds any. */
          userMatch: z.strictObject({ type: z.enum(['actor', 'campaign', 'tool']), ids: match.min(1) }).optional(),
          technique: key,
        })
        .check((ctx) => {
          const user = oneOf(['actor', 'campaign', 'tool', 'userMatch'], 'the user of the technique')(ctx.value);
          if (user !== true) ctx.issues.push({ code: 'custom', message: user, input: ctx.value });
        }),
    )
    .default([]),
  records: z.array(datasetRecord).default([]),
});

export type SeedDocument = z.infer<typeof SeedDocument>;

export class SeedFormatError extends Error {}

/** Validates a parsed document; the error lists every problem with its path (e.g. `sources[3].url`). */
export function parseSeedDocument(input: unknown, origin: string): SeedDocument {
  const parsed = SeedDocument.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.slice(0, 20).map((i) => {
    const where = i.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return `  ${where || '(document)'}: ${i.message}`;
  });
  throw new SeedFormatError(`${origin} is not a valid seed file:\n${lines.join('\n')}`);
}
