// Reads on PostgreSQL streaming replicas (DATABASE_REPLICA_URLS), writes on the primary.
//
// Each GraphQL request is answered from one database: a mutation from the primary, a query from a
// replica that has replayed every change this process has heard of (else from the primary). So a
// caller reads its own writes at once (its write is a change heard here), a request never mixes a
// replica's counts with the primary's pages, and a cached answer is never computed from data older than
// the change that dropped the previous one.
//
// Why not @prisma/extension-read-replicas: it routes each model read on its own to a random replica and
// leaves raw SQL (this API's search, derived pages and counts) on the primary; it has no notion of a
// replica that lags or is gone, nor of reading one's own writes. Routing per request over the same
// Prisma clients gives all of that in one place.
//
// How fresh a replica is: every REPLICA_CHECK_MS (and at once after each change heard) the primary's
// WAL position is read, then each replica's replay position. After a change, the floor is the
// primary's position read after it: a replica is used again once it has replayed past it. A replica
// that does not answer within a second, or lags more than REPLICA_MAX_LAG_BYTES, is skipped until it
// is back.
import type { Db } from '../db.js';
import { operationOf } from '../operation.js';
import { onGraphChange } from './graph-changes.js';

/**
 * Whether a request's operation is a query (which a replica may answer): a mutation, a document that
 * does not parse, or an operation sent by hash only goes to the primary.
 */
export const isQuery = (document: string | undefined, operationName?: string | null) =>
  operationOf(document, operationName)?.operation === 'query';

export type Replica = { name: string; db: Db };

export type ReplicaStatus = { name: string; healthy: boolean; lagBytes: number | null; replayed: boolean };

/** A WAL position ('16/B374D848') as a number of bytes. */
export const lsnBytes = (lsn: string) => {
  const [high, low] = lsn.split('/');
  return BigInt(`0x${high}`) * 0x1_0000_0000n + BigInt(`0x${low}`);
};

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);

export class ReplicaRouter {
  private state: { replica: Replica; healthy: boolean; replayedTo: bigint; lagBytes: number | null }[];
  /** The primary's WAL position that a replica must have replayed to be read; null: being measured. */
  private floor: bigint | null = null;
  private changedSinceCheck = true;
  private checking: Promise<void> | null = null;
  private timer: NodeJS.Timeout;
  private next = 0;
  private off: () => void;

  constructor(
    private primary: Db,
    replicas: Replica[],
    private settings: { checkMs: number; maxLagBytes: number },
    private onRoute?: (target: 'primary' | 'replica') => void,
  ) {
    this.state = replicas.map((replica) => ({ replica, healthy: false, replayedTo: 0n, lagBytes: null }));
    this.off = onGraphChange(primary, () => {
      this.changedSinceCheck = true;
      this.floor = null;
      void this.check();
    });
    this.timer = setInterval(() => void this.check(), settings.checkMs);
    this.timer.unref();
  }

  /** The first measure (so that the first requests may use the replicas). */
  ready() {
    return this.check();
  }

  /** Reads both positions; concurrent calls share one check, and a change during it asks for another. */
  check(): Promise<void> {
    if (this.checking) return this.checking.then(() => (this.changedSinceCheck ? this.check() : undefined));
    this.checking = this.measure().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async measure() {
    const changed = this.changedSinceCheck;
    this.changedSinceCheck = false;
    let primaryAt: bigint;
    try {
      const [row] = await this.primary.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
      primaryAt = lsnBytes(row.lsn);
    } catch {
      for (const s of this.state) s.healthy = false; // the primary is away: nothing to compare with
      this.changedSinceCheck ||= changed;
      return;
    }
    await Promise.all(
      this.state.map(async (s) => {
        try {
          const [row] = await withTimeout(
            s.replica.db.$queryRaw<{ lsn: string | null }[]>`SELECT pg_last_wal_replay_lsn()::text AS lsn`,
            1_000,
          );
          if (!row.lsn) throw new Error('not a replica (no WAL replayed)');
          s.replayedTo = lsnBytes(row.lsn);
          const lag = primaryAt - s.replayedTo;
          s.lagBytes = lag > 0n ? Number(lag) : 0;
          s.healthy = s.lagBytes <= this.settings.maxLagBytes;
        } catch {
          s.healthy = false;
          s.lagBytes = null;
        }
      }),
    );
    // The floor is a position read after the last change heard (a change during this check: next check).
    if (changed && !this.changedSinceCheck) this.floor = primaryAt;
    else if (this.floor === null && !this.changedSinceCheck) this.floor = primaryAt;
  }

  /**
   * After a write committed here: the primary's position now, which a replica must reach before it
   * answers again (null: the primary did not answer). Other processes learn it through `sharedFloor`.
   */
  async afterWrite(): Promise<bigint | null> {
    this.changedSinceCheck = true;
    this.floor = null;
    await this.check();
    return this.floor;
  }

  /**
   * The database a query is read from: a healthy replica past the floor (in turn), else the primary.
   * `sharedFloor`: a position written by another process (with Redis), which the replica must reach too.
   */
  forQuery(sharedFloor: bigint | null = null): Db {
    const floor =
      this.floor === null ? null : sharedFloor !== null && sharedFloor > this.floor ? sharedFloor : this.floor;
    if (floor !== null) {
      const usable = this.state.filter((s) => s.healthy && s.replayedTo >= floor);
      if (usable.length) {
        this.onRoute?.('replica');
        return usable[this.next++ % usable.length].replica.db;
      }
    }
    this.onRoute?.('primary');
    return this.primary;
  }

  status(): ReplicaStatus[] {
    return this.state.map((s) => ({
      name: s.replica.name,
      healthy: s.healthy,
      lagBytes: s.lagBytes,
      replayed: this.floor !== null && s.replayedTo >= this.floor,
    }));
  }

  async close() {
    clearInterval(this.timer);
    this.off();
    await this.checking?.catch(() => {});
  }
}
