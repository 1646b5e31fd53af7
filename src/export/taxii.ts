// TAXII 2.1, read-only: discovery (/taxii2/), one API root (/taxii2/api/), collections (everything, and
// one per dataset), objects with added_after / limit / next / match[id|type|version|spec_version],
// an object, its versions, the manifest. Content negotiation (406 / 415), TAXII error bodies, the
// X-TAXII-Date-Added-First / -Last headers, and keyset paging on (date added, id) so that a client
// paging through a collection neither skips nor repeats objects while data is added.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router from 'find-my-way';
import { visibleDatasetRecord, visibleRecord } from '../auth/visibility.js';
import { type KeptCodec, keptUntilChange } from '../database/graph-changes.js';
import type { Db } from '../db.js';
import type { Tlp } from '../generated/prisma/client.js';
import { exportAll, type Provenance } from './stix.js';

const TAXII = 'application/taxii+json;version=2.1';
const STIX = 'application/stix+json;version=2.1';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

type Entry = {
  object: Record<string, unknown> & { id: string; type: string; modified?: string; created?: string };
  addedAt: Date;
  dataset: string | null;
  /** The version held as current (an older version kept as history is not). */
  current: boolean;
};
/**
 * `records`: the collection serves the dataset's records exactly as they came, with their versions
 * (a faithful copy of a STIX dataset); otherwise the resolved objects of the entities whose fields come
 * from the dataset.
 */
type Collection = { id: string; title: string; description: string; dataset: string | null; records?: boolean };

/** Fixed ids: clients keep them across restarts. */
const collections: Collection[] = [
  {
    id: '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e01',
    title: 'Everything',
    description: 'Every actor, campaign, tool, victim and relationship the API holds.',
    dataset: null,
  },
  {
    id: '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e02',
    title: 'Curated',
    description: 'The curated CryptoCore story (dataset "curated").',
    dataset: 'curated',
  },
  {
    id: '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e03',
    title: 'MITRE ATT&CK',
    description:
      'MITRE ATT&CK® objects exactly as MITRE published them (every property, the identity and marking-definition objects), with the versions kept (dataset "mitre-attack").',
    dataset: 'mitre-attack',
    records: true,
  },
  {
    id: '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e04',
    title: 'MISP galaxy',
    description: 'Records whose fields come from the MISP galaxy (dataset "misp-galaxy").',
    dataset: 'misp-galaxy',
  },
];

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The objects of a collection, ordered by (date added, id): the order paging follows. Built from the
 * whole-database export once per collection and kept until the graph changes (a TAXII client pages
 * through a collection in many requests; each must not rebuild it).
 */
/** Entries as text, for a store shared by several processes (their dates as ISO strings). */
const entriesAsText: KeptCodec<Entry[]> = {
  encode: (entries) => JSON.stringify(entries),
  decode: (text) =>
    (JSON.parse(text) as (Omit<Entry, 'addedAt'> & { addedAt: string })[]).map((e) => ({
      ...e,
      addedAt: new Date(e.addedAt),
    })),
};

function entries(prisma: Db, clearance: Tlp, collection: Collection): Promise<Entry[]> {
  // One build per clearance: what a collection holds depends on what the caller may see.
  return keptUntilChange(
    prisma,
    `taxii:${clearance}:${collection.id}`,
    () => buildEntries(prisma, clearance, collection),
    entriesAsText,
  );
}

/**
 * A dataset's STIX records as they came, each current version and each kept one (dated when this
 * database stored it). A relationship that names a record the caller may not see is left out with it.
 */
