// The connections every named entity (actor, campaign, tool) exposes: names, citations of its own
// attributes, and identifiers in other systems.

import { visibleCitation, visibleFact, visibleRecord } from '../auth/visibility.js';
import { paged } from '../builder.js';
import type { Context } from '../context.js';
import { knownCitation, knownFact } from './known-at.js';

/** What the provenance fields of every named entity (actor, campaign, tool) say: one wording for all three. */
export const provenanceDescriptions = {
  dataset:
    'The dataset the fields come from (curated, mitre-attack, misp-galaxy ...); names and claims cite their own sources.',
  revoked: 'Replaced by another record in its dataset (see revokedBy); kept for the record.',
  deprecated: 'Deprecated in its dataset; kept for the record.',
  revokedBy: 'The record that replaced this one.',
} as const;

/** Revoked and deprecated records are kept but are not current: lists and lookups leave them out unless asked. */
export const currentOnly = (includeRevoked: boolean | null | undefined) =>
  includeRevoked ? {} : { revoked: false, deprecated: false };

/** A claim's or name's citations: those whose source the caller may read, oldest first. */
export const citationsQuery = (_args: unknown, ctx: Context) => ({
  where: ctx.view.knownAt
    ? { AND: [visibleCitation(ctx.principal.clearance), knownCitation(ctx)] }
    : visibleCitation(ctx.principal.clearance),
  orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }],
});

/** Claims the caller may see, in id order (the order of the (owner, id) indexes). */
export const claimsById = (_args: unknown, ctx: Context) => ({
  where: { ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
  orderBy: { id: 'asc' as const },
});

export const namesConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description: 'Every name of this entity, each with who coined it and the sources that use it.',
  query: (_args: unknown, ctx: Context) => ({
    where: { ...visibleFact(ctx.principal.clearance), ...knownFact(ctx) },
    orderBy: [{ value: 'asc' as const }, { id: 'asc' as const }],
  }),
};

export const citationsConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description:
    "Sources for this entity's own attributes (description, dates, losses ...), with the attribute each supports.",
  query: citationsQuery,
};

export const externalIdsConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description: 'Identifiers of this entity in other systems (MITRE ATT&CK, STIX, Malpedia ...).',
  query: { orderBy: [{ system: 'asc' as const }, { value: 'asc' as const }] },
};

export const recordsConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description:
    'The records this entity resolves: each object a dataset brought (a STIX object, a MISP cluster, a curated entry), kept whole, with the rule and evidence that joined it here. The fields come from them by dataset precedence (curated, mitre-attack, misp-galaxy, others).',
  query: (_args: unknown, ctx: Context) => ({
    where: visibleRecord(ctx.principal.clearance),
    orderBy: [{ dataset: 'asc' as const }, { id: 'asc' as const }],
  }),
};
