// Runs `npm start`'s command (node --import tsx src/main.ts, without its V8 memory flag) as a separate process, the way a user
// starts the server, and reads the address it prints; with `built`, `npm run start:prod`'s (plain node on dist/main.js).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export const projectRoot = path.resolve(import.meta.dirname, '../..');

/** The built server (`npm run build`) is there to be tested: always in CI, which builds before testing. */
export const builtServer = path.join(projectRoot, 'dist/main.js');

export function runMain(env: Record<string, string>, { built = false } = {}) {
  return runTool('src/main.ts', [], env, { built });
}

/**
 * Runs one of the project's entry points (the server, a command-line tool) as its npm script does:
 * from source through tsx, or (`built`) its compiled module in dist/ with plain node.
 */
export function runTool(script: string, args: string[], env: Record<string, string>, { built = false } = {}) {
  const entry = built
    ? ['--enable-source-maps', path.join('dist', script.replace(/^src\//, '').replace(/\.ts$/, '.js'))]
    : ['--import', 'tsx', script];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SEED_DATASETS: 'curated', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Starts the server and waits until it prints where it listens. */
export async function startMain(
  env: Record<string, string>,
  timeoutMs = 90_000,
  { built = false } = {},
): Promise<ServerProcess> {
  const { child, output, exited } = runMain(env, { built });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output()}`)), timeoutMs);
    const check = () => {
      const match = /GraphiQL at (http:\/\/[^/\s"]+)\/graphql/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output()}`));
    });
  });
  return {
    child,
    url,
    output,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

/** A TCP port nothing listens on now (for servers a test starts itself: Redis, PostgreSQL clusters). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
