// What a write made stale: the entities whose cached answers must go (see response-cache.ts), worked
// out inside the write's transaction from the rows it created or changed. A cached answer records every
// object it holds by type and global ID (yoga's response cache adds the ids to the query), so an answer
// goes when it holds a touched entity; answers to lists, searches and lookups by name (whose membership
// any write may change) carry one tag (`listsTag`) and go with every write.
//
// Derived fields are answers about one entity computed from others' rows: an actor's victims and tools
// through its campaigns, its activity from its campaigns' dates, its platforms from its tools. A change
// to a campaign or a tool therefore touches the actors they are attributed to or used by.
import { encodeId } from '../global-id.js';
import type { Tx } from './transaction.js';

/** An entity as the response cache records it: its GraphQL type and global ID (or a root field's tag). */
export type CacheEntity = { typename: string; id?: string };

/** What a committed write changed: these entities, or (a merge, a delete, a bulk import) anything. */
export type GraphChange = { entities: CacheEntity[] } | 'everything';

/** Columns naming another row, by the model they name. */
export const referenceColumns: Record<string, string> = {
  publisherId: 'Organization',
  coinedById: 'Organization',
  actorId: 'Actor',
  subjectActorId: 'Actor',
  fromActorId: 'Actor',
  toActorId: 'Actor',
  campaignId: 'Campaign',
  toolId: 'Tool',
  fromToolId: 'Tool',
  toToolId: 'Tool',
  victimId: 'Victim',
  sourceId: 'Source',
  nameId: 'Name',
  attributionId: 'Attribution',
  toolUsageId: 'ToolUsage',
  targetingId: 'Targeting',
  associationId: 'Association',
  supersededById: 'Attribution',
  recordId: 'DatasetRecord',
  techniqueId: 'Technique',
  techniqueUseId: 'TechniqueUse',
  tacticId: 'Tactic',
  parentId: 'Technique',
};

/** Past this many entities, naming them costs more than starting the cache afresh. */
const MOST_ENTITIES = 2_000;

/**
 * The tag of every cached answer to a root field asked otherwise than by ID alone (a list, a search, a
 * lookup by name, a count): any write may change what such a question finds. Answers to `node(id:)`,
 * `actor(id:)` and the like are not tagged: what they hold is covered by its entities.
 */
export const listsTag: CacheEntity = { typename: 'Query', id: 'lists' };

/**
 * The tag of answers found by names and descriptions (a search, a lookup by name or external id,
 * possible duplicates): they change only when a name, an entity's own fields (name, description,
 * marking) or an external id does, not when a claim is recorded.
 */
export const namesTag: CacheEntity = { typename: 'Query', id: 'names' };

/** The rows whose change may change what a search or a lookup by name finds. */
const namedModels = new Set([
  'Name',
  'ExternalId',
  'DatasetRecord',
  'Actor',
  'Campaign',
  'Tool',
  'Victim',
  'Source',
  'Organization',
  'Technique',
  'Tactic',
]);

/** Collects the rows a write touches; `entities()` turns them into what the caches drop. */
export class Touched {
  private ids = new Map<string, Set<string>>();
  /** The models of the rows changed themselves (not merely named by one). */
  private changed = new Set<string>();
  private anything = false;

  /** A row created, changed or deleted; the rows it names are touched too. */
  row(model: string, row: object | null) {
    if (!row) return;
    const values = row as Record<string, unknown>;
    this.changed.add(model);
    if (typeof values.id === 'string') this.add(model, values.id);
    for (const [column, named] of Object.entries(referenceColumns)) {
      const value = values[column];
      if (typeof value === 'string') this.add(named, value);
    }
  }

  /** A change whose reach is not worked out (a merge, a split, a delete with its cascades). */
  everything() {
    this.anything = true;
  }

  private add(model: string, id: string) {
    const set = this.ids.get(model) ?? new Set<string>();
    this.ids.set(model, set);
    set.add(id);
  }

  get empty() {
    return !this.anything && this.ids.size === 0;
  }

  /** The entities to drop, with the actors whose derived fields read the touched campaigns and tools. */
  async entities(tx: Tx): Promise<GraphChange> {
    if (this.anything) return 'everything';
    const count = [...this.ids.values()].reduce((n, s) => n + s.size, 0);
    if (count > MOST_ENTITIES) return 'everything';
    const campaigns = [...(this.ids.get('Campaign') ?? [])];
    const tools = [...(this.ids.get('Tool') ?? [])];
    if (tools.length) {
      const usages = await tx.toolUsage.findMany({
        where: { toolId: { in: tools } },
        select: { actorId: true, campaignId: true },
      });
      for (const u of usages) {
        if (u.actorId) this.add('Actor', u.actorId);
        if (u.campaignId) campaigns.push(u.campaignId);
      }
    }
    if (campaigns.length) {
      const attributions = await tx.attribution.findMany({
        where: { campaignId: { in: campaigns }, actorId: { not: null } },
        select: { actorId: true },
      });
      for (const a of attributions) this.add('Actor', a.actorId!);
    }
    const entities: CacheEntity[] = [];
    for (const [model, ids] of this.ids)
      for (const id of ids) entities.push({ typename: model, id: encodeId(model, id) });
    entities.push(listsTag);
    if ([...this.changed].some((m) => namedModels.has(m))) entities.push(namesTag);
    return entities.length > MOST_ENTITIES ? 'everything' : { entities };
  }
}
