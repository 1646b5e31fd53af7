// Whether an import is being written in this process: on the embedded database it holds the one
// connection until it commits, and a request timed out meanwhile is told to come back (server.ts).
// Its own module, so that the server need not load the import machinery to ask.
let running = 0;

export const importRunning = () => running > 0;

/** Counts `work` as a running import while it runs. */
export async function asImport<T>(work: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await work();
  } finally {
    running--;
  }
}
