// Prisma's own schema (migration) engine, compiled to WebAssembly, driven in-process.
//
// Why: Prisma's CLI runs `migrate` through a native binary it downloads from its CDN, which fails on
// air-gapped machines. The same engine ships on npm as WebAssembly; given a driver adapter it creates,
// diffs and applies migrations exactly as the CLI does (same SQL, same `_prisma_migrations` table).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);
// Node's global WebAssembly, typed for the one call made here (@types/node leaves it to lib.dom).
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

let loaded: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;

/** Instantiates the WebAssembly module once (the package's own entry needs --experimental-wasm-modules). */
function loadBindings() {
  loaded ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(
      path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    const { instance } = await webAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return loaded;
}

export type { SchemaEngine };

/**
 * The engine, and `close()`, which frees it and disconnects what it connected: freeing the engine
 * alone leaves its connection pool open (one idle PostgreSQL connection held for the life of the
 * process, seen in the pool metrics).
 */
export async function openSchemaEngine(
  schema: { path: string; content: string },
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (line: string) => void = () => {},
): Promise<{ engine: SchemaEngine; close(): Promise<void> }> {
  const bindings = await loadBindings();
  const connected: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => {
      const adapter = await adapterFactory.connect();
      connected.push(adapter);
      return adapter;
    },
    connectToShadowDb: () => adapterFactory.connectToShadowDb(),
  };
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(connected.map((a) => a.dispose().catch(() => {})));
    },
  };
}
