// PGlite is single-process: two processes opening one data directory corrupt it. The process that
// opens it holds a lock file naming its pid (and the socket it shares the database on, if any); any
// other process that tries to open the directory is refused with a message naming the holder.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export type LockInfo = { pid: number; socketUrl: string | null };

const lockFile = (dataDir: string) => path.join(dataDir, 'threat-intel.lock');

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of a live process that holds the data directory, or null when it is free. */
export function readLiveLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as LockInfo;
    if (info.pid !== process.pid && isAlive(info.pid)) return info;
    rmSync(lockFile(dataDir), { force: true }); // stale: its process is gone
    return null;
  } catch {
    return null;
  }
}

export class DataDirectoryBusyError extends Error {}

/** Takes the lock atomically; throws DataDirectoryBusyError when a live process holds it. */
export function acquireLock(dataDir: string, socketUrl: string | null = null): { update(url: string | null): void; release(): void } {
  const file = lockFile(dataDir);
  const write = (url: string | null) => {
    const fd = openSync(file, 'w');
    writeSync(fd, JSON.stringify({ pid: process.pid, socketUrl: url } satisfies LockInfo));
    closeSync(fd);
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, socketUrl } satisfies LockInfo));
      closeSync(fd);
      return { update: write, release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLiveLock(dataDir);
      if (holder) {
        throw new DataDirectoryBusyError(
          `The embedded database in ${dataDir} is in use by process ${holder.pid} (the API server?). ` +
            'Stop that process first, then run this command again' +
            (holder.socketUrl ? `; meanwhile psql can read it at ${holder.socketUrl}.` : '.'),
        );
      }
    }
  }
  throw new DataDirectoryBusyError(`Could not lock the embedded database in ${dataDir}.`);
}
