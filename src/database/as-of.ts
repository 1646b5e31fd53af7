// "What the database held at a moment" (`asOf`): a request asked with `asOf` runs, unchanged, against a
// snapshot of the database as it stood then, rebuilt from the change log (src/write/change-log.ts) into
// a schema of its own (`asof_<seq>_<clearance>`). Every query below the root field, Prisma's and our own
// SQL alike, reads the snapshot: Prisma through a client bound to that schema, our SQL through the
// session's search_path. Nothing in the resolvers knows about time.
//
// What a snapshot holds:
// - each logged table (entities, names, claims, sources, merges) as the last event at or before the
//   moment stored it (a row deleted by then is absent); a row the log never saw (a database older than
//   the log, a row written around the write layer) as it is today, if it was created by then;
// - citations as the events' sources added and withdrawn left them (their other columns from today's
//   row where it still exists);
// - dataset records created by then with the content they had then (the version a newer one replaced
//   after the moment), their other versions stored by then; the change log up to that event; external
//   ids and the admin tables as they are (they have no history);
// - names' and claims' visibility (derived by triggers, not logged) computed again from those rows.
// A record hidden from the caller today stays hidden in every snapshot (one snapshot per clearance), and
// a record's marking then is applied as well: a thing hidden now or then is absent.
//
// A snapshot is immutable (the log is append-only): built once per (last event, clearance), in one
// transaction, and shared by every instance; the oldest beyond `keptSnapshots` are dropped.
import { visibleLevels } from '../auth/principal.js';
import type { Tlp } from '../generated/prisma/client.js';
import { loggedModels } from '../write/change-log.js';

/** The column a citation names its row by, per logged model that has citations. */
const citedBy: Record<string, string> = {
  Name: 'nameId',
  Attribution: 'attributionId',
  ToolUsage: 'toolUsageId',
  Targeting: 'targetingId',
  Association: 'associationId',
  TechniqueUse: 'techniqueUseId',
  Actor: 'actorId',
  Campaign: 'campaignId',
  Tool: 'toolId',
  Victim: 'victimId',
};

/** Tables without a history of their own: a view of today's rows, limited to those stored by then where a column says when. */
const viewed: Record<string, (seq: string, moment: string) => string> = {
  ChangeEvent: (seq) => `seq <= ${seq}`,
  DatasetRecordVersion: (_seq, moment) => `"storedAt" <= ${moment}`,
};

/**
 * The SQL functions a snapshot needs over its own tables and types: the change log's clearance
 * (hidden_records) and the derived visibility of names and claims (the triggers' functions).
 */
const readFunctions = [
  'hidden_records',
  'named_records_marking',
  'refresh_visibility',
  'refresh_technique_use_visibility',
];

/** The tables whose `visibility` is derived, with the citation column that names their rows. */
const derivedVisibility = [
  ['Name', 'nameId'],
  ['Attribution', 'attributionId'],
  ['ToolUsage', 'toolUsageId'],
  ['Targeting', 'targetingId'],
  ['Association', 'associationId'],
  ['TechniqueUse', 'techniqueUseId'],
] as const;

/**
 * How many snapshots the database keeps: one per clearance level and one to spare (each 90 MB for the
 * default seed, 37 MB of it dataset records' originals; the database itself is 150 MB).
 */
export const keptSnapshots = 6;

type Sql = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export const snapshotSchema = (seq: bigint, clearance: Tlp) => `asof_${seq}_${clearance.toLowerCase()}`;

/**
 * The last change at or before a moment (seq 0: none) and its time; when the log starts; whether the
 * snapshot of that change for a clearance is built (another process may have dropped an old one).
 */
export type SnapshotPoint = { seq: bigint; at: Date | null; firstAt: Date | null; built: boolean };

/** One statement: where the log stands at `moment`, and whether its snapshot for `clearance` exists. */
export async function snapshotPoint(db: Sql, moment: Date, clearance: Tlp): Promise<SnapshotPoint> {
  const [row] = await db.$queryRawUnsafe<{ seq: bigint | null; at: Date | null; first: Date | null; built: boolean }[]>(
    `SELECT last.seq, last.at, (SELECT min(at) FROM "ChangeEvent") AS first,
            EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'asof_' || last.seq || '_' || $2) AS built
       FROM (SELECT 1) one LEFT JOIN LATERAL (
         SELECT seq, at FROM "ChangeEvent" WHERE at <= $1 ORDER BY seq DESC LIMIT 1) last ON true`,
    moment,
    clearance.toLowerCase(),
  );
  return { seq: BigInt(row?.seq ?? 0), at: row?.at ?? null, firstAt: row?.first ?? null, built: !!row?.built };
}

