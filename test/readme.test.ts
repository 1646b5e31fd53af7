// The README's examples are what the seeded server answers: every ```graphql block followed by a
// ```json block is run against a server seeded as `npm start` seeds it, and its answer compared with
// the README's (ids aside: they differ from one database to another); every `curl` line against the
// API is run as written (the address made this server's, `<global ID>` a real one) and must succeed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

/** The README's fenced blocks in order: their language and text. */
const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1],
  text: m[2],
  end: (m.index ?? 0) + m[0].length,
  start: m.index ?? 0,
}));

/** A query with the answer the README shows: a graphql block and the json block right after it. */
const examples = blocks.flatMap((b, i) => {
  const next = blocks[i + 1];
  if (b.lang !== 'graphql' || next?.lang !== 'json' || readme.slice(b.end, next.start).trim()) return [];
  return [{ query: b.text.trim(), answer: JSON.parse(next.text) as Record<string, unknown> }];
});

/** The README's curl commands (continuation lines joined). */
const curls = blocks
  .filter((b) => b.lang === 'sh')
  .flatMap((b) => b.text.replace(/\\\n\s*/g, ' ').split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line.startsWith('curl ') && line.includes('127.0.0.1:4000'));

/** Ids differ from one database to another: left out of both sides. */
const withoutIds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'id')
        .map(([k, v]) => [k, withoutIds(v)]),
    );
  return value;
};

let server: TestServer;
beforeAll(async () => {
  // Seeded as `npm start` seeds it: every shipped dataset.
  server = await startTestServer({ SEED_DATASETS: 'curated,mitre-attack,mitre-attack-techniques,misp-galaxy' });
}, 600_000);
afterAll(() => server?.stop());

describe(`the README's examples (${databaseLabel})`, () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
    expect(curls.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((e) => [e.query.slice(0, 60), e]))('%s … answers as shown', async (_name, example) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: example.query }),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    // The statement count is shown where the README shows it.
    if (!('extensions' in example.answer)) delete answer.extensions;
    expect(withoutIds(answer)).toEqual(withoutIds(example.answer));
  });

  it.each(curls)('%s', async (line) => {
    const campaign = (await server.query('{ campaign(name: "CryptoCore") { id } }')).campaign.id;
    const command = line.replaceAll('http://127.0.0.1:4000', server.url).replaceAll('<global ID>', campaign);
    const dir = mkdtempSync(path.join(tmpdir(), 'readme-'));
    try {
      // As a user's shell runs it; --fail makes an HTTP error fail the command too. Asynchronously:
      // the server answering it runs in this process.
      const { stdout: output } = await promisify(execFile)(
        'bash',
        ['-c', command.replace(/^curl /, 'curl --fail --show-error ')],
        { cwd: dir, encoding: 'utf8', timeout: 60_000 },
      );
      if (!command.includes('>')) expect(() => JSON.parse(output)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
