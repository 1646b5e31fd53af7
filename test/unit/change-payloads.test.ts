// What the write layer NOTIFYs other processes of (src/database/graph-changes.ts): the touched entities'
// IDs, split under PostgreSQL's 8000-byte limit, each payload naming the instance that announced it, so
// that an instance does not hear its own writes a second time (it applied them at commit).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeOfPayload, changePayloads } from '../../src/database/graph-changes.js';
import type { Db } from '../../src/db.js';
import { encodeId } from '../../src/global-id.js';
import { listsTag, namesTag } from '../../src/write/touched.js';

const instance = () => ({}) as Db;
const uuids = Array.from({ length: 800 }, () => randomUUID());
const actor = (n: number) => ({ typename: 'Actor', id: encodeId('Actor', uuids[n]) });

describe('change payloads', () => {
  it('another instance reads the touched entities back; the announcing one hears nothing', () => {
    const [one, two] = [instance(), instance()];
    const payloads = changePayloads(one, { entities: [actor(1), actor(2), namesTag, listsTag] });
    expect(payloads).toHaveLength(1);
    expect(payloads.map((p) => changeOfPayload(one, p))).toEqual([null]);
    expect(changeOfPayload(two, payloads[0])).toEqual({ entities: [actor(1), actor(2), namesTag, listsTag] });
  });

  it('a long list goes in several payloads under the limit, each naming its instance', () => {
    const [one, two] = [instance(), instance()];
    const entities = Array.from({ length: 800 }, (_, i) => actor(i));
    const payloads = changePayloads(one, { entities });
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const heard = payloads.flatMap((p) => {
      const change = changeOfPayload(two, p);
      return change === 'everything' || !change ? [] : change.entities.filter((e) => e !== listsTag);
    });
    expect(heard).toEqual(entities);
    expect(payloads.every((p) => changeOfPayload(one, p) === null)).toBe(true);
  });

  it('"anything may have changed": from another instance, from a trigger (empty) or unreadable', () => {
    const [one, two] = [instance(), instance()];
    const everything = changePayloads(one, 'everything');
    expect(changeOfPayload(two, everything[0])).toBe('everything');
    expect(changeOfPayload(one, everything[0])).toBeNull();
    expect(changeOfPayload(two, '')).toBe('everything');
    expect(changeOfPayload(two, undefined)).toBe('everything');
    expect(changeOfPayload(two, 'other;not-a-global-id')).toBe('everything');
  });
});
