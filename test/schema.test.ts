// schema.graphql, committed for clients and code generators, is the schema the server runs.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../src/schema/index.js';

describe('committed schema', () => {
  it('schema.graphql is the printed schema (run `npm run schema:print`)', async () => {
    expect(await readFile('schema.graphql', 'utf8')).toBe(printedSchema());
  });
});
