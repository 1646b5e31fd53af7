// Writes whole documents (seed files, STIX bundles, MISP galaxies, as src/ingest/ parses them) inside
// an import's write (documents.ts): upsert by stable key, identities matched on hard identifiers,
// names and claims always cited, references checked, and nothing rewritten when nothing changed
// (loading the same data twice leaves every row, timestamps included, as it was). Mutations write one
// record at a time through entities.ts and claims.ts; both share rules.ts.

import { isDeepStrictEqual } from 'node:util';
import { tlpLevels } from '../auth/principal.js';
import { Prisma, type Tlp } from '../generated/prisma/client.js';
import type { SeedDocument } from '../ingest/seed-format.js';
import { insertMany } from './bulk-insert.js';
import { type MergeType, mergeManyIn } from './merge.js';
import { withPublishers } from './publishers.js';
import { Catalogue, importJoinNote, type Join, rankOf } from './resolution.js';
import { assessedDate, confidenceFromLabel, newId, normalizeName, type SourceDate, searchTextOf } from './rules.js';
import { canonicalUrl, dateInUrl } from './source-urls.js';
import type { Edit, Tx } from './transaction.js';
import { termsOf, toolTypeVocabulary, withVocabularyTerms } from './vocabularies.js';

type Counts = { created: number; updated: number; unchanged: number };
/** Counts per record type, keyed by the type's name as in GraphQL, Prisma and the audit log (`Actor`, `ToolUsage`). */
export type WriteSummary = Record<string, Counts>;
/** What a write did, per record type, and what it set aside (e.g. an identifier another record holds). */
export type WriteResult = {
  counts: WriteSummary;
  warnings: string[];
  /** How long each document took to write, in order (the first start's report). */
  durations?: { dataset: string; records: number; ms: number }[];
};

export class WriteError extends Error {}

const day = (d: string | undefined | null) => (d ? new Date(`${d}T00:00:00.000Z`) : null);

function same(current: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return true;
  if (current instanceof Date || wanted instanceof Date) {
    return (
      current != null && wanted != null && new Date(current as Date).getTime() === new Date(wanted as Date).getTime()
    );
  }
  if (Prisma.Decimal.isDecimal(current)) return wanted != null && (current as Prisma.Decimal).equals(wanted as string);
  if (Array.isArray(current) || Array.isArray(wanted)) return JSON.stringify(current) === JSON.stringify(wanted);
  return (current ?? null) === (wanted ?? null);
}

const isEmpty = (v: unknown) => v == null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The fields a new version changes. An empty value is "not said", never an erasure: datasets that
 * share a record (or a source, by URL) each leave the others' values alone, and loading them again
 * in any order changes nothing.
 */
const changedFields = <T extends Record<string, unknown>>(current: Record<string, unknown>, wanted: T) =>
  Object.fromEntries(Object.entries(wanted).filter(([k, v]) => !isEmpty(v) && !same(current[k], v))) as Partial<T>;

/** The fields a record of another dataset lacks and this one has: they are filled, nothing else changes. */
const missingFields = <T extends Record<string, unknown>>(current: Record<string, unknown>, wanted: T) =>
  Object.fromEntries(
    Object.entries(wanted).filter(
      ([k, v]) =>
        !isEmpty(v) &&
        (isEmpty(current[k]) ||
          (k in filledWith && isEmpty(current[filledWith[k]]) && !isEmpty(wanted[filledWith[k]]) && current[k] !== v)),
    ),
  ) as Partial<T>;

/**
 * A tool's types are terms of malware-type-ov or tool-type-ov by its kind: types another dataset gives
 * a stored tool (as gaps filled, or a joined record's) are read in the stored tool's vocabulary.
 */
function toolTypesFor(type: string, row: Record<string, unknown>, changes: Record<string, unknown>) {
  if (type !== 'tool' || !Array.isArray(changes.malwareTypes)) return changes;
  const kind = (changes.kind ?? row.kind) as string;
  return { ...changes, malwareTypes: termsOf(toolTypeVocabulary(kind), changes.malwareTypes as string[]) };
}

/** Fields that mean something only with another: filled when that one is (a date's precision). */
const filledWith: Record<string, string> = { publishedPrecision: 'publishedOn' };

type KeyedType =
  | 'organization'
  | 'source'
  | 'actor'
  | 'campaign'
  | 'tool'
  | 'victim'
  | 'attribution'
  | 'toolUsage'
  | 'targeting'
  | 'association'
  | 'tactic'
  | 'technique'
  | 'techniqueUse';
