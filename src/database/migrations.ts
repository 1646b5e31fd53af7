// Migration history on disk (prisma/migrations), in the shape Prisma's engine expects, and the
// operations built on it: apply on start, create a new migration, diff against the schema.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { openSchemaEngine } from './schema-engine.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const schemaPath = path.join(projectRoot, 'prisma/schema.prisma');
export const migrationsDir = path.join(projectRoot, 'prisma/migrations');

const noFilter = { externalTables: [], externalEnums: [] };

export async function readSchema() {
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

export async function readMigrationList(dir = migrationsDir): Promise<MigrationList> {
  const lockPath = path.join(dir, 'migration_lock.toml');
  const entries = existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()) : [];
  const migrationDirectories = await Promise.all(
    entries
      .map((e) => e.name)
      .sort()
      .map(async (name) => {
        const file = path.join(dir, name, 'migration.sql');
        const content = existsSync(file)
          ? ({ tag: 'ok', value: await readFile(file, 'utf8') } as const)
          : ({ tag: 'error', value: `${file} does not exist` } as const);
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
  );
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/**
 * Whether the database records every migration on disk as applied, with the same checksum (the
 * SHA-256 of its SQL, as Prisma records it). Then a start need not load the migration engine (~0.4 s
 * of WebAssembly); anything else (no history table, a new or changed migration) goes to the engine.
 */
async function allApplied(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  list: MigrationList,
): Promise<boolean> {
  let adapter: Awaited<ReturnType<typeof adapterFactory.connect>> | undefined;
  try {
    adapter = await adapterFactory.connect();
    const result = await adapter.queryRaw({
      sql: 'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      args: [],
      argTypes: [],
    });
    const applied = new Map(result.rows.map((row) => [String(row[0]), String(row[1])]));
    return list.migrationDirectories.every(
      (d) =>
        d.migrationFile.content.tag === 'ok' &&
        applied.get(d.path) === createHash('sha256').update(d.migrationFile.content.value).digest('hex'),
    );
  } catch {
    return false;
  } finally {
    await adapter?.dispose();
  }
}

/** `prisma migrate deploy`: applies the migrations the database has not seen yet. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await readMigrationList();
  if (await allApplied(adapterFactory, migrationsList)) return [];
  const { engine, close } = await openSchemaEngine(await readSchema(), adapterFactory);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * `prisma migrate diff --from-migrations --to-schema --script`: the SQL that takes the migration
 * history (replayed on a shadow database) to the schema; empty when they match. This is what
 * `migrate dev --create-only` writes as the next migration.
 */
export async function diffMigrationsToSchema(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaText?: string,
): Promise<string> {
  const schema = schemaText === undefined ? await readSchema() : { path: schemaPath, content: schemaText };
  const { engine, close } = await openSchemaEngine(schema, adapterFactory);
  try {
    const result = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrationList()) },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    return result.stdout ?? '';
  } finally {
    await close();
  }
}

/**
 * Extensions the schema declares. The WebAssembly engine does not see installed extensions through a
 * driver adapter, so a diff always proposes `CREATE EXTENSION IF NOT EXISTS` for each of them; callers
 * set those lines aside and check the extensions in the database instead.
 */
export function declaredExtensions(schemaText: string): string[] {
  const list = /extensions\s*=\s*\[([^\]]*)\]/.exec(schemaText)?.[1] ?? '';
  return list
    .split(',')
    .map((e) => e.trim().replace(/\(.*$/, ''))
    .filter(Boolean);
}

export function withoutExtensionStatements(script: string, extensions: string[]): string {
  return script
    .split(/\n\n+/)
    .filter(
      (block) =>
        !extensions.some((ext) => block.trim() === `-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS "${ext}";`),
    )
    .join('\n\n')
    .trim();
}
