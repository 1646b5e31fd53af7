// GraphQL enums that mirror the database's.
import { builder } from '../builder.js';
import { ClaimStatus, DatePrecision, Role, SourceKind, Tlp, ToolKind, VictimKind } from '../generated/prisma/enums.js';

export const TlpEnum = builder.enumType(Tlp, {
  name: 'Tlp',
  description: 'Traffic Light Protocol 2.0 marking. AMBER_STRICT is TLP:AMBER+STRICT.',
});
export const SourceKindEnum = builder.enumType(SourceKind, { name: 'SourceKind' });
export const DatePrecisionEnum = builder.enumType(DatePrecision, {
  name: 'DatePrecision',
  description: 'How much of a date the source gives: a day, a month or only a year.',
});
export const ToolKindEnum = builder.enumType(ToolKind, {
  name: 'ToolKind',
  description: 'MALWARE is malicious by design; TOOL is legitimate software (or a red-team tool) put to malicious use.',
});
export const VictimKindEnum = builder.enumType(VictimKind, { name: 'VictimKind' });
export const ClaimStatusEnum = builder.enumType(ClaimStatus, {
  name: 'ClaimStatus',
  description:
    'CURRENT: the latest assessment. SUPERSEDED: replaced by a later one, kept for the record. DISPUTED: contested by another source. RETRACTED: withdrawn by its source.',
});
export const RoleEnum = builder.enumType(Role, {
  name: 'Role',
  description: 'READER reads; ANALYST also records and edits; ADMIN also imports and reads the audit log.',
});
export const SortDirection = builder.enumType('SortDirection', { values: ['ASC', 'DESC'] as const });
export const CitationTargetEnum = builder.enumType('CitationTarget', {
  description:
    'NAME: citations of names. CLAIM: of attributions, tool usages, targetings and associations. ENTITY: of attributes of actors, campaigns, tools and victims.',
  values: ['NAME', 'CLAIM', 'ENTITY'] as const,
});
export const EntityTypeEnum = builder.enumType('EntityType', {
  description: 'The named entities: actors, campaigns and tools.',
  values: ['ACTOR', 'CAMPAIGN', 'TOOL'] as const,
});
/** An EntityType value as the GraphQL type's name. */
export const entityTypeName = { ACTOR: 'Actor', CAMPAIGN: 'Campaign', TOOL: 'Tool' } as const;
