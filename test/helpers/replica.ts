// A PostgreSQL primary and a streaming replica of it, two clusters of the test's own (Debian's cluster
// tools: pg_createcluster, then pg_basebackup -R into the second), on free ports, so that the replica can
// be paused, stopped and started without touching the machine's server. Removed by `drop()`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createApiKey } from '../../src/auth/keys.js';
import { datasetFiles } from '../../src/config.js';
import { openDatabase } from '../../src/database/connection.js';
import { applyMigrations } from '../../src/database/migrations.js';
import { createPrismaClient } from '../../src/db.js';
import { loadSeeds } from '../../src/ingest/load-seeds.js';
import { freePort } from './process.js';

export const clusterTools =
  existsSync('/usr/bin/pg_createcluster') &&
  existsSync('/usr/bin/pg_ctlcluster') &&
  existsSync('/usr/bin/pg_basebackup');
const version = clusterTools ? execFileSync('ls', ['/etc/postgresql']).toString().trim().split('\n')[0] : '';

const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe' });

export type ReplicatedClusters = {
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL on the replica (pg_wal_replay_pause() and the like). */
  onReplica(sql: string): Promise<unknown[]>;
  stopReplica(): void;
  startReplica(): void;
  drop(): void;
};

/** Makes both clusters, with `database` created on the primary (and replayed on the replica). */
export async function replicatedClusters(database: string): Promise<ReplicatedClusters> {
  const tag = `tai${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const [primary, replica] = [`${tag}p`, `${tag}r`];
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const drop = () => {
    for (const name of [replica, primary])
      try {
        run('pg_dropcluster', [version, name, '--stop']);
      } catch {}
  };
  try {
    run('pg_createcluster', [version, primary, '-p', String(primaryPort), '--start', '--', '--auth=trust']);
    const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${primaryPort}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    run('pg_createcluster', [version, replica, '-p', String(replicaPort), '--', '--auth=trust']);
    const dataDir = `/var/lib/postgresql/${version}/${replica}`;
    run('find', [dataDir, '-mindepth', '1', '-delete']);
    run('runuser', [
      '-u',
      'postgres',
      '--',
      'pg_basebackup',
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      // An immediate checkpoint: the default spreads it over minutes after CREATE DATABASE (~100 s here).
      '--checkpoint=fast',
    ]);
    run('pg_ctlcluster', [version, replica, 'start']);
  } catch (error) {
    drop();
    throw error;
  }
  const replicaUrl = `postgresql://postgres@127.0.0.1:${replicaPort}/${database}`;
  return {
    primaryUrl: `postgresql://postgres@127.0.0.1:${primaryPort}/${database}`,
    replicaUrl,
    async onReplica(sql) {
      const client = new pg.Client({ connectionString: replicaUrl });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    stopReplica: () => run('pg_ctlcluster', [version, replica, 'stop', '-m', 'fast']),
    startReplica: () => run('pg_ctlcluster', [version, replica, 'start']),
    drop,
  };
}

/**
 * Both clusters with `database` migrated and seeded with the curated story on the primary (and so on
 * the replica), an analyst's key, and APT38's global ID (the actor the tests edit).
 */
export async function seededReplicatedClusters(database: string) {
  const clusters = await replicatedClusters(database);
  const opened = await openDatabase({ kind: 'postgres', url: clusters.primaryUrl, poolSize: 2 });
  await applyMigrations(opened.adapterFactory);
  const prisma = createPrismaClient(opened);
  try {
    await loadSeeds(prisma, datasetFiles.curated);
    const analyst = (
      await createApiKey(prisma, { name: `${database} test analyst`, role: 'ANALYST', clearance: 'RED' })
    ).key;
    const { actorId } = await prisma.externalId.findFirstOrThrow({ where: { value: 'G0082' } });
    return { clusters, analyst, apt38: Buffer.from(`Actor:${actorId}`).toString('base64') };
  } finally {
    await prisma.$disconnect();
  }
}
