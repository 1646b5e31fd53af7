// The connections every named entity (actor, campaign, tool) exposes: names, citations of its own
// attributes, and identifiers in other systems.
import { paged } from '../builder.js';

/** Revoked and deprecated records are kept but are not current: lists and lookups leave them out unless asked. */
export const currentOnly = (includeRevoked: boolean | null | undefined) => (includeRevoked ? {} : { revoked: false, deprecated: false });

export const namesConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description: 'Every name of this entity, each with who coined it and the sources that use it.',
  query: { orderBy: [{ value: 'asc' as const }, { id: 'asc' as const }] },
};

export const citationsConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description: "Sources for this entity's own attributes (description, dates, losses ...), with the attribute each supports.",
  query: { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] },
};

export const externalIdsConnection = {
  cursor: 'id' as const,
  totalCount: true,
  ...paged,
  description: 'Identifiers of this entity in other systems (MITRE ATT&CK, STIX, Malpedia ...).',
  query: { orderBy: [{ system: 'asc' as const }, { value: 'asc' as const }] },
};