async function recordEntries(prisma: Db, clearance: Tlp, dataset: string): Promise<Entry[]> {
  const rows = await prisma.datasetRecord.findMany({
    where: { dataset, format: 'stix', ...visibleDatasetRecord(clearance) },
    select: {
      identifier: true,
      original: true,
      updatedAt: true,
      versions: { where: visibleRecord(clearance), select: { original: true, storedAt: true } },
    },
  });
  const hidden = new Set(
    (
      await prisma.datasetRecord.findMany({
        where: { dataset, format: 'stix', NOT: visibleDatasetRecord(clearance) },
        select: { identifier: true },
      })
    ).map((r) => r.identifier),
  );
  const entries: Entry[] = [];
  for (const r of rows) {
    const object = r.original as Entry['object'];
    if (hidden.has(object.source_ref as string) || hidden.has(object.target_ref as string)) continue;
    entries.push({ object, addedAt: r.updatedAt, dataset, current: true });
    for (const v of r.versions)
      entries.push({ object: v.original as Entry['object'], addedAt: v.storedAt, dataset, current: false });
  }
  return entries.sort(
    (a, b) =>
      a.addedAt.getTime() - b.addedAt.getTime() ||
      a.object.id.localeCompare(b.object.id) ||
      versionOf(a).localeCompare(versionOf(b)),
  );
}

/**
 * When each row's exported object last changed, from the change log: its own events, and for an entity
 * its names' (a name added changes its aliases). A claim that gained a source has an event of its own.
 * Rows older than the log keep their own updatedAt.
 */
async function lastChanges(prisma: Db) {
  const rows = await prisma.$queryRaw<{ id: string; at: Date }[]>`
    SELECT id, max(at) AS at FROM (
      SELECT "entityId" AS id, at FROM "ChangeEvent"
      UNION ALL
      SELECT owner AS id, at FROM "ChangeEvent", unnest(concerns) AS owner
      WHERE "entityType" = 'Name' AND owner <> "entityId"
    ) changed GROUP BY id`;
  return new Map(rows.map((r) => [r.id, r.at]));
}

async function buildEntries(prisma: Db, clearance: Tlp, collection: Collection): Promise<Entry[]> {
  if (collection.records && collection.dataset) return recordEntries(prisma, clearance, collection.dataset);
  const provenance: Provenance = new Map();
  const [{ objects }, changedAt] = await Promise.all([
    exportAll(prisma, { clearance, known: null }, provenance),
    lastChanges(prisma),
  ]);
  const all = objects.map((object) => {
    const { addedAt, dataset, rowId } = provenance.get(object.id) ?? { addedAt: new Date(0), dataset: null };
    return { object, addedAt: (rowId && changedAt.get(rowId)) || addedAt, dataset, current: true };
  }) as Entry[];
  let selected = all;
  if (collection.dataset) {
    const own = new Set(
      all.filter((e) => e.dataset === collection.dataset && e.object.type !== 'relationship').map((e) => e.object.id),
    );
    const relationships = all.filter((e) => e.object.type === 'relationship' && own.has(e.object.source_ref as string));
    // Victims have no dataset: a collection holds those its relationships target.
    for (const r of relationships) own.add(r.object.target_ref as string);
    selected = all.filter((e) => own.has(e.object.id) || relationships.includes(e));
  }
  return selected.sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || a.object.id.localeCompare(b.object.id));
}

const versionOf = (e: Entry) => String(e.object.modified ?? e.object.created);

/** A page ends at (date added, id, version): an object's versions may share a date added. */
const cursorOf = (e: Entry) =>
  Buffer.from(`${e.addedAt.toISOString()}|${e.object.id}|${versionOf(e)}`).toString('base64url');
function afterCursor(next: string) {
  const [at, id, version = ''] = Buffer.from(next, 'base64url').toString('utf8').split('|');
  const time = Date.parse(at);
  if (!id || Number.isNaN(time))
    throw new TaxiiError(400, 'Invalid next', 'The "next" parameter is not one this server gave.');
  return (e: Entry) =>
    e.addedAt.getTime() > time ||
    (e.addedAt.getTime() === time && (e.object.id > id || (e.object.id === id && versionOf(e) > version)));
}

/**
 * TAXII's match[version]: "last" (the default of the objects and manifest endpoints) is the version
 * held as current, "first" the earliest kept, "all" (the versions endpoint's) every one, or timestamps.
 */
