// The read side of TLP, in one place: what a caller with a given clearance may see. Names and claims
// carry `visibility` (their own marking raised by their sources', kept by database triggers: see the
// access_control migration); sources carry `tlp`; a citation is seen when its source is.
// At the highest clearance nothing is filtered, so no condition is added.
import { Prisma, type Tlp } from '../generated/prisma/client.js';
import { visibleLevels } from './principal.js';

const all = (clearance: Tlp) => clearance === 'RED';

/** `where` for names and claims (Name, Attribution, ToolUsage, Targeting, Association). */
export const visibleFact = (clearance: Tlp) => (all(clearance) ? {} : { visibility: { in: visibleLevels(clearance) } });

/**
 * `where` for records (actors, campaigns, tools, victims, organisations): their own marking. The names
 * and claims that name a marked record carry its marking in their visibility (database triggers), so
 * whatever reaches a record through them is filtered already.
 */
export const visibleRecord = (clearance: Tlp) => (all(clearance) ? {} : { tlp: { in: visibleLevels(clearance) } });
const records = new Set(['Actor', 'Campaign', 'Tool', 'Victim', 'Organization', 'Technique', 'Tactic']);

/**
 * `where` for dataset records: their own marking, and the entity they resolve to (a record of a marked
 * entity is as hidden as the entity).
 */
export const visibleDatasetRecord = (clearance: Tlp) =>
  all(clearance)
    ? {}
    : {
        ...visibleRecord(clearance),
        AND: (['actor', 'campaign', 'tool', 'technique', 'tactic'] as const).map((owner) => ({
          OR: [{ [`${owner}Id`]: null }, { [owner]: visibleRecord(clearance) }],
        })),
      };

/** `where` for sources. */
export const visibleSource = (clearance: Tlp) => (all(clearance) ? {} : { tlp: { in: visibleLevels(clearance) } });

/**
 * `where` for citations listed under what they support (a name's, a claim's, an entity's): the caller
 * sees that already, so only the source is checked.
 */
export const visibleCitation = (clearance: Tlp) => (all(clearance) ? {} : { source: visibleSource(clearance) });

/**
 * `where` for citations reached any other way (a source's citations, node(id:) of a citation): the
 * source is visible, and so is the name or claim it supports (a source the caller may read must not
 * lead them to a marked claim).
 */
export const visibleCitationAnyWay = (clearance: Tlp) => {
  if (all(clearance)) return {};
  const fact = visibleFact(clearance);
  const targets = ['name', 'attribution', 'toolUsage', 'targeting', 'association', 'techniqueUse'] as const;
  const recordTargets = ['actor', 'campaign', 'tool', 'victim'] as const;
  return {
    source: visibleSource(clearance),
    AND: [
      ...targets.map((t) => ({ OR: [{ [`${t}Id`]: null }, { [t]: fact }] })),
      ...recordTargets.map((t) => ({ OR: [{ [`${t}Id`]: null }, { [t]: visibleRecord(clearance) }] })),
    ],
  };
};

/** SQL condition on a record's own marking (`alias` is the record table's alias in the query). */
export const visibleRecordSql = (clearance: Tlp, alias: string) =>
  all(clearance) ? Prisma.sql`TRUE` : Prisma.sql`${Prisma.raw(`${alias}.tlp`)} <= ${clearance}::"Tlp"`;

/** SQL condition on a name's or claim's `visibility` column (`alias` is the table's alias in the query). */
export const visibleSql = (clearance: Tlp, alias: string) =>
  all(clearance) ? Prisma.sql`TRUE` : Prisma.sql`${Prisma.raw(`${alias}.visibility`)} <= ${clearance}::"Tlp"`;

/** Models whose rows carry a kept `visibility` (their own marking raised by their sources'). */
const facts = new Set(['Name', 'Attribution', 'ToolUsage', 'Targeting', 'Association', 'TechniqueUse']);

/**
 * `where` for a row of any model reached by its id (to read, change, delete, cite, merge): what the
 * caller may see of it. One rule for reads and writes: a row above the caller's clearance answers as
 * one that does not exist.
 */
export function visibleRow(model: string, clearance: Tlp): object {
  if (model === 'Source') return visibleSource(clearance);
  if (records.has(model)) return visibleRecord(clearance);
  if (facts.has(model)) return visibleFact(clearance);
  if (model === 'Citation') return visibleCitationAnyWay(clearance);
  // A merge is marked at least as its moved facts are (its note and moved rows are evidence); an audit
  // entry as the records it shows.
  if (model === 'Merge') return all(clearance) ? {} : { tlp: { in: visibleLevels(clearance) } };
  if (model === 'AuditEntry') return all(clearance) ? {} : { visibility: { in: visibleLevels(clearance) } };
  return {};
}
