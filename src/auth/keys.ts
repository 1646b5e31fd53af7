// API keys: random, shown once, stored as their SHA-256 (a key has 256 bits of randomness, so a
// fast hash is enough; a slow password hash would only slow every request down).
import { createHash, randomBytes } from 'node:crypto';
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
  return { key, row };
}

/** Revokes by id or by the shown prefix; returns the revoked keys (none when nothing matched). */
export async function revokeApiKey(prisma: Db, idOrPrefix: string) {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  const where = { revokedAt: null, ...(isUuid ? { id: idOrPrefix } : { prefix: idOrPrefix }) };
  const keys = await prisma.apiKey.findMany({ where });
  if (keys.length > 1) throw new Error(`"${idOrPrefix}" matches ${keys.length} keys; give the id instead.`);
  await prisma.apiKey.updateMany({ where, data: { revokedAt: new Date() } });
  return keys;
}

export const listApiKeys = (prisma: Db) =>
  prisma.apiKey.findMany({
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, role: true, clearance: true, prefix: true, createdAt: true, revokedAt: true },
  });

/** The principal a key stands for, or null for an unknown or revoked key. */
export async function principalForKey(prisma: Db, key: string): Promise<Principal | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
  const row = await prisma.apiKey.findUnique({
    where: { hash: hashKey(key) },
    select: { id: true, name: true, role: true, clearance: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  return { keyId: row.id, name: row.name, role: row.role, clearance: row.clearance };
}
