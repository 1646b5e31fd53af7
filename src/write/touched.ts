// What a write made stale: the entities whose cached answers must go (see response-cache.ts), worked
// out inside the write's transaction from the rows it created or changed. A cached answer records every
// object it holds by type and global ID (yoga's response cache adds the ids to the query), so an answer
// goes when it holds a touched entity. Answers whose membership writes may change carry tags as well:
// lists `listsTag` (every write), plain pages of one type `listOf(type)` (a write changing a record of
// that type), searches and lookups by name `namesTag` (a write changing names, records or external ids),
// searches also `wordsTag` (an edit of a description alone whose words may match).
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
 * The tag of answers to a plain page of one type's records (`actors(first:)`, no filter, no order: see
 * response-cache.ts, pagedLists): what it lists changes only when a record of that type is created,
 * changed or deleted (its own marking, name, status), not when a claim about one is recorded, which
 * drops its answer through the entities it holds. In the mixed workload, three writes in four are claims.
 */
export const listOf = (model: string): CacheEntity => ({ typename: 'Query', id: `lists:${model}` });

/**
 * The tag of answers found by names and descriptions (a search, a lookup by name or external id,
 * possible duplicates): they change only when a name, an entity's own fields (name, description,
 * marking) or an external id does, not when a claim is recorded.
 */
export const namesTag: CacheEntity = { typename: 'Query', id: 'names' };

/**
 * The tag of searches whose description words start with `prefix` (the first three letters of a word,
 * see searchWordsTag): an edit of a description that changes nothing else drops only the searches one
 * of whose words the old or the new text holds, not every search (in the mixed workload, every fourth
 * write is such an edit, and searches are the costliest answers to compute again).
 */
export const wordsTag = (prefix: string): CacheEntity => ({ typename: 'Query', id: `words:${prefix}` });
/** The words tag of searches whose words cannot be told by their first letters (short, not ASCII). */
export const anyWordsTag = wordsTag('*');

const PREFIX = 3;
const asciiWord = /^[a-z0-9]+$/;

/** A text's words as search compares them (search-ranking.ts: descriptionQuery), lower-case. */
export function searchedWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, 10_000);
}

/**
 * The words tag a search answer carries: full-text matching needs every word of the query held by the
 * description (each as a prefix), so one word's first letters tell the descriptions that may match.
 */
export function searchWordsTag(query: string): CacheEntity {
  const word = searchedWords(query)
    .slice(0, 16)
    .find((w) => w.length >= PREFIX && asciiWord.test(w));
  return word ? wordsTag(word.slice(0, PREFIX)) : anyWordsTag;
}

/**
 * The words tags a description text drops: the first letters of each word, and of each run of letters or
 * digits inside one ("apt28" is also "28"), in case PostgreSQL's parser splits it there. A text with a
 * letter outside ASCII drops every search (its words may be lower-cased otherwise by PostgreSQL).
 */
export function textWordsTags(text: string): CacheEntity[] {
  if (/[^\p{ASCII}]/u.test(text)) return [anyWordsTag];
  const prefixes = new Set<string>();
  for (const word of searchedWords(text))
    for (const part of [word, ...(word.match(/[a-z]+|[0-9]+/g) ?? [])])
      if (part.length >= PREFIX) prefixes.add(part.slice(0, PREFIX));
  return [anyWordsTag, ...[...prefixes].map(wordsTag)];
}

/**
 * Columns of an actor, a campaign or a tool whose change does not change what a lookup by name finds,
 * nor where the record stands in a plain page (`modifiedAt`: the dataset's own date, which a re-import
 * of a feed changes with the description).
 */
const describingColumns = new Set(['description', 'searchText', 'modifiedAt', 'version', 'updatedAt']);

/** What a search reads of a row: its search text, else (a row written in part) its description; null: not in the row. */
const searchedTextOf = (row: Record<string, unknown>) =>
  typeof row.searchText === 'string'
    ? row.searchText
    : typeof row.description === 'string' || row.description === null
      ? (row.description ?? '')
      : null;
const searchedModels = new Set(['Actor', 'Campaign', 'Tool']);

/**
 * A tag by its id, as NOTIFY payloads carry it (graph-changes.ts), or null for an entity's global ID:
 * tags' ids are `names` or hold a colon, which base64 global IDs never do.
 */
export const queryTagOf = (id: string): CacheEntity | null =>
  id === namesTag.id || id.includes(':') ? { typename: 'Query', id } : null;

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
  /** The words tags of descriptions edited with nothing else (see wordsTag). */
  private words = new Map<string, CacheEntity>();
  private anything = false;

  /** A row created, changed or deleted; the rows it names are touched too. */
  row(model: string, row: object | null) {
    if (!row) return;
    this.changed.add(model);
    this.named(model, row);
  }

  /**
   * A row changed from `before` to `after` (either null: created, deleted). An actor's, a campaign's or a
   * tool's description edited with nothing else that searches, lookups or plain pages read drops the
   * searches whose words the old or the new text holds; any other change, what `row` says. The rows may
   * be whole or hold the columns written alone (an import's): a column in neither did not change.
   */
  change(model: string, before: object | null, after: object | null) {
    if (before && after && searchedModels.has(model)) {
      const [b, a] = [before as Record<string, unknown>, after as Record<string, unknown>];
      const edited = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
        (k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]),
      );
      // The old and new texts, when the edit changed them; a side that does not hold its text cannot
      // tell which searches it leaves, nor can a row without its id drop the record's own answers: then
      // what `row` says.
      const texts = edited.some((k) => k === 'description' || k === 'searchText')
        ? [searchedTextOf(b), searchedTextOf(a)]
        : [];
      if (
        typeof (a.id ?? b.id) === 'string' &&
        edited.every((k) => describingColumns.has(k)) &&
        !texts.includes(null)
      ) {
        this.named(model, before);
        this.named(model, after);
        for (const text of texts) for (const tag of textWordsTags(text!)) this.words.set(tag.id!, tag);
        return;
      }
    }
    this.row(model, before);
    this.row(model, after);
  }

  /** The row and the rows it names, touched. */
  private named(model: string, row: object) {
    const values = row as Record<string, unknown>;
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
    for (const model of this.changed) entities.push(listOf(model));
    if ([...this.changed].some((m) => namedModels.has(m))) entities.push(namesTag);
    else entities.push(...this.words.values());
    return entities.length > MOST_ENTITIES ? 'everything' : { entities };
  }
}
