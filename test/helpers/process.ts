// Runs `npm start`'s command (node --import tsx src/main.ts, without its V8 memory flag) as a separate process, the way a user
// starts the server, and reads the address it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export const projectRoot = path.resolve(import.meta.dirname, '../..');

export function runMain(env: Record<string, string>) {
  return runTool('src/main.ts', [], env);
}

/** Runs one of the project's entry points (the server, a command-line tool) as its npm script does. */
export function runTool(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
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
export async function startMain(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const { child, output, exited } = runMain(env);
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
