// Sources from real references of the shipped files: one per document (canonical URLs), ATT&CK's
// citation lines read as title, authors and date, publishers from the reviewed hosts table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { citationAuthors, parseCitation } from '../../src/ingest/citations.js';
import { publisherOfUrl, publishersFile, withPublishers } from '../../src/write/publishers.js';
import { canonicalUrl, dateInUrl, hostOf } from '../../src/write/source-urls.js';

describe('canonical URLs', () => {
  it('folds scheme, www., a trailing slash, fragments and tracking parameters; keeps what selects a document', () => {
    const forms = [
      'http://www.clearskysec.com/cryptocore/',
      'https://www.clearskysec.com/cryptocore',
      'https://clearskysec.com/cryptocore/#top',
      'https://WWW.ClearSkySec.com/cryptocore/?utm_source=twitter&utm_medium=social',
      'https://web.archive.org/web/20200701000000/https://www.clearskysec.com/cryptocore/',
    ];
    expect(new Set(forms.map(canonicalUrl))).toEqual(new Set(['clearskysec.com/cryptocore']));
    // The path's case and a query that selects the document stay: they can name another document.
    expect(canonicalUrl('https://example.org/Report?id=2')).toBe('example.org/Report?id=2');
    expect(canonicalUrl('https://example.org/report?id=2')).not.toBe(canonicalUrl('https://example.org/report?id=3'));
    expect(canonicalUrl('https://www.clearskysec.com/?p=3579')).toBe('clearskysec.com/?p=3579');
    expect(canonicalUrl('not a url ')).toBe('not a url');
  });

  it('reads a permalink date, never a lone year', () => {
    expect(
      dateInUrl('https://www.welivesecurity.com/2020/06/17/operation-interception-aerospace-military-lazarus/'),
    ).toEqual({
      publishedOn: '2020-06-17',
      precision: 'DAY',
    });
    expect(dateInUrl('https://blog.talosintelligence.com/2018/05/VPNFilter.html')).toEqual({
      publishedOn: '2018-05-01',
      precision: 'MONTH',
    });
    expect(dateInUrl('https://securelist.com/apt-trends-report-q2-2020/97937/')).toBeNull();
    expect(dateInUrl('https://example.org/2020/13/x')).toBeNull();
  });

  it('gives an archived copy its original host', () => {
    expect(hostOf('https://web.archive.org/web/20160226161828/http://www.fireeye.com/blog/x.html')).toBe('fireeye.com');
    expect(hostOf('mailto:x')).toBe('');
  });
});

