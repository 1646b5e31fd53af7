// The committed typed SDK is what GraphQL Code Generator makes of schema.graphql and the operations.
// (Kept apart from schema.test.ts: code generation loads its own copy of graphql.)
import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config, { sdkOutput } from '../codegen.js';

describe('committed SDK', () => {
  it('is generated from the current schema and operations (run `npm run codegen`)', async () => {
    const [output] = await generate({ ...config, silent: true }, false);
    expect(output.filename).toBe(sdkOutput);
    expect(await readFile(sdkOutput, 'utf8')).toBe(output.content);
  });
});
