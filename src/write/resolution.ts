// Resolution: which entity (actor, campaign, tool) a dataset's record is. Records are joined only on
// strong evidence, and each join says its rule and evidence (kept on the record, see DatasetRecord):
//
// 1. `identifier`: an entity already holds the record's own id (its STIX id, its MISP uuid), or the one
//    hard identifier it lists (an ATT&CK id in MISP synonyms) — a revoked entity stands for the one
//    that replaced it (ATT&CK's G0086 Stolen Pencil, revoked by Kimsuky).
// 2. `similar`: MISP says the cluster is `similar` to an object an entity holds, and nothing says otherwise.
// 3. `name`: the same display name (normalised) as one current entity of another catalogue, when no
//    identifier contradicts it (an ATT&CK id the record lists that the entity does not hold) and that
//    entity holds no record of the record's own catalogue (two clusters of one catalogue are two things).
//
// Conflicting evidence (identifiers held by two entities: MISP's APT41 lists G0096 and G0044, and is
// `similar` to G0044) joins nothing, unless exactly one of them also has the record's display name (APT41
// is G0096); the others are linked by an association and the pair is left for review
// (`possibleDuplicates`).
//
// A join by inference (`similar`, `name`) is carried out by the graph writer as a recorded merge
// (mergeRecords' machinery), so that splitMerge undoes it; a join on a hard identifier is not.

import type { Prisma } from '../generated/prisma/client.js';
import { normalizeName } from './rules.js';
import type { Tx } from './transaction.js';

export type EntityModel = 'actor' | 'campaign' | 'tool';
/** How the note of a merge that an import made by inference begins (data:report counts them by it). */
export const importJoinNote = 'Joined on import';
export type JoinRule = 'created' | 'identifier' | 'similar' | 'name';
export type Join = { key: string; rule: JoinRule; evidence: Prisma.InputJsonObject };

/**
 * Which dataset's values an entity shows, field by field: a record of a dataset earlier in this list
 * overwrites the fields a later one gave; a later one only fills what is empty. Curated entries are
 * reviewed by this project; ATT&CK is curated by MITRE with a reference per statement; MISP's galaxy
 * is community-edited; any other STIX import comes last.
 */
export const datasetPrecedence = ['curated', 'mitre-attack', 'misp-galaxy'];
export const rankOf = (dataset: string) => {
  const i = datasetPrecedence.indexOf(dataset);
  return i < 0 ? datasetPrecedence.length : i;
};

type Known = {
  key: string;
  normalized: string;
  datasets: Set<string>;
  current: boolean;
  revokedBy: string | null;
  attackIds: Set<string>;
};

type Identifier = { system: string; value: string };

/** What resolution decided for one record: the entity it joins (if any), and the entities it was not joined to. */
export type Resolution = { join: Join | null; apart: { key: string; evidence: string[] }[] };

/** The entities of one type, as resolution sees them; kept current as a writer creates and joins. */
export class Catalogue {
  private byKey = new Map<string, Known>();
  private byName = new Map<string, Known[]>();

  static async load(tx: Tx, type: EntityModel) {
    const rows = await (
      tx[type] as unknown as {
        findMany(a: object): Promise<
          {
            key: string;
            name: string;
            dataset: string;
            revoked: boolean;
            deprecated: boolean;
            revokedBy: string | null;
            externalIds: { value: string }[];
            records: { dataset: string }[];
          }[]
        >;
      }
    ).findMany({
      select: {
        key: true,
        name: true,
        dataset: true,
        revoked: true,
        deprecated: true,
        revokedBy: true,
        externalIds: { where: { system: 'mitre-attack' }, select: { value: true } },
        records: { select: { dataset: true } },
      },
    });
    const catalogue = new Catalogue();
    for (const r of rows)
      catalogue.add({
        key: r.key,
        normalized: normalizeName(r.name),
        datasets: new Set([r.dataset, ...r.records.map((x) => x.dataset)]),
        current: !r.revoked && !r.deprecated,
        revokedBy: r.revokedBy,
        attackIds: new Set(r.externalIds.map((x) => x.value)),
      });
    return catalogue;
  }