describe('ATT&CK citations', () => {
  it('reads title, authors and date from real lines of the shipped file', () => {
    expect(
      parseCitation(
        'Beek, C. (2020, November 5). Operation North Star: Behind The Scenes. Retrieved December 20, 2021.',
      ),
    ).toEqual({
      authors: ['Beek, C.'],
      title: 'Operation North Star: Behind The Scenes',
      publishedOn: '2020-11-05',
      precision: 'DAY',
    });
    expect(
      parseCitation(
        "ClearSky Cyber Security. (2020, August 13). Operation 'Dream Job' Widespread North Korean Espionage Campaign. Retrieved December 20, 2021.",
      ),
    ).toEqual({
      authors: ['ClearSky Cyber Security'],
      title: "Operation 'Dream Job' Widespread North Korean Espionage Campaign",
      publishedOn: '2020-08-13',
      precision: 'DAY',
    });
    expect(parseCitation('Carl Hurd 2019, March 26 VPNFilter Deep Dive Retrieved. 2019/03/28 ')).toEqual({
      authors: ['Carl Hurd'],
      title: 'VPNFilter Deep Dive',
      publishedOn: '2019-03-26',
      precision: 'DAY',
    });
  });

  it('keeps n.d. as unknown and a month or a year with its precision', () => {
    const undated = parseCitation(
      "Kaspersky Lab's Global Research & Analysis Team. (n.d.). The Darkhotel APT. Retrieved.",
    );
    expect(undated).toEqual({
      authors: ["Kaspersky Lab's Global Research & Analysis Team"],
      title: 'The Darkhotel APT',
    });
    expect(parseCitation('Falliere, N. (2011, February). W32.Stuxnet Dossier. Retrieved.')).toMatchObject({
      publishedOn: '2011-02-01',
      precision: 'MONTH',
    });
    expect(parseCitation('SecureWorks. (2019). Threat Profiles. Retrieved.')).toMatchObject({
      publishedOn: '2019-01-01',
      precision: 'YEAR',
    });
    expect(parseCitation('no citation here')).toBeNull();
  });

  it('splits people, keeps an organisation whole', () => {
    expect(citationAuthors('Hinchliffe, A. and Falcone, R.')).toEqual(['Hinchliffe, A.', 'Falcone, R.']);
    expect(citationAuthors('Haq, T., Moran, N., Scott, M., & Vashisht, S. O.')).toEqual([
      'Haq, T.',
      'Moran, N.',
      'Scott, M.',
      'Vashisht, S. O.',
    ]);
    expect(citationAuthors('Microsoft Threat Intelligence Center (MSTIC).')).toEqual([
      'Microsoft Threat Intelligence Center (MSTIC)',
    ]);
  });

  it('reads a date from every citation of the shipped ATT&CK file that states one', () => {
    const bundle = JSON.parse(
      readFileSync('seeds/datasets/mitre-attack/enterprise-attack-18.1-actors-subset.stix21.json', 'utf8'),
    );
    const lines = new Set<string>();
    for (const o of bundle.objects)
      for (const r of o.external_references ?? []) if (r.description && r.url) lines.add(r.description);
    const stated = [...lines].filter((l) => /\((19|20)\d{2}[,)]/.test(l) || /^\D+ (19|20)\d{2}, [A-Z][a-z]+/.test(l));
    expect(stated.length).toBeGreaterThan(1500);
    expect(stated.filter((l) => !parseCitation(l)?.publishedOn)).toEqual([]);
  });
});

describe('publishers from the reviewed hosts table', () => {
  it('names the organisation of a host or of its nearest listed parent domain', () => {
    expect(publisherOfUrl('https://www.clearskysec.com/cryptocore/')?.name).toBe('ClearSky Cyber Security');
    expect(publisherOfUrl('https://unit42.paloaltonetworks.com/x/')?.name).toBe('Palo Alto Networks');
    expect(publisherOfUrl('https://securelist.com/lazarus-under-the-hood/77908/')?.name).toBe('Kaspersky');
    expect(publisherOfUrl('https://web.archive.org/web/2019/https://www.fireeye.com/blog/x.html')?.key).toBe('fireeye');
  });

  it('leaves hosts that serve anyone’s documents, and unknown hosts, without publisher', () => {
    for (const url of [
      'https://github.com/someone/report',
      'https://medium.com/@someone/post',
      'https://twitter.com/someone/status/1',
      'https://en.wikipedia.org/wiki/Lazarus_Group',
      'https://unknown-blog.example/post',
    ])
      expect(publisherOfUrl(url)).toBeNull();
  });

  it('lists every organisation a host names, and no host twice', () => {
    const text = readFileSync(publishersFile, 'utf8');
    const table = parse(text);
    const keys = new Set(table.organizations.map((o: { key: string }) => o.key));
    expect(keys.size).toBe(table.organizations.length);
    expect(Object.values(table.hosts).filter((k) => !keys.has(k as string))).toEqual([]);
    const hostLines = text.split('\n').filter((l) => /^ {2}[a-z0-9.-]+:/.test(l));
    expect(new Set(hostLines.map((l) => l.split(':')[0])).size).toBe(hostLines.length);
  });

  it('adds a publisher only where a source has none', () => {
    const doc = withPublishers({
      dataset: 'test',
      organizations: [],
      sources: [
        { key: 'a', title: 'A', url: 'https://www.clearskysec.com/x/', kind: 'REPORT' },
        { key: 'b', title: 'B', url: 'https://www.clearskysec.com/y/', kind: 'REPORT', publisher: 'someone' },
        { key: 'c', title: 'C', url: 'https://github.com/x', kind: 'REPORT' },
      ],
    } as never);
    expect(doc.sources.map((s) => s.publisher)).toEqual(['clearsky', 'someone', undefined]);
    expect(doc.organizations.map((o) => o.key)).toEqual(['clearsky']);
  });
});
