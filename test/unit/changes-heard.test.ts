// The response cache's guard against storing an answer computed across a write (src/response-cache.ts):
// only the changes heard since the miss that touched what the answer holds keep it from being stored.

import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { describe, expect, it } from 'vitest';
import { answerKeyOf, ChangesHeard, Flights, rootTags } from '../../src/response-cache.js';
import { listsTag } from '../../src/write/touched.js';

const actor = (id: string) => ({ typename: 'Actor', id });

describe('ChangesHeard', () => {
  it('keeps an answer computed across a change to something else, not across one to what it holds', () => {
    const heard = new ChangesHeard();
    const missed = heard.latest;
    heard.add({ entities: [actor('B'), listsTag] });
    expect(heard.touchedSince(missed, [actor('A')])).toBe(false);
    expect(heard.touchedSince(missed, [actor('A'), actor('B')])).toBe(true);
    // A list's answer goes with every write.
    expect(heard.touchedSince(missed, [actor('A'), listsTag])).toBe(true);
    // An empty list records its type: any change to that type touches it.
    expect(heard.touchedSince(missed, [{ typename: 'Actor' }])).toBe(true);
    expect(heard.touchedSince(heard.latest, [actor('B')])).toBe(false);
  });

  it('a change whose reach is unknown touches every answer, and a forgotten one counts as touching', () => {
    const heard = new ChangesHeard();
    const missed = heard.latest;
    heard.add('everything');
    expect(heard.touchedSince(missed, [actor('A')])).toBe(true);
    const old = heard.latest;
    for (let i = 0; i < 1001; i++) heard.add({ entities: [actor(`other ${i}`)] });
    expect(heard.touchedSince(old, [actor('A')])).toBe(true);
  });
});

describe('Flights (requests waiting for an answer another is computing)', () => {
  it('the requests asking meanwhile get the answer the first kept', async () => {
    const flights = new Flights();
    flights.start('answer#1', 7);
    expect(flights.computing('answer#1')).toBe(true);
    expect(flights.computing('answer#2')).toBe(false);
    const waiting = flights.of('answer');
    expect(flights.finishing('answer#1')).toBe(7);
    flights.finish('answer#1', { data: 1 });
    expect(await waiting).toEqual({ data: 1 });
    expect(flights.of('answer')).toBeUndefined();
    expect(flights.computing('answer#1')).toBe(false);
  });

  it('an answer not kept sends them to ask again; only the first request finishes the wait', async () => {
    const flights = new Flights();
    flights.start('answer#1', 0);
    // A second request computing the same answer (it asked again) does not take the wait over.
    flights.start('answer#2', 0);
    const waiting = flights.of('answer');
    flights.finish('answer#2', { data: 2 });
    expect(flights.of('answer')).toBe(waiting);
    flights.finish('answer#1', undefined);
    expect(await waiting).toBeUndefined();
  });
});

describe('answerKeyOf', () => {
  it('is the key @envelop/response-cache would make (answers kept by another version are found)', async () => {
    const params = {
      documentString: '{ actors(first: 3) { nodes { name } } }',
      operationName: 'Q',
      variableValues: { b: 2, a: [1, { c: 'x' }] },
      sessionId: 'anonymous:CLEAR',
    };
    expect(answerKeyOf(params)).toBe(await defaultBuildResponseCacheKey(params as never));
    expect(answerKeyOf({ ...params, variableValues: { a: [1, { c: 'x' }], b: 2 } })).toBe(answerKeyOf(params));
    expect(answerKeyOf({ ...params, sessionId: 'anonymous:RED' })).not.toBe(answerKeyOf(params));
  });
});

describe('rootTags (what besides its entities drops an answer)', () => {
  const ids = (document: string, variables?: Record<string, unknown>) =>
    rootTags(document, null, variables).map((t) => t.id);
  it('a plain page of one type carries its type; a filtered or ordered list, any write', () => {
    expect(ids('{ actors(first: 10) { nodes { name } } }')).toEqual(['lists:Actor']);
    expect(ids('query($n: Int) { tools(first: $n, after: "x", includeRevoked: true) { totalCount } }')).toEqual([
      'lists:Tool',
    ]);
    expect(ids('{ actors(first: 10, filter: { originCountry: "KP" }) { totalCount } }')).toEqual(['lists']);
    expect(ids('{ actors(first: 10, orderBy: { field: FIRST_SEEN }) { totalCount } }')).toEqual(['lists']);
    expect(ids('{ sources(first: 10) { totalCount } }')).toEqual(['lists']);
    expect(ids('{ node(id: "x") { id } }')).toEqual([]);
  });

  it('a search carries the names tag and its words tag, from a literal or a variable', () => {
    expect(ids('{ search(query: "Hidden Cobra") { totalCount } }')).toEqual(['names', 'words:hid']);
    expect(ids('query($q: String!) { search(query: $q) { totalCount } }', { q: 'lazarus' })).toEqual([
      'names',
      'words:laz',
    ]);
    expect(ids('query($q: String!) { search(query: $q) { totalCount } }')).toEqual(['names', 'words:*']);
    expect(ids('{ actor(name: "Lazarus Group") { id } }')).toEqual(['names']);
  });
});