function selectVersions(list: Entry[], versions: string[]) {
  if (versions.includes('all')) return list;
  const first = new Map<string, string>();
  for (const e of list) {
    const known = first.get(e.object.id);
    if (!known || versionOf(e) < known) first.set(e.object.id, versionOf(e));
  }
  return list.filter(
    (e) =>
      (versions.includes('last') && e.current) ||
      (versions.includes('first') && first.get(e.object.id) === versionOf(e)) ||
      versions.includes(versionOf(e)),
  );
}

/** Applies the filters and paging of the objects, manifest and versions endpoints. */
function page(list: Entry[], query: URLSearchParams, objectId?: string, allVersions = false) {
  let selected = objectId ? list.filter((e) => e.object.id === objectId) : list;
  const addedAfter = query.get('added_after');
  if (addedAfter) {
    const t = Date.parse(addedAfter);
    if (Number.isNaN(t))
      throw new TaxiiError(400, 'Invalid added_after', '"added_after" must be an RFC 3339 timestamp.');
    selected = selected.filter((e) => e.addedAt.getTime() > t);
  }
  const list_ = (name: string) =>
    query
      .get(name)
      ?.split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const ids = list_('match[id]');
  if (ids) selected = selected.filter((e) => ids.includes(e.object.id));
  const types = list_('match[type]');
  if (types) selected = selected.filter((e) => types.includes(e.object.type));
  const specVersions = list_('match[spec_version]');
  if (specVersions && !specVersions.includes('2.1')) selected = [];
  selected = selectVersions(selected, list_('match[version]') ?? [allVersions ? 'all' : 'last']);
  const next = query.get('next');
  if (next) selected = selected.filter(afterCursor(next));
  const rawLimit = query.get('limit');
  const limit = rawLimit == null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new TaxiiError(400, 'Invalid limit', '"limit" must be a positive whole number.');
  const items = selected.slice(0, Math.min(limit, MAX_LIMIT));
  const more = selected.length > items.length;
  return { items, more, next: more ? cursorOf(items[items.length - 1]) : undefined };
}

function acceptsTaxii(accept: string | undefined) {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((p) => p.trim());
    const version = params.find((p) => p.startsWith('version='));
    return type === '*/*' || (type === 'application/taxii+json' && (!version || version === 'version=2.1'));
  });
}

/** What a TAXII resource is served with: the request's query, the caller's clearance, and how to answer. */
type Call = {
  query: URLSearchParams;
  prisma: Db;
  clearance: Tlp;
  baseUrl: string;
  send: (status: number, body: unknown, headers?: Record<string, string>) => void;
};
type Params = Record<string, string | undefined>;
type Resource = (call: Call, params: Params) => Promise<void> | void;

const describe = (c: Collection) => ({
  id: c.id,
  title: c.title,
  description: c.description,
  can_read: true,
  can_write: false,
  media_types: [STIX],
});

function collectionOf(params: Params) {
  const collection = collections.find((c) => c.id === params.collection);
  if (!collection) throw new TaxiiError(404, 'Not Found', `There is no collection ${params.collection}.`);
  return collection;
}

const dateHeaders = (items: Entry[]): Record<string, string> =>
  items.length
    ? {
        'X-TAXII-Date-Added-First': items[0].addedAt.toISOString(),
        'X-TAXII-Date-Added-Last': items[items.length - 1].addedAt.toISOString(),
      }
    : {};

/** A page of a collection's entries (all of them, or one object's versions) in its envelope. */
async function sendPage(call: Call, params: Params, key: 'objects' | 'versions', map: (e: Entry) => unknown) {
  const all = await entries(call.prisma, call.clearance, collectionOf(params));
  const objectId = params.object;
  if (objectId !== undefined && !all.some((e) => e.object.id === objectId))
    throw new TaxiiError(404, 'Not Found', `There is no object ${objectId} in this collection.`);
  const p = page(all, call.query, objectId, key === 'versions');
  const envelope = p.items.length ? { more: p.more, ...(p.next ? { next: p.next } : {}), [key]: p.items.map(map) } : {};
  call.send(200, envelope, dateHeaders(p.items));
}