type Owner = 'actor' | 'campaign' | 'tool';
/** Who holds an external id: the owner's id and key per type. */
type IdHolder = {
  actorId: string | null;
  campaignId: string | null;
  toolId: string | null;
  keys: Partial<Record<Owner, string>>;
};
const CHUNK = 5_000;
const chunks = <T>(xs: T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

type UpsertOptions = {
  /** The record was matched from another dataset (or source by URL): only fill its empty fields. */
  fillOnly?: boolean;
  /** The version's date (STIX `modified`): a record changed later is left as it is. */
  modifiedAt?: Date | null;
  /** The row under `key`, when the caller has already read it (null: there is none). */
  existing?: Record<string, unknown> | null;
};

type Row = Record<string, unknown>;
/** A Prisma model delegate reduced to what the keyed upsert needs. */
type KeyedDelegate = {
  findUnique(args: { where: { key: string } }): Promise<Row | null>;
  findMany(args: { where: { key: { in: string[] } } }): Promise<Row[]>;
  update(args: { where: { key: string }; data: Row }): Promise<Row>;
};

class GraphWriter {
  readonly summary: WriteSummary = {};
  readonly warnings: string[] = [];
  private ids = new Map<string, string>(); // "actor:lazarus-group" -> uuid
  // Rows read ahead, one query per type and document instead of one per record ("actor:key" → row, or
  // null: none), kept current as this writer changes them. Only this writer writes inside its transaction.
  private rows = new Map<string, Row | null>();
  private idHolders = new Map<string, IdHolder | null>(); // "system\u0000value" → holder
  /** The row each source key of the document stands for (one document may give it under several keys). */
  private sourceRows = new Map<string, Row>();
  private sourcesByUrl = new Map<string, Row | null>(); // the first source with each canonical URL
  private externalIdCreates: Prisma.ExternalIdCreateManyInput[] = [];

  // Rows to create, per type, written by `flush` in a few multi-row INSERTs (before anything refers to them).
  private pending = new Map<KeyedType, Row[]>();
  private pendingKeys = new Set<string>();

  private done = 0;

  /** How each of the document's actors, campaigns and tools was resolved ("actor:key" → the join). */
  private joins = new Map<string, Join>();
  /** Entities resolution kept apart from a record on conflicting evidence: linked for review. */
  private apart: SeedDocument['associations'] = [];
  private catalogues = new Map<Owner, Catalogue>();
  /**
   * Joins made by inference (`name`, `similar`): the record makes its own entity, merged into the one it
   * was joined to once the whole document is written (mergeRecords' machinery: recorded, audited, and
   * undone exactly by splitMerge; after a split the record's own id keeps it apart on every re-import).
   */
  private inferred: {
    type: Owner;
    absorbed: string;
    survivor: string;
    join: Join;
    fields: Record<string, unknown>;
    names: SeedDocument['actors'][number]['names'];
  }[] = [];

  private tx: Tx;

  constructor(
    private edit: Edit,
    private dataset: string,
    private onProgress?: (done: number) => void,
  ) {
    this.tx = edit.tx;
  }

  /** One top-level record written (for progress bars on long imports). */
  private tick() {
    this.onProgress?.(++this.done);
  }

  /**
   * `type` is a Prisma delegate name (`toolUsage`); the summary says the type's name (`ToolUsage`). A row
   * created or updated is touched for the caches (src/write/touched.ts); one not given touches anything.
   */
  private count(type: string, outcome: keyof Counts, n = 1, row?: object, before?: { row: Row; fields: string[] }) {
    const name = type[0].toUpperCase() + type.slice(1);
    this.summary[name] ??= { created: 0, updated: 0, unchanged: 0 };
    this.summary[name][outcome] += n;
    if (outcome !== 'unchanged' && n > 0) {
      if (row) this.edit.touched.change(name, before?.row ?? null, row);
      else this.edit.touched.everything();
    }
    // The change log: a row created, or changed from `before` (src/write/change-log.ts).
    if (outcome === 'created' && row) this.edit.log.row(name, null, row as Row);
    else if (outcome === 'updated' && row && before) this.edit.log.row(name, before.row, row as Row, before.fields);
  }

  private delegate(type: KeyedType) {
    return (this.tx as unknown as Record<string, KeyedDelegate>)[type];
  }

  private async flush(type: KeyedType) {
    const rows = this.pending.get(type) ?? [];
    this.pending.delete(type);
    for (const row of rows) this.pendingKeys.delete(`${type}:${row.key}`);
    for (const chunk of chunks(rows)) await insertMany(this.tx, type[0].toUpperCase() + type.slice(1), chunk);
  }

  /** Reads the rows of `keys` in a few queries (see `rows`). */
  private async preload(type: KeyedType, keys: string[]) {
    const missing = [...new Set(keys)].filter((k) => !this.rows.has(`${type}:${k}`));
    for (const chunk of chunks(missing)) {
      const found = new Map(
        (await this.delegate(type).findMany({ where: { key: { in: chunk } } })).map((r) => [r.key as string, r]),
      );
      for (const k of chunk) this.rows.set(`${type}:${k}`, found.get(k) ?? null);
    }
  }

  private async rowByKey(type: KeyedType, key: string) {
    const k = `${type}:${key}`;
    if (!this.rows.has(k)) this.rows.set(k, await this.delegate(type).findUnique({ where: { key } }));
    return this.rows.get(k)!;
  }

  private async upsertByKey(type: KeyedType, key: string, data: Record<string, unknown>, options: UpsertOptions = {}) {
    const existing = options.existing !== undefined ? options.existing : await this.rowByKey(type, key);
    let row = existing;
    if (!existing) {
      // Created in bulk when the type is flushed (see `pending`); the id is made here.
      row = { id: newId(), key, ...Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) };
      (this.pending.get(type) ?? this.pending.set(type, []).get(type)!).push(row);
      this.pendingKeys.add(`${type}:${key}`);
      this.count(type, 'created', 1, row!);
    } else {
      const newer =
        existing.modifiedAt instanceof Date && options.modifiedAt != null && existing.modifiedAt > options.modifiedAt;
      const changes = toolTypesFor(
        type,
        existing,
        options.fillOnly ? missingFields(existing, data) : newer ? {} : changedFields(existing, data),
      );
      if (Object.keys(changes).length > 0) {
        if (this.pendingKeys.has(`${type}:${key}`))
          Object.assign(existing, changes); // not written yet: the create takes them
        else row = await this.delegate(type).update({ where: { key }, data: changes });
        this.count(type, 'updated', 1, { ...existing, ...changes }, { row: existing, fields: Object.keys(changes) });
      } else this.count(type, 'unchanged');
    }
    this.rows.set(`${type}:${key}`, row);
    const id = row!.id as string;
    this.ids.set(`${type}:${key}`, id);
    return id;
  }

  /** Reads who holds each of these identifiers, in a few queries. */
  private async preloadExternalIds(list: { system: string; value: string }[]) {
    const missing = [...new Set(list.map((x) => `${x.system}\u0000${x.value}`))].filter((k) => !this.idHolders.has(k));
    for (const chunk of chunks(missing)) {
      const found = await this.tx.externalId.findMany({
        where: { value: { in: [...new Set(chunk.map((k) => k.split('\u0000')[1]))] } },
        select: {
          system: true,
          value: true,
          actorId: true,
          campaignId: true,
          toolId: true,
          actor: { select: { key: true } },
          campaign: { select: { key: true } },
          tool: { select: { key: true } },
        },
      });
      const byKey = new Map(found.map((f) => [`${f.system}\u0000${f.value}`, f]));
      for (const k of chunk) {
        const f = byKey.get(k);
        this.idHolders.set(
          k,
          f
            ? {
                actorId: f.actorId,
                campaignId: f.campaignId,
                toolId: f.toolId,
                keys: { actor: f.actor?.key, campaign: f.campaign?.key, tool: f.tool?.key },
              }
            : null,
        );
      }
    }
  }

  private async idHolder(x: { system: string; value: string }) {
    const k = `${x.system}\u0000${x.value}`;
    if (!this.idHolders.has(k)) await this.preloadExternalIds([x]);
    return this.idHolders.get(k)!;
  }

  /**
   * Cross-dataset identity: a record that already holds one of the entity's hard identifiers (a STIX
   * id, an ATT&CK id ...) is the same entity, whatever its key. Identifiers are tried in the order
   * given (the strongest first); names are never used for this.
   */
  private async matchByExternalIds(type: Owner, externalIds: { system: string; value: string }[]) {
    for (const x of externalIds) {
      const owner = (await this.idHolder(x))?.keys[type];
      if (owner) return owner;
    }
    return null;
  }

  private async catalogue(type: Owner) {
    const known = this.catalogues.get(type);
    if (known) return known;
    const loaded = await Catalogue.load(this.tx, type);
    this.catalogues.set(type, loaded);
    return loaded;
  }

  /**
   * Entities that conflicting evidence pointed a record at but that it did not join (see resolution.ts)
   * are linked to it by a SIMILAR association citing the record's sources, so that the pair shows in
   * both entities' associations and in `possibleDuplicates`.
   */
  private keepApart(
    type: Owner,
    e: SeedDocument['actors' | 'campaigns' | 'tools'][number],
    apart: { key: string; evidence: string[] }[],
  ) {
    if (type === 'campaign') return; // associations link actors or tools
    const sources = e.names[0]?.sources.slice(0, 1) ?? [];
    if (!sources.length) return;
    for (const other of apart)
      this.apart.push({
        key: `apart-${e.key}--${other.key}`.slice(0, 200),
        kind: 'SIMILAR',
        ...(type === 'actor' ? { fromActor: e.key, toActor: other.key } : { fromTool: e.key, toTool: other.key }),
        toMatch: [],
        status: 'CURRENT',
        tlp: e.tlp,
        note: `Not joined: ${this.dataset}'s record ${e.name} ${other.evidence.join(', ')}, and its other evidence points to another entity.`,
        sources,
      });
  }

  /**
   * Keeps each object as it came (see DatasetRecord): a new one is created; a newer version of a known
   * one (or, without dates, a different one) replaces it and the replaced version is kept; an older
   * version is kept as a version only, and changes nothing else.
   */
  private async writeRecords(records: SeedDocument['records']) {
    const select = {
      id: true,
      identifier: true,
      modifiedAt: true,
      original: true,
      tlp: true,
      actorId: true,
      campaignId: true,
      toolId: true,
      techniqueId: true,
      tacticId: true,
    } as const;
    const existing = new Map<string, Prisma.DatasetRecordGetPayload<{ select: typeof select }>>();
    for (const chunk of chunks([...new Set(records.map((r) => r.identifier))]))
      for (const row of await this.tx.datasetRecord.findMany({
        where: { dataset: this.dataset, identifier: { in: chunk } },
        select,
      }))
        existing.set(row.identifier, row);
    const creating = new Map<string, Prisma.DatasetRecordCreateManyInput>();
    const versions: Prisma.DatasetRecordVersionCreateManyInput[] = [];
    for (const r of records) {
      const entity = r.actor
        ? 'actor'
        : r.campaign
          ? 'campaign'
          : r.tool
            ? 'tool'
            : r.technique
              ? 'technique'
              : r.tactic
                ? 'tactic'
                : null;
      const docKey = r.actor ?? r.campaign ?? r.tool ?? r.technique ?? r.tactic;
      const ownerId = entity && docKey ? (this.ids.get(`${entity}:${docKey}`) ?? null) : null;
      const join = entity && docKey ? this.joins.get(`${entity}:${docKey}`) : undefined;
      const owner = {
        actorId: null,
        campaignId: null,
        toolId: null,
        techniqueId: null,
        tacticId: null,
        ...(entity && ownerId ? { [`${entity}Id`]: ownerId } : {}),
      };
      const modifiedAt = r.modifiedAt ? new Date(r.modifiedAt) : null;
      const original = r.original as Prisma.InputJsonObject;
      const pending = creating.get(r.identifier);
      if (pending) {
        // The same object twice in one document: the later version is kept.
        if (!pending.modifiedAt || !modifiedAt || modifiedAt >= (pending.modifiedAt as Date))
          Object.assign(pending, { original, modifiedAt, tlp: r.tlp });
        this.count('datasetRecord', 'unchanged');
        continue;
      }
      const row = existing.get(r.identifier);
      if (!row) {
        const record = {
          id: newId(),
          dataset: this.dataset,
          identifier: r.identifier,
          format: r.format,
          type: r.type,
          modifiedAt,
          tlp: r.tlp,
          original,
          ...owner,
          joinRule: join?.rule ?? null,
          joinEvidence: join?.evidence ?? Prisma.DbNull,
        };
        creating.set(r.identifier, record);
        this.count('datasetRecord', 'created', 1, record);
        continue;
      }
      if (row.modifiedAt && modifiedAt && modifiedAt < row.modifiedAt) {
        // An older version: history only (once).
        const known = await this.tx.datasetRecordVersion.findFirst({ where: { recordId: row.id, modifiedAt } });
        if (!known) versions.push({ recordId: row.id, modifiedAt, original, tlp: r.tlp, replaced: false });
        this.count('datasetRecord', 'unchanged');
        this.warnings.push(
          `${this.dataset} ${r.identifier}: older than the version held (${row.modifiedAt.toISOString()}); kept as a version only`,
        );
        continue;
      }
      const sameOwner =
        owner.actorId === row.actorId &&
        owner.campaignId === row.campaignId &&
        owner.toolId === row.toolId &&
        owner.techniqueId === row.techniqueId &&
        owner.tacticId === row.tacticId;
      if (isDeepStrictEqual(row.original, r.original) && row.tlp === r.tlp && (sameOwner || !ownerId)) {
        this.count('datasetRecord', 'unchanged');
        continue;
      }
      if (!isDeepStrictEqual(row.original, r.original))
        versions.push({
          recordId: row.id,
          modifiedAt: row.modifiedAt,
          original: row.original as Prisma.InputJsonObject,
          tlp: row.tlp,
          replaced: true,
        });
      await this.tx.datasetRecord.update({
        where: { id: row.id },
        data: {
          original,
          modifiedAt,
          tlp: r.tlp,
          format: r.format,
          type: r.type,
          version: { increment: 1 },
          // The join stays as it was made unless the record now resolves elsewhere.
          ...(ownerId && !sameOwner
            ? { ...owner, joinRule: join?.rule ?? null, joinEvidence: join?.evidence ?? Prisma.DbNull }
            : {}),
        },
      });
      this.edit.touched.row('DatasetRecord', row); // its former owner's answers show it too
      this.count('datasetRecord', 'updated', 1, { ...row, ...(ownerId ? owner : {}) });
    }
    for (const chunk of chunks([...creating.values()])) await insertMany(this.tx, 'DatasetRecord', chunk);
    for (const chunk of chunks(versions)) await insertMany(this.tx, 'DatasetRecordVersion', chunk);
  }

  /**
   * Merges each entity a record made into the entity resolution joined it to by inference (see
   * `inferred`), as mergeRecords does (in bulk: mergeManyIn), adds the record's names to the survivor's
   * and fills the survivor's empty fields from the record (as a lower dataset does). A survivor revoked
   * meanwhile is left alone: the two stay apart.
   */
  private async mergeInferred() {
    for (const type of ['actor', 'campaign', 'tool'] as const) {
      const list = this.inferred.filter((m) => m.type === type);
      if (!list.length) continue;
      const model = `${type[0].toUpperCase()}${type.slice(1)}` as MergeType;
      const delegate = this.tx[type] as unknown as { findMany(a: object): Promise<Row[]> };
      // Read afresh: the rows this writer holds may predate its own updates (and lack their versions).
      const rows = new Map(
        (await delegate.findMany({ where: { key: { in: list.flatMap((m) => [m.absorbed, m.survivor]) } } })).map(
          (r) => [r.key as string, r],
        ),
      );
      const pairs = list.flatMap((m) => {
        const [absorbed, survivor] = [rows.get(m.absorbed), rows.get(m.survivor)];
        if (!absorbed || !survivor) return [];
        const note = `${importJoinNote} by the rule "${m.join.rule}": ${JSON.stringify(m.join.evidence)}`;
        return [{ survivor: survivor.id as string, absorbed: absorbed.id as string, note, m, row: survivor }];
      });
      const done = new Set((await mergeManyIn(this.edit, model, pairs)).map((p) => p.absorbed));
      const merged = pairs.filter((p) => done.has(p.absorbed));
      this.count('merge', 'created', merged.length);
      // The names the survivor carried already stayed with the absorbed entity: the record's sources and
      // coiners are added to the survivor's, as a later import of the record would (so that it is a no-op).
      await this.writeNames(
        `${type}Id`,
        merged.map((p) => ({ ownerId: p.survivor, names: p.m.names, where: `${type}s[${p.m.absorbed}]` })),
      );
      for (const p of merged) {
        const { tlp: _tlp, ...fill } = toolTypesFor(type, p.row, missingFields(p.row, p.m.fields)) as Record<
          string,
          unknown
        >;
        if (!Object.keys(fill).length) continue;
        if (fill.description !== undefined)
          fill.searchText = searchTextOf(p.row.name as string, fill.description as string);
        await (this.tx[type] as unknown as { update(a: object): Promise<Row> }).update({
          where: { id: p.survivor },
          data: fill,
        });
      }
      for (const p of merged) {
        this.rows.delete(`${type}:${p.m.survivor}`);
        this.rows.delete(`${type}:${p.m.absorbed}`);
      }
    }
  }

  /** The id of a record named by key: written in this batch or already in the database. */
  private async idOf(type: KeyedType, key: string, where: string) {
    const known = this.ids.get(`${type}:${key}`);
    if (known) return known;
    const row = await this.rowByKey(type, key);
    if (!row) throw new WriteError(`${where}: there is no ${type} with key "${key}"`);
    this.ids.set(`${type}:${key}`, row.id as string);
    return row.id as string;
  }

  /**
   * Adds the citations that are missing for many records at once (one read, one insert); existing ones
   * keep their ids (an excerpt may be updated). New ones get time-ordered ids, so that citations made
   * in one statement keep the order they were given in (connections page by createdAt, then id).
   */
  private async citeAll(
    column:
      | 'nameId'
      | 'attributionId'
      | 'toolUsageId'
      | 'targetingId'
      | 'associationId'
      | 'techniqueUseId'
      | 'actorId'
      | 'campaignId'
      | 'toolId'
      | 'victimId',
    entries: { id: string; citations: { source: string; excerpt?: string; field?: string }[]; where: string }[],
  ) {
    const targets = [...new Set(entries.filter((e) => e.citations.length).map((e) => e.id))];
    if (!targets.length) return;
    const known = new Map<string, { id: string; excerpt: string | null }>();
    for (const chunk of chunks(targets)) {
      for (const c of await this.tx.citation.findMany({
        where: { [column]: { in: chunk } },
        select: { id: true, [column]: true, sourceId: true, field: true, excerpt: true },
      })) {
        const row = c as unknown as Record<string, string | null>;
        known.set(`${row[column]}|${row.sourceId}|${row.field ?? ''}`, { id: row.id!, excerpt: row.excerpt });
      }
    }
    const creates: Prisma.CitationCreateManyInput[] = [];
    for (const e of entries) {
      for (const c of e.citations) {
        const sourceId = await this.idOf('source', c.source, e.where);
        const k = `${e.id}|${sourceId}|${c.field ?? ''}`;
        const found = known.get(k);
        if (!found) {
          const id = newId();
          creates.push({ id, [column]: e.id, sourceId, field: c.field ?? null, excerpt: c.excerpt ?? null });
          known.set(k, { id, excerpt: c.excerpt ?? null });
          this.count('citation', 'created', 1, { id, [column]: e.id, sourceId });
        } else if (c.excerpt !== undefined && found.excerpt !== c.excerpt) {
          await this.tx.citation.update({ where: { id: found.id }, data: { excerpt: c.excerpt } });
          found.excerpt = c.excerpt;
          const citation = { id: found.id, [column]: e.id, sourceId };
          this.count('citation', 'updated', 1, citation, { row: citation, fields: ['excerpt'] });
        } else this.count('citation', 'unchanged');
      }
    }
    for (const chunk of chunks(creates)) await insertMany(this.tx, 'Citation', chunk);
  }

  /** Writes the names of many entities of one type (one read, one insert) and returns every name each now has. */
  private async writeNames(
    owner: 'actorId' | 'campaignId' | 'toolId',
    items: { ownerId: string; names: SeedDocument['actors'][number]['names']; where: string }[],
  ) {
    const byOwner = new Map<string, Map<string, Row>>(items.map((item) => [item.ownerId, new Map()]));
    for (const chunk of chunks([...byOwner.keys()])) {
      for (const n of await this.tx.name.findMany({ where: { [owner]: { in: chunk } } }))
        byOwner.get((n as Row)[owner] as string)!.set(n.normalized, n as Row);
    }
    const creates: Prisma.NameCreateManyInput[] = [];
    const created = new Set<string>();
    const cites = [];
    for (const { ownerId, names, where } of items) {
      const byNormalized = byOwner.get(ownerId)!;
      for (const [i, n] of names.entries()) {
        const normalized = normalizeName(n.value);
        if (!normalized) throw new WriteError(`${where}.names[${i}]: "${n.value}" has no letters or digits`);
        const coinedById = n.coinedBy
          ? await this.idOf('organization', n.coinedBy, `${where}.names[${i}].coinedBy`)
          : null;
        const data = { value: n.value, coinedById, note: n.note ?? null };
        let existing = byNormalized.get(normalized);
        if (!existing) {
          const row = { id: newId(), ...data, tlp: n.tlp, normalized, [owner]: ownerId };
          creates.push(row);
          created.add(row.id);
          existing = row;
          byNormalized.set(normalized, row);
          this.count('name', 'created', 1, row);
        } else {
          // The same name from another source: the first spelling stays; who coined it and the note are
          // filled in when missing, never overwritten (sources disagree; the citations keep each one).
          const changes = missingFields(existing, { coinedById: data.coinedById, note: data.note });
          if (Object.keys(changes).length) {
            // A name created in this call is still to be inserted: the insert takes the changes.
            if (!created.has(existing.id as string))
              await this.tx.name.update({ where: { id: existing.id as string }, data: changes });
            const before = { row: { ...existing }, fields: Object.keys(changes) };
            Object.assign(existing, changes);
            this.count('name', 'updated', 1, existing, before);
          } else this.count('name', 'unchanged');
        }
        cites.push({ id: existing.id as string, citations: n.sources, where: `${where}.names[${i}]` });
      }
    }
    for (const chunk of chunks(creates)) await insertMany(this.tx, 'Name', chunk);
    await this.citeAll('nameId', cites);
    return new Map(
      [...byOwner].map(([ownerId, names]) => [ownerId, [...names.values()].map((n) => n.value as string)]),
    );
  }

  private async writeExternalIds(
    type: Owner,
    ownerId: string,
    ownerKey: string,
    ids: SeedDocument['actors'][number]['externalIds'],
    where: string,
  ) {
    const owner = `${type}Id` as const;
    for (const x of ids) {
      const holder = await this.idHolder(x);
      if (!holder) {
        this.externalIdCreates.push({ system: x.system, value: x.value, url: x.url ?? null, [owner]: ownerId });
        this.idHolders.set(`${x.system}\u0000${x.value}`, {
          actorId: null,
          campaignId: null,
          toolId: null,
          [owner]: ownerId,
          keys: { [type]: ownerKey },
        });
        this.count('externalId', 'created', 1, { [owner]: ownerId });
      } else if (holder[owner] !== ownerId) {
        // A hard identifier names one entity. Another record holds it already: keep it there, and say so.
        this.warnings.push(
          `${where}: external id ${x.system}:${x.value} already belongs to another record; left there`,
        );
        this.count('externalId', 'unchanged');
      } else this.count('externalId', 'unchanged');
    }
  }

  /** Names and descriptions, folded into one column that the trigram index serves for search. */
  private async refreshSearchText(type: Owner, key: string) {
    const row = this.rows.get(`${type}:${key}`)!;
    const searchText = searchTextOf(row.name as string, row.description as string | null);
    if (row.searchText === searchText) return;
    const delegate = (this.tx as unknown as Record<string, { update(a: unknown): Promise<Row> }>)[type];
    const updated = await delegate.update({ where: { key }, data: { searchText } });
    this.rows.set(`${type}:${key}`, updated);
    // Only the searches whose words the old or new text holds may answer differently (a name changed
    // was touched as such when it was written).
    const id = updated.id;
    this.edit.touched.change(
      type[0].toUpperCase() + type.slice(1),
      { id, searchText: row.searchText },
      { id, searchText },
    );
  }

  /**
   * Writes entities of one type in phases, each a few statements for the whole list: the records, then
   * their names (and the names' citations), identifiers, attribute citations and search text.
   */
  private async writeEntities<E extends SeedDocument['actors' | 'campaigns' | 'tools'][number]>(
    type: Owner,
    list: E[],
    fields: (e: E) => Record<string, unknown>,
  ) {
    const written = [];
    const catalogue = await this.catalogue(type);
    for (const e of list) {
      const where = `${type}s[${e.key}]`;
      const resolution = await catalogue.resolve(this.dataset, e, async (x) => (await this.idHolder(x))?.keys[type]);
      const inferred = resolution.join && resolution.join.rule !== 'identifier' ? resolution.join : null;
      const key = inferred ? e.key : (resolution.join?.key ?? e.key);
      const existing = await this.rowByKey(type, key);
      const join: Join =
        inferred ?? (existing && resolution.join ? resolution.join : { key, rule: 'created', evidence: {} });
      this.joins.set(`${type}:${e.key}`, join);
      if (inferred && !existing)
        this.inferred.push({
          type,
          absorbed: e.key,
          survivor: inferred.key,
          join: inferred,
          fields: fields(e),
          names: e.names,
        });
      this.keepApart(type, e, resolution.apart);
      const modifiedAt = e.modifiedAt ? new Date(e.modifiedAt) : null;
      // Field by field, the dataset of higher precedence wins (see datasetPrecedence); a lower one fills gaps.
      const lower =
        existing != null &&
        existing.dataset !== this.dataset &&
        rankOf(existing.dataset as string) <= rankOf(this.dataset);
      const id = await this.upsertByKey(
        type,
        key,
        {
          ...fields(e),
          dataset: this.dataset,
          revoked: e.revoked,
          deprecated: e.deprecated,
          revokedBy: e.revokedBy ?? null,
          modifiedAt,
          createdAt: e.createdAt ? new Date(e.createdAt) : undefined,
          // A new record's names are the document's: its search text is known now (no update later).
          ...(existing ? {} : { searchText: searchTextOf(e.name, e.description) }),
        },
        { fillOnly: lower, modifiedAt, existing },
      );
      catalogue.noteRecord(
        inferred?.key ?? key,
        this.dataset,
        e.name,
        e.externalIds.filter((x) => x.system === 'mitre-attack').map((x) => x.value),
        !e.revoked && !e.deprecated,
      );
      this.ids.set(`${type}:${e.key}`, id); // the document's own key refers to the matched record too
      written.push({ e, key, id, where });
      this.tick();
    }
    await this.flush(type);
    const owner = `${type}Id` as const;
    await this.writeNames(
      owner,
      written.map((w) => ({ ownerId: w.id, names: w.e.names, where: w.where })),
    );
    for (const w of written) await this.writeExternalIds(type, w.id, w.key, w.e.externalIds, w.where);
    for (const chunk of chunks(this.externalIdCreates.splice(0))) await insertMany(this.tx, 'ExternalId', chunk);
    await this.citeAll(
      owner,
      written.map((w) => ({ id: w.id, citations: w.e.citations, where: w.where })),
    );
    for (const w of written) await this.refreshSearchText(type, w.key);
  }

  private claimData(c: {
    confidence?: number;
    confidenceLabel?: string;
    firstObserved?: string;
    lastObserved?: string;
    status: string;
    note?: string;
    tlp: Tlp;
    createdAt?: string;
    updatedAt?: string;
  }) {
    return {
      tlp: c.tlp,
      createdAt: c.createdAt ? new Date(c.createdAt) : undefined,
      modifiedAt: c.updatedAt ? new Date(c.updatedAt) : undefined,
      confidence: c.confidence ?? confidenceFromLabel(c.confidenceLabel),
      confidenceLabel: c.confidenceLabel ?? null,
      firstObserved: day(c.firstObserved),
      lastObserved: day(c.lastObserved),
      status: c.status,
      note: c.note ?? null,
    };
  }

  /** One read per type for every record the document names by key or identifier. */
  private async preloadDocument(doc: SeedDocument) {
    await this.preload(
      'organization',
      doc.organizations.map((o) => o.key),
    );
    await this.preload(
      'source',
      doc.sources.map((x) => x.key),
    );
    const urls = [...new Set(doc.sources.flatMap((x) => (x.url ? [canonicalUrl(x.url)] : [])))];
    for (const chunk of chunks(urls)) {
      const rows = await this.tx.source.findMany({
        where: { canonicalUrl: { in: chunk } },
        orderBy: { createdAt: 'asc' },
      });
      for (const row of rows)
        if (!this.sourcesByUrl.get(row.canonicalUrl!)) this.sourcesByUrl.set(row.canonicalUrl!, row);
    }
    for (const url of urls) if (!this.sourcesByUrl.has(url)) this.sourcesByUrl.set(url, null);
    await this.preload(
      'actor',
      doc.actors.map((x) => x.key),
    );
    await this.preload(
      'campaign',
      doc.campaigns.map((x) => x.key),
    );
    await this.preload(
      'tool',
      doc.tools.map((x) => x.key),
    );
    await this.preload(
      'victim',
      doc.victims.map((x) => x.key),
    );
    await this.preload(
      'attribution',
      doc.attributions.map((x) => x.key),
    );
    await this.preload(
      'toolUsage',
      doc.usages.map((x) => x.key),
    );
    await this.preload(
      'targeting',
      doc.targetings.map((x) => x.key),
    );
    await this.preload(
      'association',
      doc.associations.map((x) => x.key),
    );
    await this.preload(
      'tactic',
      doc.tactics.map((x) => x.key),
    );
    await this.preload(
      'technique',
      doc.techniques.map((x) => x.key),
    );
    await this.preload(
      'techniqueUse',
      doc.techniqueUses.map((x) => x.key),
    );
    await this.preloadExternalIds([
      ...doc.techniqueUses.flatMap((u) => u.userMatch?.ids ?? []),
      ...[...doc.actors, ...doc.campaigns, ...doc.tools].flatMap((e) => [...e.externalIds, ...e.sameAs]),
      ...doc.usages.flatMap((u) => u.toolMatch),
      ...doc.attributions.flatMap((a) => a.actorMatch),
      ...doc.associations.flatMap((a) => a.toMatch),
    ]);
  }

  /** Writes one document: each section in order, a few statements per section (see the methods). */
  async write(doc: SeedDocument) {
    await this.preloadDocument(doc);
    await this.writeOrganizations(doc.organizations);
    await this.writeSources(doc.sources);
    await this.writeActorsCampaignsTools(doc);
    await this.writeVictims(doc.victims);
    await this.writeAttributions(doc.attributions);
    await this.writeUsages(doc.usages);
    await this.writeTactics(doc.tactics);
    await this.writeTechniques(doc.techniques);
    await this.writeTechniqueUses(doc.techniqueUses);
    await this.writeAssociations([...doc.associations, ...this.apart]);
    this.reportUnmatched();
    await this.writeTargetings(doc.targetings);
    await this.writeRecords(doc.records);
    await this.mergeInferred();
    return this.summary;
  }

  /** Claims that name a record no dataset in the database describes: counted, not imported (see reportUnmatched). */
  private unmatched = { usages: 0, attributions: 0, associations: 0, techniqueUses: 0 };

  /** The id of an optional reference by key (null when the document gives none). */
  private ref(type: 'actor' | 'campaign' | 'tool' | 'victim', key: string | undefined, where: string) {
    return key ? this.idOf(type, key, `${where}.${type}`) : Promise.resolve(null);
  }

  private async writeOrganizations(organizations: SeedDocument['organizations']) {
    for (const o of organizations) {
      // Publishers are not contested identities as actors are: an organisation another dataset already
      // knows under the same name (MISP's producer "Microsoft", the curated "Microsoft") is that one,
      // and only its gaps are filled.
      const known = await this.rowByKey('organization', o.key);
      const sameName = known
        ? null
        : await this.tx.organization.findFirst({ where: { name: { equals: o.name, mode: 'insensitive' } } });
      const id = await this.upsertByKey(
        'organization',
        sameName?.key ?? o.key,
        {
          name: o.name,
          country: o.country ?? null,
          url: o.url ?? null,
          description: o.description ?? null,
          tlp: o.tlp,
        },
        { fillOnly: sameName != null, existing: sameName ?? known },
      );
      this.ids.set(`organization:${o.key}`, id);
      this.tick();
    }
    await this.flush('organization');
  }

  private async writeSources(sources: SeedDocument['sources']) {
    for (const s of sources) {
      const where = `sources[${s.key}]`;
      // One document, one source: a source already known by its URL (under another key), or by a key
      // made from its URL (ref-…, as imports make them), is shared: it keeps its fields, gaps are filled.
      const known = await this.rowByKey('source', s.key);
      const canonical = s.url ? canonicalUrl(s.url) : null;
      const sameUrl = canonical && !known ? (this.sourcesByUrl.get(canonical) ?? null) : null;
      // A date the URL's path states (a blog's permalink) where the document gives none.
      const dated = s.publishedOn ? { publishedOn: s.publishedOn, precision: s.precision } : s.url && dateInUrl(s.url);
      const existingKey = sameUrl ? (sameUrl.key as string) : null;
      const id = await this.upsertByKey(
        'source',
        existingKey ?? s.key,
        {
          title: s.title,
          url: s.url ?? null,
          canonicalUrl: canonical,
          alternateUrls: s.alternateUrls,
          publishedOn: dated ? day(dated.publishedOn) : null,
          publishedPrecision: dated ? dated.precision : s.precision,
          kind: s.kind,
          language: s.language,
          tlp: s.tlp,
          authors: s.authors,
          note: s.note ?? null,
          publisherId: s.publisher ? await this.idOf('organization', s.publisher, `${where}.publisher`) : null,
        },
        { fillOnly: existingKey != null || (known != null && s.key.startsWith('ref-')), existing: sameUrl ?? known },
      );
      this.ids.set(`source:${s.key}`, id);
      const row = this.rows.get(`source:${existingKey ?? s.key}`)!;
      this.sourceRows.set(s.key, row);
      if (canonical && !this.sourcesByUrl.get(canonical)) this.sourcesByUrl.set(canonical, row);
      this.tick();
    }
    await this.flush('source');
  }

  private async writeActorsCampaignsTools(doc: SeedDocument) {
    await this.writeEntities('actor', doc.actors, (a) => ({
      name: a.name,
      description: a.description ?? null,
      originCountry: a.originCountry ?? null,
      sponsor: a.sponsor ?? null,
      motivations: termsOf('attack-motivation', a.motivations),
      firstSeen: day(a.firstSeen),
      lastSeen: day(a.lastSeen),
      tlp: a.tlp,
    }));
    await this.writeEntities('campaign', doc.campaigns, (c) => ({
      name: c.name,
      description: c.description ?? null,
      objective: c.objective ?? null,
      firstSeen: day(c.firstSeen),
      lastSeen: day(c.lastSeen),
      estimatedLossUsd: c.estimatedLossUsd ?? null,
      confirmedLossUsd: c.confirmedLossUsd ?? null,
      tlp: c.tlp,
    }));
    await this.writeEntities('tool', doc.tools, (t) => ({
      name: t.name,
      kind: t.kind,
      malwareTypes: termsOf(toolTypeVocabulary(t.kind), t.malwareTypes),
      platforms: t.platforms,
      description: t.description ?? null,
      tlp: t.tlp,
    }));
  }

  private async writeVictims(victims: SeedDocument['victims']) {
    const citations = [];
    for (const v of victims) {
      // Victims (countries, sectors ...) are shared by every dataset: the first one names them, the others fill gaps.
      const known = await this.rowByKey('victim', v.key);
      const id = await this.upsertByKey(
        'victim',
        v.key,
        {
          ...(withVocabularyTerms('Victim', { name: v.name, kind: v.kind, sector: v.sector ?? null }) as {
            name: string;
          }),
          country: v.country ?? null,
          description: v.description ?? null,
          tlp: v.tlp,
          createdAt: v.createdAt ? new Date(v.createdAt) : undefined,
          modifiedAt: v.updatedAt ? new Date(v.updatedAt) : undefined,
        },
        { fillOnly: known != null, existing: known },
      );
      // A victim made for marked claims keeps their marking until a less marked one names it: then it is lowered (never raised).
      if (known && tlpLevels.indexOf(v.tlp) < tlpLevels.indexOf(known.tlp as Tlp)) {
        await this.tx.victim.update({ where: { id }, data: { tlp: v.tlp } });
        this.edit.touched.row('Victim', { id });
        known.tlp = v.tlp;
      }
      citations.push({ id, citations: v.citations, where: `victims[${v.key}]` });
      this.tick();
    }
    await this.flush('victim');
    await this.citeAll('victimId', citations);
  }

  /** The rows of the sources cited by key (see assessedDate). */
  private async citedSourceRows(keys: string[], where: string) {
    const rows: SourceDate[] = [];
    for (const key of keys) {
      const row = this.sourceRows.get(key) ?? (await this.rowByKey('source', key));
      if (!row) throw new WriteError(`${where}: there is no source with key "${key}"`);
      rows.push(row as SourceDate);
    }
    return rows;
  }

  private async writeAttributions(attributions: SeedDocument['attributions']) {
    const citations: { id: string; citations: { source: string }[]; where: string }[] = [];
    for (const a of attributions) {
      const where = `attributions[${a.key}]`;
      const actorKey = a.actor ?? (a.actorMatch.length ? await this.matchByExternalIds('actor', a.actorMatch) : null);
      if (a.actorMatch.length && !actorKey) {
        this.unmatched.attributions++; // an actor no dataset in this database describes
        this.tick();
        continue;
      }
      const id = await this.upsertByKey('attribution', a.key, {
        ...this.claimData(a),
        campaignId: await this.ref('campaign', a.campaign, where),
        subjectActorId: a.subjectActor ? await this.idOf('actor', a.subjectActor, `${where}.subjectActor`) : null,
        toolId: await this.ref('tool', a.tool, where),
        actorId: await this.ref('actor', actorKey ?? undefined, where),
        attributedToDescription: a.attributedToDescription ?? null,
        attributedToCountries: a.attributedToCountries,
        ...(await assessedDate(day(a.assessedOn), () =>
          this.citedSourceRows(
            a.sources.map((c) => c.source),
            where,
          ),
        )),
      });
      citations.push({ id, citations: a.sources, where });
      this.tick();
    }
    await this.flush('attribution');
    await this.citeAll('attributionId', citations);
    // Supersession links point at attributions that may come later in the file.
    for (const a of attributions) {
      if (!this.ids.has(`attribution:${a.key}`)) continue; // skipped above
      const where = `attributions[${a.key}].supersededBy`;
      const supersededById = a.supersededBy ? await this.idOf('attribution', a.supersededBy, where) : null;
      if (supersededById === this.ids.get(`attribution:${a.key}`))
        throw new WriteError(`${where}: an attribution cannot supersede itself`);
      const current = this.rows.get(`attribution:${a.key}`)!;
      if ((current.supersededById ?? null) !== supersededById) {
        const updated = await this.tx.attribution.update({ where: { key: a.key }, data: { supersededById } });
        this.rows.set(`attribution:${a.key}`, updated);
        this.edit.touched.row('Attribution', updated);
        this.edit.log.row('Attribution', current, updated, ['supersededById']);
      }
    }
  }

  private async writeUsages(usages: SeedDocument['usages']) {
    const citations: { id: string; citations: { source: string }[]; where: string }[] = [];
    for (const u of usages) {
      const where = `usages[${u.key}]`;
      const matchedKey = u.tool ?? (await this.matchByExternalIds('tool', u.toolMatch));
      if (!matchedKey) {
        this.unmatched.usages++; // a tool no dataset in this database describes
        this.tick();
        continue;
      }
      const id = await this.upsertByKey('toolUsage', u.key, {
        ...this.claimData(u),
        actorId: await this.ref('actor', u.actor, where),
        campaignId: await this.ref('campaign', u.campaign, where),
        toolId: await this.idOf('tool', matchedKey, `${where}.tool`),
      });
      citations.push({ id, citations: u.sources, where });
      this.tick();
    }
    await this.flush('toolUsage');
    await this.citeAll('toolUsageId', citations);
  }

  private async writeAssociations(associations: SeedDocument['associations']) {
    const citations: { id: string; citations: { source: string }[]; where: string }[] = [];
    for (const a of associations) {
      const where = `associations[${a.key}]`;
      const type = a.fromActor ? 'actor' : 'tool';
      const fromId = await this.idOf(type, (a.fromActor ?? a.fromTool)!, `${where}.from`);
      const toKey = a.toActor ?? a.toTool ?? (await this.matchByExternalIds(type, a.toMatch));
      const toId = toKey ? await this.idOf(type, toKey, `${where}.to`) : null;
      if (!toId) this.unmatched.associations++;
      // Two records a dataset links but another dataset's identifiers made one: nothing left to link.
      if (!toId || toId === fromId) {
        this.tick();
        continue;
      }
      const id = await this.upsertByKey('association', a.key, {
        ...this.claimData(a),
        kind: a.kind,
        [`from${type === 'actor' ? 'Actor' : 'Tool'}Id`]: fromId,
        [`to${type === 'actor' ? 'Actor' : 'Tool'}Id`]: toId,
      });
      citations.push({ id, citations: a.sources, where });
      this.tick();
    }
    await this.flush('association');
    await this.citeAll('associationId', citations);
  }

  private async writeTactics(tactics: SeedDocument['tactics']) {
    for (const t of tactics) {
      const modifiedAt = t.modifiedAt ? new Date(t.modifiedAt) : null;
      await this.upsertByKey(
        'tactic',
        t.key,
        {
          attackId: t.attackId,
          shortName: t.shortName,
          name: t.name,
          description: t.description ?? null,
          url: t.url ?? null,
          position: t.position,
          dataset: this.dataset,
          tlp: t.tlp,
          modifiedAt,
          createdAt: t.createdAt ? new Date(t.createdAt) : undefined,
        },
        { modifiedAt },
      );
      this.tick();
    }
    await this.flush('tactic');
  }

  /** Techniques, then each sub-technique's parent (which may come later in the document), in one insert. */
  private async writeTechniques(techniques: SeedDocument['techniques']) {
    for (const t of techniques) {
      const modifiedAt = t.modifiedAt ? new Date(t.modifiedAt) : null;
      await this.upsertByKey(
        'technique',
        t.key,
        {
          attackId: t.attackId,
          name: t.name,
          description: t.description ?? null,
          url: t.url ?? null,
          tactics: t.tactics,
          platforms: t.platforms,
          isSubtechnique: t.isSubtechnique,
          searchText: searchTextOf(t.name, t.description ?? null),
          dataset: this.dataset,
          revoked: t.revoked,
          deprecated: t.deprecated,
          revokedBy: t.revokedBy ?? null,
          tlp: t.tlp,
          modifiedAt,
          createdAt: t.createdAt ? new Date(t.createdAt) : undefined,
        },
        { modifiedAt },
      );
      this.tick();
    }
    for (const t of techniques) {
      const parentId = t.parent ? await this.idOf('technique', t.parent, `techniques[${t.key}].parent`) : null;
      const row = this.rows.get(`technique:${t.key}`)!;
      // Every new row says its parent, null too: rows of one shape go in one statement, parents with children.
      if (this.pendingKeys.has(`technique:${t.key}`)) row.parentId = parentId;
      else if ((row.parentId ?? null) !== parentId) {
        const updated = await this.tx.technique.update({ where: { key: t.key }, data: { parentId } });
        this.rows.set(`technique:${t.key}`, updated);
        this.count('technique', 'updated', 1, updated, { row, fields: ['parentId'] });
      }
    }
    await this.flush('technique');
  }

  private async writeTechniqueUses(uses: SeedDocument['techniqueUses']) {
    const citations: { id: string; citations: { source: string }[]; where: string }[] = [];
    for (const u of uses) {
      const where = `techniqueUses[${u.key}]`;
      const matched = u.userMatch ? await this.matchByExternalIds(u.userMatch.type, u.userMatch.ids) : null;
      if (u.userMatch && !matched) {
        this.unmatched.techniqueUses++; // a user no dataset in this database describes
        this.tick();
        continue;
      }
      const user = (type: Owner) => (u.userMatch?.type === type ? matched! : u[type]);
      const id = await this.upsertByKey('techniqueUse', u.key, {
        ...this.claimData(u),
        actorId: await this.ref('actor', user('actor'), where),
        campaignId: await this.ref('campaign', user('campaign'), where),
        toolId: await this.ref('tool', user('tool'), where),
        techniqueId: await this.idOf('technique', u.technique, `${where}.technique`),
      });
      citations.push({ id, citations: u.sources, where });
      this.tick();
    }
    await this.flush('techniqueUse');
    await this.citeAll('techniqueUseId', citations);
  }

  private reportUnmatched() {
    if (this.unmatched.techniqueUses)
      this.warnings.push(
        `${this.unmatched.techniqueUses} technique use(s) name an actor, campaign or tool no record in the database holds; not imported`,
      );
    if (this.unmatched.usages)
      this.warnings.push(
        `${this.unmatched.usages} tool usage(s) name a tool no record in the database holds; not imported`,
      );
    if (this.unmatched.attributions)
      this.warnings.push(
        `${this.unmatched.attributions} attribution(s) name an actor no record in the database holds; not imported`,
      );
    if (this.unmatched.associations)
      this.warnings.push(
        `${this.unmatched.associations} association(s) name a record the database does not hold; not imported`,
      );
  }

  private async writeTargetings(targetings: SeedDocument['targetings']) {
    const citations: { id: string; citations: { source: string }[]; where: string }[] = [];
    for (const t of targetings) {
      const where = `targetings[${t.key}]`;
      const id = await this.upsertByKey('targeting', t.key, {
        ...this.claimData(t),
        actorId: await this.ref('actor', t.actor, where),
        campaignId: await this.ref('campaign', t.campaign, where),
        victimId: await this.idOf('victim', t.victim, `${where}.victim`),
      });
      citations.push({ id, citations: t.sources, where });
      this.tick();
    }
    await this.flush('targeting');
    await this.citeAll('targetingId', citations);
  }
}

/** How many top-level records a document has: what `onProgress` counts up to. */
export const recordCount = (doc: SeedDocument) =>
  doc.organizations.length +
  doc.sources.length +
  doc.actors.length +
  doc.campaigns.length +
  doc.tools.length +
  doc.victims.length +
  doc.attributions.length +
  doc.usages.length +
  doc.targetings.length +
  doc.associations.length +
  doc.tactics.length +
  doc.techniques.length +
  doc.techniqueUses.length;

/** Writes a validated document inside the caller's transaction; throws WriteError on a bad reference. */
export async function writeGraph(
  e: Edit,
  doc: SeedDocument,
  onProgress?: (done: number) => void,
): Promise<WriteResult> {
  const writer = new GraphWriter(e, doc.dataset, onProgress);
  await writer.write(withPublishers(doc));
  return { counts: writer.summary, warnings: writer.warnings };
}
