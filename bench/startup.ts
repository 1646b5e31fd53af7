// `node --import tsx bench/startup.ts` (after `npm run build`): how long the server takes from its start
// to answering /ready, run from source through tsx (`npm start`) and built with plain node (`npm run
// start:prod`), on the benchmark's PostgreSQL database and its embedded copy (scale S, already migrated:
// no seeding, no migration). Five starts each, the median reported. Run it with another Node on the PATH
// to measure that Node.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { databaseEnv, ensureBenchDatabase, ensureEmbeddedBenchDatabase } from './database.js';

const root = path.resolve(import.meta.dirname, '..');
const log = (s: string) => console.error(`[startup] ${s}`);

async function startOnce(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: '5190', SEED_ON_START: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited: ${errors}`);
      const ok = await fetch('http://127.0.0.1:5190/ready')
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const { url } = await ensureBenchDatabase('S', log);
const embedded = await ensureEmbeddedBenchDatabase('S', log);
const ways = {
  'npm start (tsx)': ['--max-semi-space-size=16', '--import', 'tsx', 'src/main.ts'],
  'npm run start:prod (dist/, plain node)': ['--max-semi-space-size=16', '--enable-source-maps', 'dist/main.js'],
};
const databases = { PostgreSQL: databaseEnv(url), 'embedded (PGlite)': databaseEnv(embedded) };
const lines = [`Start-up to ready, Node ${process.version}, median of 5 (ms):`, ''];
lines.push('| | PostgreSQL | embedded (PGlite) |', '|---|---:|---:|');
for (const [way, args] of Object.entries(ways)) {
  const cells: string[] = [];
  for (const env of Object.values(databases)) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await startOnce(args, env as Record<string, string>));
    times.sort((a, b) => a - b);
    cells.push(times[2].toFixed(0));
  }
  lines.push(`| ${way} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));
