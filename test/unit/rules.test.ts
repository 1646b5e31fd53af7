// The write layer's shared rules, tested directly (no server, no database).
import { describe, expect, it } from 'vitest';
import {
  confidenceFromLabel,
  keyPattern,
  newClaimKey,
  newId,
  normalizeName,
  searchTextOf,
  slug,
  sourceKeyOfUrl,
} from '../../src/write/rules.js';

describe('normalizeName', () => {
  it.each([
    ['Dangerous Password', 'dangerouspassword'],
    ['DANGEROUS-PASSWORD', 'dangerouspassword'],
    ['  dangerous_password!', 'dangerouspassword'],
    ['Équipe Café', 'equipecafe'],
    ['ＡＰＴ３８', 'apt38'], // full-width forms fold
    ['Лазарь Групп', 'лазарьгрупп'], // letters of every script are kept
    ['--- ...', ''],
  ])('%j → %j', (value, normalized) => expect(normalizeName(value)).toBe(normalized));
});

describe('slug', () => {
  it('makes a key of lower-case words joined by dashes', () => {
    expect(slug('Dangerous Password')).toBe('dangerous-password');
    expect(slug('  Lazarus Group (APT38) ')).toBe('lazarus-group-apt38');
    expect(keyPattern.test(slug('Dangerous Password'))).toBe(true);
  });
  it('bounds the length and stands in for names with no a-z letter or digit', () => {
    expect(slug('a'.repeat(300))).toHaveLength(120);
    expect(slug('라자루스')).toBe('record');
    // MISP's keys were made so and stay so (keys are stable across imports).
    expect(slug('b'.repeat(300), { maxLength: 80, empty: 'x' })).toHaveLength(80);
    expect(slug('라자루스', { maxLength: 80, empty: 'x' })).toBe('x');
  });
});

describe('keyPattern', () => {
  it.each(['lazarus-group', 'intrusion-set--0a3e2c1b', 'misp:apt-38', 'a', 'g0032_v2'])('accepts %j', (key) =>
    expect(keyPattern.test(key)).toBe(true),
  );
  it.each(['', '-lead', 'Upper', 'with space', 'a'.repeat(201), 'ü'])('refuses %j', (key) =>
    expect(keyPattern.test(key)).toBe(false),
  );
});

describe('confidenceFromLabel', () => {
  it.each([
    ['Low', 15],
    ['medium', 50],
    ['MEDIUM-HIGH', 68],
    ['Med', 50],
    ['med high', 68],
    ['very likely', 87],
    ['almost-certain', 97],
    ['perhaps', null],
    [null, null],
    ['', null],
  ])('%j → %j', (label, value) => expect(confidenceFromLabel(label)).toBe(value));
});

describe('ids and keys', () => {
  it('new ids are time-ordered: ids made one after another sort in the order made', () => {
    const ids = Array.from({ length: 200 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(200);
  });
  it("a new claim's key is a STIX relationship id", () => {
    expect(newClaimKey()).toMatch(
      /^relationship--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(keyPattern.test(newClaimKey())).toBe(true);
  });
  it('search text is the display name and description, lower-cased', () => {
    expect(searchTextOf('CryptoCore', 'Hot Wallets')).toBe('cryptocore hot wallets');
    expect(searchTextOf('CryptoCore', null)).toBe('cryptocore ');
  });
});

describe('sourceKeyOfUrl', () => {
  it('gives one URL one key, stable across versions (datasets already in databases hold these keys)', () => {
    expect(sourceKeyOfUrl('https://www.clearskysec.com/cryptocore/')).toBe('ref-c993a460ba631a3164bf8f0b');
    expect(sourceKeyOfUrl('https://www.clearskysec.com/cryptocore/')).not.toBe(
      sourceKeyOfUrl('https://www.clearskysec.com/cryptocore'),
    );
    expect(keyPattern.test(sourceKeyOfUrl('https://example.org/a?b=c#d'))).toBe(true);
  });
});
