// Every mutation is defined under its own name, written out (`builder.mutationField('createActor', …)`),
// so that `git grep "'createActor'"` finds its definition: no name is built from a template.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const schemaDir = path.join(root, 'src/schema');
const source = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(path.join(schemaDir, f), 'utf8'))
  .join('\n');
const mutations = Object.keys(
  buildSchema(readFileSync(path.join(root, 'schema.graphql'), 'utf8'))
    .getMutationType()
    ?.getFields() ?? {},
);

describe('mutation names', () => {
  it('the schema has its mutations', () => expect(mutations.length).toBeGreaterThan(30));
  it.each(mutations)('%s is defined by name', (name) => {
    expect(source.match(new RegExp(`builder\\.mutationField\\('${name}'`, 'g'))).toHaveLength(1);
  });
});