/**
 * Builds the snapshot of the database after change `point.seq` for `clearance`, unless it exists. `tx` must be
 * a transaction: the snapshot appears whole or not at all. Returns the schema's name.
 */
export async function buildSnapshot(tx: Sql, { seq, at: moment }: SnapshotPoint, clearance: Tlp): Promise<string> {
  if (!moment) throw new Error('a snapshot is of a change');
  const schema = snapshotSchema(seq, clearance);
  // Two requests asking the same snapshot: the second waits for the first, then finds it built.
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(7310020, hashtext($1))`, schema);
  // The build is shared work, not one caller's statement: the request timeout does not cut it short.
  await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = 0`);
  const [exists] = await tx.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, schema);
  if (exists) return schema;

  const s = quoted(schema);
  const at = `'${moment.toISOString()}'::timestamptz`;
  const tables = (
    await tx.$queryRawUnsafe<{ name: string }[]>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    )
  ).map((t) => t.name);
  const copied = tables.filter((t) => loggedModels.has(t) || t === 'Citation' || t === 'DatasetRecord');
  const [{ hidden }] = await tx.$queryRawUnsafe<{ hidden: string[] }[]>(
    `SELECT public.hidden_records($1::"Tlp") AS hidden`,
    clearance,
  );

  await tx.$executeRawUnsafe(`CREATE SCHEMA ${s}`);
  // Prisma names enum types by the client's schema ("asof_…"."Tlp"), and our SQL finds them on the
  // search_path: the snapshot has its own copies, and its columns are of those types.
  const enums = await tx.$queryRawUnsafe<{ name: string; labels: string[] }[]>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`,
  );
  for (const { name, labels } of enums)
    await tx.$executeRawUnsafe(
      `CREATE TYPE ${s}.${quoted(name)} AS ENUM (${labels.map((l) => `'${l.replaceAll("'", "''")}'`).join(', ')})`,
    );
  const enumColumns = await tx.$queryRawUnsafe<{ table: string; column: string; type: string; array: boolean }[]>(
    `SELECT c.table_name AS table, c.column_name AS column, ltrim(c.udt_name, '_') AS type, c.data_type = 'ARRAY' AS array
       FROM information_schema.columns c WHERE c.table_schema = 'public' AND ltrim(c.udt_name, '_') = ANY($1::text[])`,
    enums.map((e) => e.name),
  );
  const snapshotType = (c: (typeof enumColumns)[number]) => `${s}.${quoted(c.type)}${c.array ? '[]' : ''}`;
  const enumsOf = (table: string) => enumColumns.filter((c) => c.table === table);

  for (const table of copied) {
    await tx.$executeRawUnsafe(`CREATE TABLE ${s}.${quoted(table)} (LIKE public.${quoted(table)} INCLUDING DEFAULTS)`);
    for (const c of enumsOf(table)) {
      const col = `${s}.${quoted(table)} ALTER COLUMN ${quoted(c.column)}`;
      await tx.$executeRawUnsafe(`ALTER TABLE ${col} DROP DEFAULT`);
      await tx.$executeRawUnsafe(`ALTER TABLE ${col} TYPE ${snapshotType(c)} USING NULL`);
    }
  }
  for (const table of tables.filter((t) => !copied.includes(t))) {
    const where = viewed[table]?.(seq.toString(), at);
    const recast = enumsOf(table).map(
      (c) => `, ${quoted(c.column)}::text${c.array ? '[]' : ''}::${snapshotType(c)} AS ${quoted(c.column)}`,
    );
    const columns = (
      await tx.$queryRawUnsafe<{ name: string }[]>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        table,
      )
    )
      .map((c) => c.name)
      .filter((c) => !enumsOf(table).some((e) => e.column === c))
      .map(quoted);
    await tx.$executeRawUnsafe(
      `CREATE VIEW ${s}.${quoted(table)} AS SELECT ${columns.join(', ')}${recast.join('')}
         FROM public.${quoted(table)}${where ? ` WHERE ${where}` : ''}`,
    );
  }

  // Dataset records created by then, each with the content it had then: the version a newer one
  // replaced after the moment (the first such), else today's.
  await tx.$executeRawUnsafe(
    `INSERT INTO ${s}."DatasetRecord"
     SELECT r.* FROM public."DatasetRecord" p
       LEFT JOIN LATERAL (SELECT v.original, v."modifiedAt", v.tlp FROM public."DatasetRecordVersion" v
                           WHERE v."recordId" = p.id AND v.replaced AND v."storedAt" > ${at}
                           ORDER BY v."storedAt", v.id LIMIT 1) was ON true,
       jsonb_populate_record(NULL::${s}."DatasetRecord", to_jsonb(p) || CASE WHEN was.original IS NULL THEN '{}'::jsonb
         ELSE jsonb_build_object('original', was.original, 'modifiedAt', was."modifiedAt", 'tlp', was.tlp) END) r
      WHERE p."createdAt" <= ${at} AND p.tlp::text = ANY($1::text[])`,
    visibleLevels(clearance),
  );

  // Each logged row as its last event up to `seq` stored it (none: deleted, or not yet created).
  for (const table of copied.filter((t) => loggedModels.has(t)))
    await tx.$executeRawUnsafe(
      `INSERT INTO ${s}.${quoted(table)}
       SELECT r.* FROM (SELECT DISTINCT ON ("entityId") state FROM public."ChangeEvent"
                         WHERE "entityType" = $1 AND seq <= ${seq} ORDER BY "entityId", seq DESC) e,
            jsonb_populate_record(NULL::${s}.${quoted(table)}, e.state) r
       WHERE e.state IS NOT NULL`,
      table,
    );

  // A row the log never saw (written before the log existed, or around the write layer) is taken as it
  // is today if it was created by then: absent, it would leave the rows that name it dangling.
  for (const table of copied.filter((t) => loggedModels.has(t)))
    await tx.$executeRawUnsafe(
      `INSERT INTO ${s}.${quoted(table)}
       SELECT r.* FROM public.${quoted(table)} p, jsonb_populate_record(NULL::${s}.${quoted(table)}, to_jsonb(p)) r
       WHERE p."createdAt" <= ${at}
         AND NOT EXISTS (SELECT 1 FROM public."ChangeEvent" e WHERE e."entityType" = $1 AND e."entityId" = p.id)`,
      table,
    );

  // Citations: a source cites a row when the last event naming it for that row added it.
  await tx.$executeRawUnsafe(
    `CREATE TABLE ${s}."_cited" AS
       SELECT "entityType", "entityId", source FROM (
         SELECT DISTINCT ON (e."entityId", src) e."entityType", e."entityId", src AS source, src = ANY(e."sourcesAdded") AS present
           FROM public."ChangeEvent" e, unnest(coalesce(e."sourcesAdded", '{}') || coalesce(e."sourcesWithdrawn", '{}')) src
          WHERE e.seq <= ${seq}
          ORDER BY e."entityId", src, e.seq DESC) m
        WHERE present`,
  );
  for (const [model, column] of Object.entries(citedBy)) {
    const c = quoted(column);
    await tx.$executeRawUnsafe(
      `INSERT INTO ${s}."Citation" SELECT c.* FROM ${s}."_cited" m JOIN public."Citation" c ON c.${c} = m."entityId" AND c."sourceId" = m.source
        WHERE m."entityType" = $1`,
      model,
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO ${s}."Citation" (id, "sourceId", ${c}) SELECT gen_random_uuid(), m.source, m."entityId" FROM ${s}."_cited" m
        WHERE m."entityType" = $1 AND NOT EXISTS (SELECT 1 FROM public."Citation" c WHERE c.${c} = m."entityId" AND c."sourceId" = m.source)`,
      model,
    );
  }
  // Citations the log never saw (as rows above): as they are today, if made by then.
  for (const [model, column] of Object.entries(citedBy)) {
    const c = quoted(column);
    await tx.$executeRawUnsafe(
      `INSERT INTO ${s}."Citation" SELECT c.* FROM public."Citation" c
        WHERE c.${c} IS NOT NULL AND c."createdAt" <= ${at}
          AND NOT EXISTS (SELECT 1 FROM public."ChangeEvent" e WHERE e."entityType" = $1 AND e."entityId" = c.${c}
                            AND c."sourceId" = ANY(coalesce(e."sourcesAdded", '{}') || coalesce(e."sourcesWithdrawn", '{}')))`,
      model,
    );
  }
  await tx.$executeRawUnsafe(`DROP TABLE ${s}."_cited"`);

  // Today's indexes (not unique: a snapshot is read, never written), so that every query plans as it does today.
  const functions = await tx.$queryRawUnsafe<{ fn: string; def: string }[]>(
    `SELECT p.proname AS fn, pg_get_functiondef(p.oid) AS def FROM pg_proc p
      WHERE p.proname = ANY($1::text[]) AND p.pronamespace = 'public'::regnamespace`,
    readFunctions,
  );
  const indexes = await tx.$queryRawUnsafe<{ def: string }[]>(
    `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])`,
    copied,
  );
  // Index and function definitions name types as today's path shows them ('CLEAR'::"Tlp"): from here
  // on, those names are the snapshot's.
  await tx.$executeRawUnsafe(`SET LOCAL search_path TO ${s}, public`);
  for (const { def } of indexes)
    await tx.$executeRawUnsafe(def.replace(/^CREATE UNIQUE INDEX/, 'CREATE INDEX').replace(' ON public.', ` ON ${s}.`));

  // The SQL functions reads call, over the snapshot's tables and types (its name found first on the path).
  for (const { fn, def } of functions)
    await tx.$executeRawUnsafe(def.replace(`FUNCTION public.${fn}(`, `FUNCTION ${s}.${fn}(`));

  // Statistics first: planned without them, the statements below take ten times as long.
  for (const table of copied) await tx.$executeRawUnsafe(`ANALYZE ${s}.${quoted(table)}`);

  // A name's or claim's visibility is derived (its own marking, its sources', the records it names),
  // kept by triggers, not logged: computed again from the snapshot's rows, as it stood then. Only then
  // are the rows hidden from the caller now taken out (a claim cited by a source hidden now keeps that
  // source's marking).
  // The formulas are refresh_visibility's and refresh_technique_use_visibility's (migrations
  // record_markings, techniques), here over a whole table at once: those functions take ids as an
  // array (`id = ANY($1)`), which over every row of a table plans badly (TechniqueUse, 16,017 rows:
  // 5.5 s; this statement: 0.07 s).
  for (const [table, citing] of derivedVisibility)
    await tx.$executeRawUnsafe(
      table === 'TechniqueUse'
        ? `UPDATE ${s}."TechniqueUse" t SET visibility = v.visibility FROM (
             SELECT u.id, GREATEST(u.tlp, COALESCE(c.lowest, 'CLEAR'), COALESCE(a.tlp, 'CLEAR'), COALESCE(cp.tlp, 'CLEAR'),
                      COALESCE(tl.tlp, 'CLEAR'), COALESCE(te.tlp, 'CLEAR')) AS visibility
               FROM ${s}."TechniqueUse" u
               LEFT JOIN (SELECT ci."techniqueUseId" AS id, min(so.tlp) AS lowest
                            FROM ${s}."Citation" ci JOIN ${s}."Source" so ON so.id = ci."sourceId"
                           WHERE ci."techniqueUseId" IS NOT NULL GROUP BY 1) c ON c.id = u.id
               LEFT JOIN ${s}."Actor" a ON a.id = u."actorId"
               LEFT JOIN ${s}."Campaign" cp ON cp.id = u."campaignId"
               LEFT JOIN ${s}."Tool" tl ON tl.id = u."toolId"
               LEFT JOIN ${s}."Technique" te ON te.id = u."techniqueId") v
            WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility`
        : `UPDATE ${s}.${quoted(table)} t SET visibility = v.visibility FROM (
             SELECT x.id, GREATEST(x.tlp,
                      COALESCE((SELECT min(so.tlp) FROM ${s}."Citation" ci JOIN ${s}."Source" so ON so.id = ci."sourceId"
                                 WHERE ci.${quoted(citing)} = x.id), 'CLEAR'),
                      ${s}.named_records_marking(to_jsonb(x))) AS visibility
               FROM ${s}.${quoted(table)} x) v
            WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility`,
    );
  for (const table of copied.filter((t) => loggedModels.has(t)))
    await tx.$executeRawUnsafe(`DELETE FROM ${s}.${quoted(table)} WHERE id = ANY($1::uuid[])`, hidden);
  await tx.$executeRawUnsafe(`DELETE FROM ${s}."Citation" WHERE "sourceId" = ANY($1::uuid[])`, hidden);
  return schema;
}

/** Drops the snapshots built longest ago beyond `keep`. */
export async function dropOldSnapshots(db: Sql, keep = keptSnapshots) {
  const old = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'asof\\_%' ORDER BY oid DESC OFFSET $1`,
    keep,
  );
  for (const { name } of old) await db.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoted(name)} CASCADE`);
  return old.map((o) => o.name);
}
