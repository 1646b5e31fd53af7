// PGlite is single-process: two processes opening one data directory corrupt it. The process that
// opens it holds a lock file naming its pid (and the socket it shares the database on, if any); any
// other process that tries to open the directory is refused with a message naming the holder. A
// running API server also writes where and with which secret it takes imports (the file is readable
// by its owner only), so that the import tool can hand its work to the server instead.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export type LockInfo = { pid: number; socketUrl: string | null; importUrl?: string; importToken?: string };

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
function readLiveLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as LockInfo;
    if (info.pid !== process.pid && isAlive(info.pid)) return info;
    rmSync(lockFile(dataDir), { force: true }); // stale: its process is gone
    return null;
  } catch {
    return null;
  }
}

export class DataDirectoryBusyError extends Error {
  constructor(
    message: string,
    readonly holder: LockInfo | null = null,
  ) {
    super(message);
  }
}

/** Takes the lock atomically; throws DataDirectoryBusyError when a live process holds it. */
export function acquireLock(
  dataDir: string,
  socketUrl: string | null = null,
): { update(patch: Partial<LockInfo>): void; release(): void } {
  const file = lockFile(dataDir);
  let info: LockInfo = { pid: process.pid, socketUrl };
  const write = (patch: Partial<LockInfo>) => {
    info = { ...info, ...patch, pid: process.pid };
    const fd = openSync(file, 'w', 0o600);
    writeSync(fd, JSON.stringify(info));
    closeSync(fd);
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
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
          holder,
        );
      }
    }
  }
  throw new DataDirectoryBusyError(`Could not lock the embedded database in ${dataDir}.`);
}
