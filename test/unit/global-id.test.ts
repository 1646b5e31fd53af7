// The one global-ID codec, tested directly.
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeId, encodeId, idOf } from '../../src/global-id.js';

const uuid = '0c56ffcc-b170-40be-9d86-471a9d3ee9e6';
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as GraphQLError).extensions?.code;
  }
  return 'no error';
};

describe('global IDs', () => {
  it('encode as Pothos does, and decode back', () => {
    expect(encodeId('Actor', uuid)).toBe(encodeGlobalID('Actor', uuid));
    expect(decodeId(encodeId('Actor', uuid))).toEqual({ typename: 'Actor', id: uuid });
  });
  it.each([
    ['not base64 of a type and uuid', 'not-an-id'],
    ['a type and no uuid', encodeId('Actor', '123')],
    ['no type', Buffer.from(`:${uuid}`).toString('base64')],
    ['a type that is not a name', encodeId('Act or', uuid)],
    ['base64 that re-encodes otherwise', `${encodeId('Actor', uuid)}\n`],
    ['nothing', ''],
  ])('refuse %s with INVALID_ID', (_what, id) => expect(codeOf(() => decodeId(id))).toBe('INVALID_ID'));
  it('idOf checks the type and names the field', () => {
    expect(idOf(encodeId('Tool', uuid), ['Actor', 'Tool'], 'input.owner')).toEqual({ type: 'Tool', id: uuid });
    let error: GraphQLError | undefined;
    try {
      idOf(encodeId('Campaign', uuid), ['Actor'], 'input.actor');
    } catch (e) {
      error = e as GraphQLError;
    }
    expect(error?.extensions.code).toBe('INVALID_ID');
    expect(error?.message).toBe('"input.actor" must be the ID of a actor, not of a campaign.');
    expect(error?.extensions.field).toBe('input.actor');
  });
});
