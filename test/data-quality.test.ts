// Data quality on the default seeded database (curated + ATT&CK + MISP), with real objects of the
// shipped files: sources one per document with publisher, title and date; a search that ranks exact
// names first; activity filters that leave out what is undated.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actorsNotFoundFirst,
  claimFigures,
  qualityReport,
  sourceFigures,
  vocabularyFigures,
} from '../src/data-quality.js';
import { projectRoot } from '../src/database/migrations.js';
import { exportAll } from '../src/export/stix.js';
import { vocabularies } from '../src/write/vocabularies.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

let server: InProcess;
beforeAll(async () => {
  server = await inProcess({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
});
afterAll(() => server?.stop());

describe(`sources (${databaseLabel})`, () => {
  it('stores each document once, whatever form of its URL a dataset gave', async () => {
    const twice = await server.prisma.source.groupBy({
      by: ['canonicalUrl'],
      where: { canonicalUrl: { not: null } },
      having: { canonicalUrl: { _count: { gt: 1 } } },
      _count: { canonicalUrl: true },
    });
    expect(twice).toEqual([]);
    // ATT&CK cites Google TAG's Conti report with a trailing slash, MISP without; ATT&CK cites Symantec's
    // Buckeye post by its address, MISP also by its Wayback Machine copy.
    for (const canonicalUrl of [
      'blog.google/threat-analysis-group/exposing-initial-access-broker-ties-conti',
      'symantec.com/connect/blogs/buckeye-cyberespionage-group-shifts-gaze-us-hong-kong',
    ]) {
      const stored = await server.prisma.source.findMany({ where: { canonicalUrl }, select: { title: true } });
      expect(stored, canonicalUrl).toHaveLength(1);
    }
  });

  it('answers "which reports did ClearSky publish?" with every clearskysec.com document', async () => {
    const data = await server.query(`{
      organizations(first: 100) { nodes { id key name } }
      byHost: sources(filter: { host: "clearskysec.com" }) { totalCount }
      dreamJob: sources(filter: { query: "dream job widespread" }) { nodes { title authors publishedOn publishedPrecision publisher { name } } }
    }`);
    const clearsky = data.organizations.nodes.find((o: any) => o.key === 'clearsky');
    const published = await server.query(`query($p: ID!) { sources(filter: { publisher: $p }) { totalCount } }`, {
      p: clearsky.id,
    });
    expect(data.byHost.totalCount).toBeGreaterThanOrEqual(25);
    expect(published.sources.totalCount).toBe(data.byHost.totalCount);
    // ATT&CK's citation "ClearSky Research Team. (2020, August 13). Operation 'Dream Job' Widespread North
    // Korean Espionage Campaign. Retrieved December 20, 2021."
    expect(data.dreamJob.nodes).toContainEqual({
      title: "Operation 'Dream Job' Widespread North Korean Espionage Campaign",
      authors: ['ClearSky Research Team'],
      publishedOn: '2020-08-13',
      publishedPrecision: 'DAY',
      publisher: { name: 'ClearSky Cyber Security' },
    });
  });

  it('has a publisher for at least 80 % of sources, and no publisher for hosts the table does not list', async () => {
    const figures = await sourceFigures(server.prisma);
    expect(figures.withPublisher / figures.total).toBeGreaterThanOrEqual(0.8);
    const github = await server.query(`{ sources(filter: { host: "medium.com", hasPublisher: true }) { totalCount } }`);
    expect(github.sources.totalCount).toBe(0);
    const without = await server.query(`{ sources(filter: { hasPublisher: false }) { totalCount } }`);
    expect(without.sources.totalCount).toBe(figures.total - figures.withPublisher);
  });

  it('dates every ATT&CK citation that states a date', async () => {
    const undated = await server.prisma.source.findMany({
      where: { publishedOn: null, note: { contains: ') Retrieved' } },
      select: { note: true },
    });
    const stating = undated.filter((s) => /\((19|20)\d{2}[,)]/.test(s.note ?? ''));
    expect(stating).toEqual([]);
  });
});

describe(`search ranks like a person expects (${databaseLabel})`, () => {
  const first = async (query: string) =>
    (
      await server.query(
        `query($q: String!) { search(query: $q, first: 3) { edges { score matchedName node { ... on Actor { name } ... on Campaign { name } ... on Tool { name } } } } }`,
        { q: query },
      )
    ).search.edges[0];

  it('"lazarus" finds Lazarus Group before campaigns whose description mentions it', async () => {
    expect(await first('lazarus')).toMatchObject({ node: { name: 'Lazarus Group' }, matchedName: 'Lazarus Group' });
  });

  it('"fancy bare" (a typo in one word) finds APT28 by its alias Fancy Bear', async () => {
    expect(await first('fancy bare')).toMatchObject({ node: { name: 'APT28' }, matchedName: 'Fancy Bear' });
  });

  it('every current actor’s display name finds an exact name or alias first (one in five here; all in data:report)', async () => {
    const { searched, missed } = await actorsNotFoundFirst(server.prisma, { every: 5 });
    expect(searched).toBeGreaterThan(200);
    expect(missed).toEqual([]);
  });
});

describe(`activity (${databaseLabel})`, () => {
  const active2020 = `query($undated: Boolean) { actors(filter: { activeFrom: "2020-01-01", activeTo: "2020-12-31", includeUndated: $undated }, first: 100) {
    totalCount nodes { id name activity { firstObserved lastObserved derived } } } }`;

  /** Every actor "active in 2020" (with undated ones, if asked), page by page. */
  const allNames = async (undated: boolean) => {
    const names: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await server.query(
        `query($after: String) { actors(filter: { activeFrom: "2020-01-01", activeTo: "2020-12-31", includeUndated: ${undated} }, first: 100, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { name } } }`,
        { after },
      );
      names.push(...page.actors.nodes.map((a: any) => a.name));
      after = page.actors.pageInfo.hasNextPage ? page.actors.pageInfo.endCursor : null;
    } while (after);
    return names;
  };

  it('"active in 2020" lists only actors with dated evidence in 2020; undated ones on request', async () => {
    const { actors } = await server.query(active2020);
    const all = await server.query('{ actors { totalCount } }');
    expect(actors.totalCount).toBeGreaterThan(20);
    expect(actors.totalCount).toBeLessThan(all.actors.totalCount / 4);
    for (const a of actors.nodes) {
      expect(a.activity.derived).toBe(true);
      expect(a.activity.firstObserved <= '2020-12-31' && a.activity.lastObserved >= '2020-01-01', a.name).toBe(true);
    }
    expect(actors.nodes.map((a: any) => a.name)).toContain('Lazarus Group');
    // WET PANDA (a MISP cluster with a description only: no claim, no source with a date): unknown.
    const wetPanda = await server.query(
      '{ actor(name: "WET PANDA") { name activity { firstObserved lastObserved } } }',
    );
    expect(wetPanda.actor).toEqual({ name: 'WET PANDA', activity: { firstObserved: null, lastObserved: null } });
    expect(await allNames(false)).not.toContain('WET PANDA');
    const withUndated = await allNames(true);
    expect(withUndated).toContain('WET PANDA');
    expect(withUndated.length).toBeGreaterThan(actors.totalCount);
  });

  it('Lazarus Group’s activity starts no later than its stated first seen (2009)', async () => {
    const { actor } = await server.query(
      '{ actor(name: "Lazarus Group") { firstSeen activity { firstObserved lastObserved } } }',
    );
    expect(actor.firstSeen).toBe('2009-01-01');
    expect(actor.activity.firstObserved <= '2009-01-01').toBe(true);
    expect(actor.activity.lastObserved >= '2020-01-01').toBe(true);
  });

  it('a marked claim’s dates date nothing for a caller not cleared for it', async () => {
    const admin = await server.key('ADMIN', 'RED');
    const reader = await server.key('READER', 'CLEAR');
    const active1999 = async (key: string) =>
      (
        await server.query(
          '{ actors(filter: { activeFrom: "1999-01-01", activeTo: "1999-12-31" }) { totalCount } }',
          {},
          key,
        )
      ).actors.totalCount;
    const before = { red: await active1999(admin), clear: await active1999(reader) };
    const ids = await server.query(
      `{ actor(name: "WET PANDA") { id } tools(first: 1) { nodes { id } } sources(first: 1) { nodes { id } } }`,
      {},
      admin,
    );
    await server.query(
      'mutation($i: RecordToolUsageInput!) { recordToolUsage(input: $i) { id } }',
      {
        i: {
          by: ids.actor.id,
          tool: ids.tools.nodes[0].id,
          firstObserved: '1999-05-01',
          lastObserved: '1999-06-01',
          tlp: 'RED',
          sources: [{ source: ids.sources.nodes[0].id }],
        },
      },
      admin,
    );
    const red = await server.query('{ actor(name: "WET PANDA") { activity { firstObserved } } }', {}, admin);
    expect(red.actor.activity.firstObserved).toBe('1999-05-01');
    const clear = await server.query('{ actor(name: "WET PANDA") { activity { firstObserved } } }', {}, reader);
    expect(clear.actor.activity.firstObserved).toBeNull();
    // The filter: one actor more in 1999 for RED than before the claim, none more for CLEAR.
    expect(await active1999(admin)).toBe(before.red + 1);
    expect(await active1999(reader)).toBe(before.clear);
  });
});

describe(`STIX vocabularies (${databaseLabel})`, () => {
  it('stores the term, keeps the dataset’s word, and filters take any case, label or mapped word', async () => {
    const data = await server.query(`{
      se: victims(filter: { region: "Southeast Asia" }) { nodes { name kind region } }
      seTerm: victims(filter: { region: "SOUTH-EASTERN-ASIA" }) { totalCount }
      gov: victims(filter: { sector: "Government" }, first: 100) { nodes { name sector } }
      finance: campaigns(filter: { targetedSector: "Finance" }) { totalCount }
      financialServices: campaigns(filter: { targetedSector: "financial-services" }) { totalCount }
      rat: tools(filter: { malwareType: "RAT" }) { totalCount nodes { name kind malwareTypes } }
      ratTerm: tools(filter: { malwareType: "remote-access-trojan" }) { totalCount }
      gain: actors(filter: { motivation: "Financial gain" }) { totalCount }
      gainTerm: actors(filter: { motivation: "financial-gain" }) { totalCount }
      mac: tools(filter: { platform: "macos" }) { totalCount }
      macOS: tools(filter: { platform: "macOS" }) { totalCount }
    }`);
    // MISP's "Southeast Asia" is region-ov's south-eastern-asia; the victim keeps MISP's word as its name.
    expect(data.se.nodes).toEqual([{ name: 'Southeast Asia', kind: 'REGION', region: 'south-eastern-asia' }]);
    expect(data.seTerm.totalCount).toBe(1);
    // "Government" and MISP's "Government, Administration" (and the other government words) are one term.
    const gov = data.gov.nodes.map((v: any) => v.name);
    expect(gov).toEqual(expect.arrayContaining(['Government', 'Government, Administration']));
    expect(data.gov.nodes.every((v: any) => v.sector === 'government')).toBe(true);
    expect(data.finance.totalCount).toBe(data.financialServices.totalCount);
    expect(data.rat.totalCount).toBeGreaterThan(0);
    expect(data.rat.totalCount).toBe(data.ratTerm.totalCount);
    for (const t of data.rat.nodes) expect(t.malwareTypes).toContain('remote-access-trojan');
    expect(data.gain.totalCount).toBe(data.gainTerm.totalCount);
    expect(data.gain.totalCount).toBeGreaterThan(0);
    expect(data.mac.totalCount).toBe(data.macOS.totalCount);
    expect(data.mac.totalCount).toBeGreaterThan(50);
  });

  it('vocabulary(kind:) lists the terms with counts, then the custom terms the data holds', async () => {
    const { vocabulary } = await server.query(
      '{ vocabulary(kind: INDUSTRY_SECTOR) { term label inVocabulary count } }',
    );
    const government = vocabulary.find((t: any) => t.term === 'government');
    expect(government).toMatchObject({ label: 'Government', inVocabulary: true });
    expect(government.count).toBeGreaterThanOrEqual(4);
    expect(vocabulary.find((t: any) => t.term === 'dams')).toMatchObject({ inVocabulary: true, count: 0 });
    expect(vocabulary.find((t: any) => t.term === 'cryptocurrency')).toMatchObject({ inVocabulary: false });
    const firstCustom = vocabulary.findIndex((t: any) => !t.inVocabulary);
    expect(vocabulary.slice(firstCustom).every((t: any) => !t.inVocabulary && t.count > 0)).toBe(true);
    expect(firstCustom).toBe(34); // industry-sector-ov's 34 terms come first
  });

  it('every value outside a vocabulary is a custom term the README lists, and none has a term', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const figures = await vocabularyFigures(server.prisma);
    for (const [kind, { customTerms }] of Object.entries(figures)) {
      const line = new RegExp(`^- \`${kind}\`: (.*)$`, 'm').exec(readme)?.[1] ?? '';
      const listed = line ? line.split(', ').map((t) => t.replace(/`/g, '').trim()) : [];
      expect(customTerms, kind).toEqual(listed);
    }
  });
});

describe(`dates that mean what they say (${databaseLabel})`, () => {
  it('an ATT&CK attribution is assessed on its earliest dated report, recorded when MITRE made it', async () => {
    const { campaign } = await server.query(`{ campaign(externalId: "C0022") { name attributions { nodes {
      assessedOn assessedPrecision recordedAt actor { name }
      citations { nodes { source { kind publishedOn } } } } } } }`);
    expect(campaign.name).toBe('Operation Dream Job');
    const attack = campaign.attributions.nodes.find((a: any) => a.recordedAt.startsWith('2023-03-17'));
    expect(attack.actor.name).toBe('Lazarus Group');
    const reportDates = attack.citations.nodes
      .filter((c: any) => c.source.kind !== 'DATASET' && c.source.publishedOn)
      .map((c: any) => c.source.publishedOn)
      .sort();
    // ESET's "Operation In(ter)ception" (2020, June 17) is the earliest report the relationship cites.
    expect(reportDates[0]).toBe('2020-06-17');
    expect(attack).toMatchObject({ assessedOn: '2020-06-17', assessedPrecision: 'DAY' });
    const figures = await claimFigures(server.prisma);
    expect(figures.assessedOnDatasetTimestamp).toBe(0);
    expect(figures.assessed).toBeGreaterThan(0);
  });

  it('recordAttribution without a date takes its earliest dated report’s, with the precision', async () => {
    const admin = await server.key('ADMIN', 'RED');
    const created = await server.query(
      `mutation { year: createSource(input: { title: "A yearly report", kind: REPORT, publishedOn: "2019-01-01", publishedPrecision: YEAR }) { id }
        later: createSource(input: { title: "A later report", kind: REPORT, publishedOn: "2021-05-04" }) { id }
        subject: createActor(input: { name: "Dated Subject" }) { id } }`,
      {},
      admin,
    );
    const lazarus = await server.query('{ actor(name: "Lazarus Group") { id } }');
    const { recordAttribution } = await server.query(
      `mutation($i: RecordAttributionInput!) { recordAttribution(input: $i) { assessedOn assessedPrecision } }`,
      {
        i: {
          subject: created.subject.id,
          actor: lazarus.actor.id,
          sources: [{ source: created.later.id }, { source: created.year.id }],
        },
      },
      admin,
    );
    expect(recordAttribution).toEqual({ assessedOn: '2019-01-01', assessedPrecision: 'YEAR' });
  });
});

describe(`origin (${databaseLabel})`, () => {
  it('shows each record’s stated origin where records disagree, and reads no prose', async () => {
    const data = await server.query(`{
      turla: actor(name: "Turla") { originCountry origins { country dataset recordName } }
      lazarus: actor(name: "Lazarus Group") { originCountry origins { country dataset } }
      andariel: actor(externalId: "G0138") { name description originCountry origins { country } }
    }`);
    // MISP has two Turla clusters: one says RU, the other CN. Precedence kept RU; both are shown.
    expect(data.turla.originCountry).toBe('RU');
    expect(data.turla.origins.map((o: any) => o.country).sort()).toEqual(['CN', 'RU']);
    expect(data.turla.origins.every((o: any) => o.dataset === 'misp-galaxy')).toBe(true);
    expect(data.lazarus.origins).toContainEqual({ country: 'KP', dataset: 'curated' });
    // ATT&CK's Andariel: its description says North Korea, no record states an origin: none is made up.
    expect(data.andariel.name).toBe('Andariel');
    expect(data.andariel.description).toMatch(/North Korea/);
    expect(data.andariel).toMatchObject({ originCountry: null, origins: [] });
  });
});

describe(`the OASIS validator on the whole export (${databaseLabel})`, () => {
  const validator = path.join(projectRoot, '../shared/tools/stix-clients/stix-validate');
  it.runIf(existsSync(validator))(
    'warns about vocabulary values only where they are custom terms (111: none)',
    async () => {
      const bundle = await exportAll(server.prisma, { clearance: 'RED', known: null });
      const dir = await mkdtemp(path.join(tmpdir(), 'data-quality-'));
      const file = path.join(dir, 'all.json');
      await writeFile(file, JSON.stringify(bundle));
      const run = await promisify(execFile)(validator, [file], { maxBuffer: 64 * 1024 * 1024 }).catch((e) => e);
      const warnings = (code: number) => Number(new RegExp(`warning ${code} x(\\d+)`).exec(run.stdout)?.[1] ?? 0);
      const figures = await vocabularyFigures(server.prisma);
      const fields = {
        215: ['sectors', 'industry-sector'],
        216: ['malware_types', 'malware-type'],
        222: ['tool_types', 'tool-type'],
        223: ['region', 'region'],
      } as const;
      expect(warnings(111)).toBe(0);
      for (const [code, [property, kind]] of Object.entries(fields)) {
        const custom = new Set(figures[kind].customTerms);
        const values = bundle.objects.flatMap((o: Record<string, unknown>) => {
          const v = o[property];
          return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
        });
        const terms = vocabularies()[kind].terms;
        // Every value outside the vocabulary is one of the custom terms the report (and the README) lists.
        expect(
          values.filter((v: string) => !terms.has(v) && !custom.has(v)),
          property,
        ).toEqual([]);
        // The validator warns once per value outside it.
        expect(warnings(Number(code)), `${code} ${property}`).toBe(values.filter((v: string) => !terms.has(v)).length);
      }
    },
    120_000,
  );
});

describe(`npm run data:report's figures (${databaseLabel})`, () => {
  it('hold the issue’s targets on the default seeded database', async () => {
    const report = JSON.parse(JSON.stringify(await qualityReport(server.prisma, { searchEvery: 25 })));
    expect(report.countries.outside).toBe(0);
    expect(report.sources.storedTwice).toBe(0);
    expect(report.sources.withPublisher / report.sources.total).toBeGreaterThanOrEqual(0.8);
    // ATT&CK's citations state their dates: almost all are dated (the rest say n.d.).
    const attack = report.sources.byDataset['mitre-attack'];
    expect(attack.withDate / attack.total).toBeGreaterThan(0.95);
    expect(report.sources.byDataset.curated.total).toBeGreaterThanOrEqual(30);
    expect(report.claims.assessedOnDatasetTimestamp).toBe(0);
    expect(report.search.exactNameNotFirst).toEqual([]);
    expect(report.duplicates.actor.sharedDisplayNames).toEqual([]);
    expect(report.activity.actorsActiveIn2020).toBeLessThan(report.activity.actorsWithDatedEvidence);
    for (const [kind, v] of Object.entries(report.vocabularies) as [string, any][])
      expect(v.values - v.inVocabulary, kind).toBeGreaterThanOrEqual(v.customTerms.length);
  });
});
