// Start-up: open the database, bring its schema up to date, seed it on first start, serve.
// Shared by `npm start` and the tests, which run the same thing on their own ports and databases.
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { type Database, openDatabase } from './database/connection.js';
import { applyMigrations } from './database/migrations.js';
import type { Replica } from './database/replicas.js';
import { asOfClients, createPrismaClient, type Db } from './db.js';
import { createLogger } from './log.js';
import { startHttpServer } from './server.js';

export type App = { url: string; prisma: Db; database: Database; stop(): Promise<void> };

export async function startApp(config: Config): Promise<App> {
  const log = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  let prisma: Db | undefined;
  const replicas: (Replica & { database: Database })[] = [];
  try {
    const applied = await applyMigrations(database.adapterFactory);
    if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    prisma = createPrismaClient(database);
    if (config.seedOnStart && (await prisma.source.count()) === 0) {
      log.info(
        { files: config.seedFiles },
        'first start: loading the seeds (the curated story and the shipped datasets take about 40 seconds)',
      );
      // Loaded only when seeding: a start on a seeded database need not load the import machinery.
      const { loadSeeds } = await import('./ingest/load-seeds.js');
      const { counts, warnings, durations } = await loadSeeds(prisma, config.seedFiles);
      log.info({ counts, durations }, 'database seeded');
      for (const warning of warnings) log.warn(warning);
    }
    // On the embedded database the server is the only process that may write: it takes the import
    // tool's work, with a secret only readers of the lock file know.
    const importToken = config.database.kind === 'embedded' ? randomBytes(32).toString('hex') : undefined;
    // Replicas: the same schema (they replay the primary's WAL), no migrations of their own.
    for (const [i, url] of config.replicas.urls.entries()) {
      const target = config.database.kind === 'postgres' ? { ...config.database, url } : null;
      if (!target) break;
      const replica = await openDatabase(target);
      replicas.push({
        name: `replica ${i + 1} (${new URL(url).host})`,
        db: createPrismaClient(replica),
        database: replica,
      });
    }
    const http = await startHttpServer(prisma, config, log, {
      importToken,
      poolStats: database.poolStats,
      listenEmbedded: database.listen,
      replicas,
      asOf: asOfClients(database, prisma),
    });
    if (importToken) database.announceImports(`${http.url}/admin/import`, importToken);
    log.info(
      {
        database:
          config.database.kind === 'embedded'
            ? { embedded: config.database.dataDir, sharedAt: database.socketUrl }
            : 'postgresql',
      },
      `GraphQL API and GraphiQL at ${http.url}/graphql`,
    );
    const db = prisma;
    return {
      url: http.url,
      prisma: db,
      database,
      async stop() {
        await http.close();
        await db.$disconnect();
        for (const r of replicas) await r.db.$disconnect();
        await database.close();
      },
    };
  } catch (error) {
    await prisma?.$disconnect().catch(() => {});
    for (const r of replicas) await r.db.$disconnect().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}
