// What the write layer NOTIFYs other processes of (src/database/graph-changes.ts): the touched entities'
// IDs, split under PostgreSQL's 8000-byte limit, each payload naming the instance that announced it, so
// that an instance does not hear its own writes a second time (it applied them at commit).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeOfPayload, changePayloads } from '../../src/database/graph-changes.js';
import type { Db } from '../../src/db.js';
import { encodeId } from '../../src/global-id.js';
import {
  anyWordsTag,
  listsTag,
  namesTag,
  searchWordsTag,
  Touched,
  textWordsTags,
  wordsTag,
} from '../../src/write/touched.js';
import type { Tx } from '../../src/write/transaction.js';

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

describe('words tags (an edit of a description drops the searches its words may match)', () => {
  it('travel to other instances', () => {
    const [one, two] = [instance(), instance()];
    const payloads = changePayloads(one, { entities: [actor(1), wordsTag('apt'), anyWordsTag] });
    expect(changeOfPayload(two, payloads[0])).toEqual({ entities: [actor(1), wordsTag('apt'), anyWordsTag, listsTag] });
  });

  it('a search is tagged by one of its words, as a description holding every word must hold that one', () => {
    expect(searchWordsTag('Hidden Cobra')).toEqual(wordsTag('hid'));
    expect(searchWordsTag('a lazarus')).toEqual(wordsTag('laz'));
    expect(searchWordsTag('ab')).toEqual(anyWordsTag);
    expect(searchWordsTag('Šarkan')).toEqual(wordsTag('sar'));
    expect(searchWordsTag('日本語')).toEqual(anyWordsTag);
  });

  it("a text drops its words' first letters, inside words too, and every search when it is not ASCII", () => {
    const tags = textWordsTags('APT28 uses X-Agent; see https://example.org/report-2020.').map((t) => t.id);
    for (const prefix of ['apt', 'age', 'use', 'exa', 'rep', '202']) expect(tags).toContain(`words:${prefix}`);
    expect(tags).toContain('words:*');
    expect(tags).not.toContain('words:laz');
    expect(textWordsTags('Café Bear').map((t) => t.id)).toEqual(['words:*']);
  });

  it('an edit of a description alone touches the record and words; any other change, every search', async () => {
    const tx = {} as Tx;
    const before = {
      id: uuids[0],
      name: 'Quiet Owl',
      description: 'Seen in 2019.',
      searchText: 'quiet owl seen in 2019.',
      version: 1,
    };
    const described = new Touched();
    described.change('Actor', before, {
      ...before,
      description: 'Phishing lures.',
      searchText: 'quiet owl phishing lures.',
      version: 2,
    });
    const change = await described.entities(tx);
    const ids = change === 'everything' ? [] : change.entities.map((e) => e.id);
    expect(ids).toContain(encodeId('Actor', uuids[0]));
    expect(ids).toEqual(expect.arrayContaining(['words:phi', 'words:lur', 'words:see', 'words:201', 'words:*']));
    expect(ids).not.toContain('names');
    const renamed = new Touched();
    renamed.change('Actor', before, { ...before, name: 'Loud Owl', searchText: 'loud owl seen in 2019.', version: 2 });
    const rename = await renamed.entities(tx);
    expect(rename === 'everything' ? [] : rename.entities.map((e) => e.id)).toContain('names');
  });

  it("an import's rows written in part (description and the dataset's date) touch the record and words, not the lists of its type; without an id, the lists too", async () => {
    const tx = {} as Tx;
    const ids = async (before: object, after: object) => {
      const touched = new Touched();
      touched.change('Actor', before, after);
      const change = await touched.entities(tx);
      return change === 'everything' ? [] : change.entities.map((e) => e.id);
    };
    const before = { id: uuids[0], description: 'Run 0 of the feed.', modifiedAt: '2026-01-01T00:00:00.000Z' };
    const after = { id: uuids[0], description: 'Run 1 with wipers.', modifiedAt: '2026-01-02T00:00:00.000Z' };
    const partial = await ids(before, after);
    expect(partial).toEqual(expect.arrayContaining([encodeId('Actor', uuids[0]), 'words:wip', 'words:fee']));
    expect(partial).not.toContain('lists:Actor');
    expect(partial).not.toContain('names');
    // The search text written after it: the words of the old and new texts.
    expect(await ids({ id: uuids[0], searchText: 'owl run 0' }, { id: uuids[0], searchText: 'owl wipers' })).toEqual(
      expect.arrayContaining(['words:wip', 'words:run']),
    );
    const { id: _, ...anonymousBefore } = before;
    const { id: __, ...anonymousAfter } = after;
    expect(await ids(anonymousBefore, anonymousAfter)).toEqual(expect.arrayContaining(['lists:Actor', 'names']));
  });
});
