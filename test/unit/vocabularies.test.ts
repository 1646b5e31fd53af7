// STIX open vocabularies: every dataset word becomes the term the reviewed table maps it to, or a
// custom term folded the way terms are written. Words from the shipped files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/database/migrations.js';
import {
  foldWord,
  termOf,
  termsOf,
  vocabularies,
  vocabulariesFile,
  vocabularyKinds,
  withVocabularyTerms,
} from '../../src/write/vocabularies.js';

describe('vocabulary terms', () => {
  it('keeps a term, in any case and spacing, and folds a word that names one ("Financial services")', () => {
    expect(termOf('industry-sector', 'Financial services')).toEqual({ term: 'financial-services', custom: false });
    expect(termOf('industry-sector', 'FINANCIAL-SERVICES').term).toBe('financial-services');
    expect(termOf('malware-type', 'Backdoor')).toEqual({ term: 'backdoor', custom: false });
  });

  it('maps the words the table lists: a region, a sector, a malware type, a tool type', () => {
    expect(termOf('region', 'Southeast Asia')).toEqual({ term: 'south-eastern-asia', custom: false }); // MISP
    expect(termOf('industry-sector', 'Government, Administration')).toEqual({ term: 'government', custom: false });
    expect(termOf('industry-sector', 'Telecomms').term).toBe('telecommunications');
    expect(termOf('malware-type', 'RAT')).toEqual({ term: 'remote-access-trojan', custom: false });
    expect(termOf('malware-type', 'miner').term).toBe('resource-exploitation');
    expect(termOf('tool-type', 'credential-dumper')).toEqual({ term: 'credential-exploitation', custom: false });
    expect(termOf('tool-type', 'exploitation framework').term).toBe('exploitation');
  });

  it('keeps any other word as a custom term, lower-case and hyphenated', () => {
    expect(termOf('industry-sector', 'Cryptocurrency exchanges')).toEqual({
      term: 'cryptocurrency-exchanges',
      custom: true,
    });
    expect(termOf('region', 'Middle East')).toEqual({ term: 'middle-east', custom: true });
    expect(termOf('malware-type', 'exploitation framework')).toEqual({ term: 'exploitation-framework', custom: true });
    expect(termOf('attack-motivation', 'Financial gain')).toEqual({ term: 'financial-gain', custom: true });
    expect(foldWord('  Pro-democracy and human rights: political organizations ')).toBe(
      'pro-democracy-and-human-rights-political-organizations',
    );
  });

  it('folds repeats and keeps order', () => {
    expect(termsOf('malware-type', ['RAT', 'backdoor', 'Remote Access Tool', 'rat'])).toEqual([
      'remote-access-trojan',
      'backdoor',
    ]);
  });

  it('reads a tool’s types in its kind’s vocabulary, and a region victim’s region from its name', () => {
    expect(withVocabularyTerms('Tool', { kind: 'TOOL', malwareTypes: ['RAT'] }).malwareTypes).toEqual([
      'remote-access',
    ]);
    expect(withVocabularyTerms('Tool', { kind: 'MALWARE', malwareTypes: ['RAT'] }).malwareTypes).toEqual([
      'remote-access-trojan',
    ]);
    expect(withVocabularyTerms('Victim', { name: 'North America', kind: 'REGION', sector: null })).toMatchObject({
      region: 'northern-america',
    });
    expect(withVocabularyTerms('Victim', { name: 'Finance', kind: 'SECTOR', sector: 'finance' })).toMatchObject({
      sector: 'financial-services',
      region: null,
    });
  });

  const enumsFile = path.join(projectRoot, '../shared/tools/stix-clients/lib/stix2validator/v21/enums.py');
  it.runIf(existsSync(enumsFile))('the table: terms as the OASIS validator lists them, each word folded', () => {
    const enums = readFileSync(enumsFile, 'utf8');
    const listed = (name: string) =>
      [...(new RegExp(`${name} = \\[([^\\]]*)\\]`).exec(enums)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    const names = {
      region: 'REGION_OV',
      'industry-sector': 'INDUSTRY_SECTOR_OV',
      'malware-type': 'MALWARE_TYPE_OV',
      'tool-type': 'TOOL_TYPE_OV',
      'attack-motivation': 'ATTACK_MOTIVATION_OV',
      'attack-resource-level': 'ATTACK_RESOURCE_LEVEL_OV',
    } as const;
    for (const kind of vocabularyKinds) {
      expect([...vocabularies()[kind].terms], kind).toEqual(listed(names[kind]));
      for (const [word, term] of vocabularies()[kind].words) {
        expect(foldWord(word), `${kind}: ${word}`).toBe(word);
        expect(foldWord(term), `${kind}: ${word} → ${term}`).toBe(term);
      }
    }
    expect(Object.keys(parse(readFileSync(vocabulariesFile, 'utf8')).vocabularies)).toEqual([...vocabularyKinds]);
  });
});
