// `npm run keys -- create --role analyst --clearance amber --name "Jane (CTI team)"`: prints the new key
// once (only its hash is stored). `npm run keys -- list`, `npm run keys -- revoke <id or prefix>`.
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/keys.js';
import { roles, tlpLevels } from '../auth/principal.js';
import { createPrismaClient } from '../db.js';
import type { Role, Tlp } from '../generated/prisma/client.js';
import { withDatabase } from './with-database.js';

const usage = `Usage:
  npm run keys -- create --role reader|analyst|admin --clearance clear|green|amber|amber+strict|red --name <who uses it>
  npm run keys -- list
  npm run keys -- revoke <id or prefix>`;

function fail(message: string): never {
  console.error(message);
  console.error(usage);
  process.exit(2);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { role: { type: 'string' }, clearance: { type: 'string' }, name: { type: 'string' } },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const [command, target] = positionals;

/** "amber+strict", "AMBER_STRICT" and "amber-strict" are the same marking. */
const tlpOf = (v: string | undefined) => {
  const t = v?.toUpperCase().replace(/[+-]/g, '_') as Tlp;
  return tlpLevels.includes(t as (typeof tlpLevels)[number])
    ? t
    : fail(
        `--clearance must be one of ${tlpLevels.join(', ').toLowerCase().replace('_', '+')} (got ${JSON.stringify(v ?? '')}).`,
      );
};
const roleOf = (v: string | undefined) => {
  const r = v?.toUpperCase() as Role;
  return roles.includes(r as (typeof roles)[number])
    ? r
    : fail(`--role must be one of ${roles.join(', ').toLowerCase()} (got ${JSON.stringify(v ?? '')}).`);
};

if (command === 'create') {
  const role = roleOf(values.role);
  const clearance = tlpOf(values.clearance);
  const name =
    values.name?.trim() || fail('--name is required: who or what will use the key (it is recorded in the audit log).');
  if (name.length > 200) fail('--name is limited to 200 characters.');
  await withDatabase('No key was made.', async (db) => {
    const prisma = createPrismaClient(db);
    const { key, row } = await createApiKey(prisma, { name, role, clearance });
    await prisma.$disconnect();
    console.log(
      `Created key ${row.id} for "${name}" (role ${role.toLowerCase()}, clearance TLP:${clearance.replace('_', '+')}).`,
    );
    console.log('The key is shown this once; keep it secret. Send it as "Authorization: Bearer <key>":');
    console.log(key);
  });
} else if (command === 'list') {
  await withDatabase('', async (db) => {
    const prisma = createPrismaClient(db);
    const keys = await listApiKeys(prisma);
    await prisma.$disconnect();
    console.table(
      keys.map((k) => ({
        id: k.id,
        prefix: k.prefix,
        name: k.name,
        role: k.role,
        clearance: k.clearance,
        created: k.createdAt.toISOString(),
        revoked: k.revokedAt?.toISOString() ?? '',
      })),
    );
  });
} else if (command === 'revoke') {
  if (!target) fail('Name the key to revoke by its id or prefix.');
  await withDatabase('No key was revoked.', async (db) => {
    const prisma = createPrismaClient(db);
    try {
      const revoked = await revokeApiKey(prisma, target);
      if (!revoked.length) fail(`No active key has the id or prefix "${target}".`);
      console.log(`Revoked ${revoked[0].id} ("${revoked[0].name}"). Requests with it are refused from now on.`);
    } catch (error) {
      fail((error as Error).message);
    } finally {
      await prisma.$disconnect();
    }
  });
} else {
  fail(command ? `Unknown command "${command}".` : 'Give a command.');
}
