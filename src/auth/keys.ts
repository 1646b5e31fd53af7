// API keys: random, shown once, stored as their SHA-256 (a key has 256 bits of randomness, so a
// fast hash is enough; a slow password hash would only slow every request down).
import { createHash, randomBytes } from 'node:crypto';
import { cachesTrusted, keysChanged, onKeysChange } from '../database/graph-changes.js';
import type { Db } from '../db.js';
import type { Role, Tlp } from '../generated/prisma/client.js';
import type { Principal } from './principal.js';

const KEY_PREFIX = 'tai_';
/** How much of a key is kept in clear, to tell keys apart in lists (the prefix and 8 random characters). */
const SHOWN = KEY_PREFIX.length + 8;

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export async function createApiKey(prisma: Db, input: { name: string; role: Role; clearance: Tlp }) {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const row = await prisma.apiKey.create({ data: { ...input, hash: hashKey(key), prefix: key.slice(0, SHOWN) } });
  keysChanged(prisma);
  return { key, row };
}

/** Revokes by id or by the shown prefix; returns the revoked keys (none when nothing matched). */
export async function revokeApiKey(prisma: Db, idOrPrefix: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  const where = { revokedAt: null, ...(isUuid ? { id: idOrPrefix } : { prefix: idOrPrefix }) };
  const keys = await prisma.apiKey.findMany({ where });
  if (keys.length > 1) throw new Error(`"${idOrPrefix}" matches ${keys.length} keys; give the id instead.`);
  await prisma.apiKey.updateMany({ where, data: { revokedAt: new Date() } });
  keysChanged(prisma);
  return keys;
}

export const listApiKeys = (prisma: Db) =>
  prisma.apiKey.findMany({
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, role: true, clearance: true, prefix: true, createdAt: true, revokedAt: true },
  });

/**
 * The valid keys an API server has checked, by hash, so that a request with a key costs no SQL
 * statement (in production every read carries a key, and a cached answer needs no other statement).
 * Forgotten whenever keys may have changed (made or revoked here; announced by the ApiKey table's
 * trigger from any process; changes unheard while the listening connection was down), not used while
 * changes cannot be heard, and re-read after REMEMBERED_MS all the same. Unknown keys are never
 * remembered: a new key works at once, and refused keys stay bounded by their own rate limit.
 */
type KnownKeys = { principals: Map<string, { principal: Principal; at: number }>; changes: number };
const remembered = new WeakMap<Db, KnownKeys>();
const REMEMBERED_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/** Remembers the keys checked through `prisma` until the returned function is called (the server's lifetime). */
export function rememberKeys(prisma: Db): () => void {
  const known: KnownKeys = { principals: new Map(), changes: 0 };
  remembered.set(prisma, known);
  const off = onKeysChange(prisma, () => {
    known.changes++;
    known.principals.clear();
  });
  return () => {
    off();
    if (remembered.get(prisma) === known) remembered.delete(prisma);
  };
}

/** The principal a key stands for, or null for an unknown or revoked key. */
export async function principalForKey(prisma: Db, key: string): Promise<Principal | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
  const hash = hashKey(key);
  const known = cachesTrusted(prisma) ? remembered.get(prisma) : undefined;
  const kept = known?.principals.get(hash);
  if (kept && Date.now() - kept.at < REMEMBERED_MS) return kept.principal;
  const changes = known?.changes;
  const row = await prisma.apiKey.findUnique({
    where: { hash },
    select: { id: true, name: true, role: true, clearance: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  const principal: Principal = { keyId: row.id, name: row.name, role: row.role, clearance: row.clearance };
  // A key revoked while it was read is not remembered as it was before.
  if (known && known.changes === changes) {
    if (known.principals.size >= MAX_REMEMBERED) known.principals.delete(known.principals.keys().next().value!);
    known.principals.delete(hash);
    known.principals.set(hash, { principal, at: Date.now() });
  }
  return principal;
}
