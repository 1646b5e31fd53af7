import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One copy of graphql for the tests and the libraries they load: graphql 16 has no "exports" map, so
// Node gives @pothos/core and yoga its CommonJS build, and the tests' own imports must get the same
// one ("Cannot use GraphQLObjectType from another module or realm" otherwise).
const graphqlCjs = fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url));

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each file starts its own server and database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