/** The resources, by path (find-my-way, the router Fastify uses): each answers GET and HEAD. */
const resources = Router({ ignoreTrailingSlash: true });
const resource = (path: string, serve: Resource) => resources.on(['GET', 'HEAD'], path, () => {}, serve);
resource('/taxii2', ({ send, baseUrl }) =>
  send(200, {
    title: 'Threat-actor intelligence API',
    description: 'Actors, campaigns, tools, victims and the sources behind them, as STIX 2.1.',
    default: `${baseUrl}/taxii2/api/`,
    api_roots: [`${baseUrl}/taxii2/api/`],
  }),
);
resource('/taxii2/api', ({ send }) =>
  send(200, { title: 'Threat-actor intelligence', versions: [TAXII], max_content_length: 0 }),
);
resource('/taxii2/api/collections', ({ send }) => send(200, { collections: collections.map(describe) }));
resource('/taxii2/api/collections/:collection', ({ send }, params) => send(200, describe(collectionOf(params))));
resource('/taxii2/api/collections/:collection/manifest', (call, params) =>
  sendPage(call, params, 'objects', (e) => ({
    id: e.object.id,
    date_added: e.addedAt.toISOString(),
    version: e.object.modified ?? e.object.created,
    media_type: STIX,
  })),
);
resource('/taxii2/api/collections/:collection/objects', (call, params) =>
  sendPage(call, params, 'objects', (e) => e.object),
);
resource('/taxii2/api/collections/:collection/objects/:object', (call, params) =>
  sendPage(call, params, 'objects', (e) => e.object),
);
resource('/taxii2/api/collections/:collection/objects/:object/versions', (call, params) =>
  sendPage(call, params, 'versions', (e) => e.object.modified ?? e.object.created),
);
// Anything else: under the one API root, no such resource; elsewhere, no such API root (TAXII's words).
const unknown: Resource = (_call, params) => {
  throw new TaxiiError(
    404,
    'Not Found',
    params.root === 'api' ? 'There is no such resource.' : 'There is no such API root.',
  );
};
resource('/taxii2/:root', unknown);
resource('/taxii2/:root/*', unknown);

export async function handleTaxii(
  req: IncomingMessage,
  res: ServerResponse,
  prisma: Db,
  clearance: Tlp,
  baseUrl: string,
) {
  const url = new URL(req.url ?? '/', 'http://taxii');
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': TAXII, ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  try {
    if (!acceptsTaxii(req.headers.accept))
      throw new TaxiiError(406, 'Not Acceptable', `This server answers ${TAXII}; ask for it in the Accept header.`);
    if (req.method === 'POST' && /^\/taxii2\/api\/collections\/[^/]+\/objects\/?$/.test(url.pathname)) {
      const type = (req.headers['content-type'] ?? '').toLowerCase().replace(/\s/g, '');
      if (!type.startsWith('application/taxii+json'))
        throw new TaxiiError(415, 'Unsupported Media Type', `Send ${TAXII}.`);
      throw new TaxiiError(403, 'Forbidden', 'The collections of this server are read-only.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new TaxiiError(405, 'Method Not Allowed', 'This TAXII server is read-only: use GET.');
    try {
      decodeURIComponent(url.pathname);
    } catch {
      throw new TaxiiError(400, 'Bad Request', 'The address is not validly escaped.');
    }
    const found = resources.find(req.method, url.pathname);
    if (!found) throw new TaxiiError(404, 'Not Found', 'There is no such resource.');
    await (found.store as Resource)({ query: url.searchParams, prisma, clearance, baseUrl, send }, found.params);
  } catch (error) {
    if (error instanceof TaxiiError)
      return send(error.status, { title: error.title, description: error.message, http_status: String(error.status) });
    throw error;
  }
}
