// The response cache's guard against storing an answer computed across a write (src/response-cache.ts):
// only the changes heard since the miss that touched what the answer holds keep it from being stored.
import { describe, expect, it } from 'vitest';
import { ChangesHeard } from '../../src/response-cache.js';
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