  private add(k: Known) {
    this.byKey.set(k.key, k);
    this.byName.set(k.normalized, [...(this.byName.get(k.normalized) ?? []), k]);
  }

  /** Notes that a record of `dataset` now belongs to the entity `key` (created with `name` if new). */
  noteRecord(key: string, dataset: string, name: string, attackIds: string[], current: boolean) {
    const known = this.byKey.get(key);
    if (known) {
      known.datasets.add(dataset);
      for (const id of attackIds) known.attackIds.add(id);
    } else
      this.add({
        key,
        normalized: normalizeName(name),
        datasets: new Set([dataset]),
        current,
        revokedBy: null,
        attackIds: new Set(attackIds),
      });
  }

  /** A revoked entity stands for the one that replaced it (followed a few steps at most). */
  private replacement(key: string) {
    let k = key;
    for (let i = 0; i < 5; i++) {
      const by = this.byKey.get(k)?.revokedBy;
      if (!by || !this.byKey.has(by)) break;
      k = by;
    }
    return k;
  }

  /**
   * The entity a record of `dataset` is (see the rules at the top). `holderOf` says which entity key
   * holds an identifier of this type.
   */
  async resolve(
    dataset: string,
    record: { name: string; externalIds: Identifier[]; sameAs: Identifier[] },
    holderOf: (x: Identifier) => Promise<string | undefined>,
  ): Promise<Resolution> {
    const [own, ...others] = record.externalIds;
    const ownHolder = own && (await holderOf(own));
    if (ownHolder)
      return {
        join: { key: ownHolder, rule: 'identifier', evidence: { identifier: `${own.system}:${own.value}` } },
        apart: [],
      };
    const hard = new Map<string, { similar: boolean; evidence: string[] }>();
    const note = async (x: Identifier, similar: boolean) => {
      const holder = await holderOf(x);
      if (!holder) return;
      const key = this.replacement(holder);
      const entry = hard.get(key) ?? { similar, evidence: [] };
      entry.similar &&= similar;
      entry.evidence.push(`${similar ? 'similar to' : 'lists'} ${x.system}:${x.value}`);
      hard.set(key, entry);
    };
    for (const x of record.sameAs) await note(x, true);
    for (const x of others) await note(x, false);
    const normalized = normalizeName(record.name);
    if (hard.size === 1) {
      const [[key, { similar, evidence }]] = hard;
      return { join: { key, rule: similar ? 'similar' : 'identifier', evidence: { matched: evidence } }, apart: [] };
    }
    if (hard.size > 1) {
      const named = [...hard.keys()].filter((k) => this.byKey.get(k)?.normalized === normalized);
      const conflicting = Object.fromEntries([...hard].map(([k, v]) => [k, v.evidence]));
      const join: Join | null =
        named.length === 1 ? { key: named[0], rule: 'name', evidence: { name: record.name, conflicting } } : null;
      return {
        join,
        apart: [...hard].filter(([k]) => k !== join?.key).map(([key, v]) => ({ key, evidence: v.evidence })),
      };
    }
    const listed = others.filter((x) => x.system === 'mitre-attack').map((x) => x.value);
    const candidates = (this.byName.get(normalized) ?? []).filter(
      (k) =>
        k.current &&
        !k.datasets.has(dataset) &&
        !(listed.length && k.attackIds.size && !listed.some((id) => k.attackIds.has(id))),
    );
    if (candidates.length !== 1) return { join: null, apart: [] };
    const [c] = candidates;
    return {
      join: { key: c.key, rule: 'name', evidence: { name: record.name, datasets: [...c.datasets].sort() } },
      apart: [],
    };
  }
}
