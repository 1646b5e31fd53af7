// Mutations of the shape `<field>(input: $i) { id }`, as one API key, that must succeed: how tests set
// up the claims they then read (an AMBER claim to hide, a victim to count).
import { expect } from 'vitest';
import type { InProcess } from './in-process.js';

/** `m('recordTargeting', {...})` as `key`: the new record's global ID (a test failure naming the field otherwise). */
export const mutator = (server: InProcess, key: string) => async (field: string, input: object) => {
  const r = await server.raw<any>(
    `mutation($i: ${field[0].toUpperCase()}${field.slice(1)}Input!) { ${field}(input: $i) { id } }`,
    { i: input },
    key,
  );
  expect(r.errors, field).toBeUndefined();
  return r.data[field].id as string;
};
