// The error-code registry (src/errors.ts) is the whole list: every code the source emits is in it,
// every code in it is emitted somewhere, and the README's table is the registry's.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/errors.js';

const root = path.resolve(import.meta.dirname, '../..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return rel === 'src/generated' || rel === 'src/sdk' ? [] : sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });

/** Every way the code gives an error its code (a new way needs a pattern here). */
const emitting = [
  /userError\(\s*'([A-Z_]+)'/g,
  /errorBody\(\s*'([A-Z_]+)'/g,
  /refuse\(\s*req,\s*res,\s*'([A-Z_]+)'/g,
  /code:\s*'([A-Z_]+)'/g,
  /coded\('([A-Z_]+)'\)/g,
  /\['(QUERY_TOO_[A-Z]+)'/g,
];

function emittedCodes() {
  const found = new Map<string, string>();
  for (const file of sourceFiles('src')) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const pattern of emitting) for (const m of text.matchAll(pattern)) found.set(m[1], file);
  }
  return found;
}

/** The README's table, as the registry gives it. */
const readmeTable = () =>
  [
    '| code | HTTP status | meaning |',
    '|---|---|---|',
    ...Object.entries(errorCodes).map(([code, spec]) => `| \`${code}\` | ${spec.status ?? '–'} | ${spec.meaning} |`),
  ].join('\n');

describe('error codes', () => {
  it('every code the source emits is in the registry', () => {
    const unknown = [...emittedCodes()].filter(([code]) => !(code in errorCodes));
    expect(unknown, 'add these to src/errors.ts').toEqual([]);
  });
  it('every code in the registry is emitted somewhere', () => {
    const emitted = emittedCodes();
    expect(Object.keys(errorCodes).filter((code) => !emitted.has(code))).toEqual([]);
    expect(emitted.size).toBeGreaterThan(20);
  });
  it("the README's table of codes is the registry's", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme.includes(readmeTable()), `README.md must hold this table:\n${readmeTable()}`).toBe(true);
  });
});
