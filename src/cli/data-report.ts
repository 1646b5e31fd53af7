// `npm run data:report [-- --json]`: the quality of the data in the database (DATABASE_URL or the
// embedded one), per dataset and in total: entities and records, joins made by inference, display names
// shown twice, sources with publisher / date / title and documents stored twice, claims citing a dated
// report, values outside each STIX vocabulary (custom terms), country codes outside ISO 3166-1, actors
// with dated activity, and whether every actor's display name finds an exact name first. Curators run
// it after every import; `--json` gives the same figures to a script.
import { qualityReport, type SourceCounts } from '../data-quality.js';
import { createPrismaClient } from '../db.js';
import { withDatabase } from './with-database.js';

const json = process.argv.includes('--json');
const percent = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)} %` : '-');

await withDatabase('', async (db) => {
  const prisma = createPrismaClient(db);
  const started = Date.now();
  const report = await qualityReport(prisma);
  await prisma.$disconnect();
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const total = Object.values(report.datasets).reduce(
    (t, d) => ({
      actors: t.actors + d.actors,
      campaigns: t.campaigns + d.campaigns,
      tools: t.tools + d.tools,
      records: t.records + d.records,
    }),
    { actors: 0, campaigns: 0, tools: 0, records: 0 },
  );
  console.log('Current entities (by the dataset that made them) and records kept, per dataset:');
  console.table({ ...report.datasets, total });
  console.log('Records per dataset and join rule:');
  console.table(report.recordsByJoinRule);
  console.log(
    `Joins by inference kept as merges (splitMerge undoes one): ${
      Object.entries(report.inferredMerges)
        .map(([type, n]) => `${n} ${type.toLowerCase()}s`)
        .join(', ') || 'none'
    }`,
  );
  console.log('Display names held by more than one current entity:');
  console.table(
    Object.fromEntries(
      Object.entries(report.duplicates).map(([type, d]) => [
        type,
        {
          current: d.current,
          shared: d.sharedDisplayNames.length,
          examples: d.sharedDisplayNames.slice(0, 5).join('; '),
        },
      ]),
    ),
  );
  const s = report.sources;
  const row = (f: SourceCounts) => ({
    sources: f.total,
    'with a publisher': percent(f.withPublisher, f.total),
    'with a date': percent(f.withDate, f.total),
    'with a title (not a URL)': percent(f.withTitle, f.total),
  });
  console.log(
    `Sources, per dataset (the documents its records cite) and in total; documents stored twice: ${s.storedTwice}`,
  );
  console.table({
    ...Object.fromEntries(Object.entries(s.byDataset).map(([d, f]) => [d, row(f)])),
    total: row(s),
  });
  const c = report.claims;
  console.log(
    `Claims citing a dated report: ${c.withDatedSource} of ${c.total} (${percent(c.withDatedSource, c.total)})`,
  );
  console.log('STIX open vocabularies: values held, of them terms of the vocabulary, custom terms (listed below):');
  console.table(
    Object.fromEntries(
      Object.entries(report.vocabularies).map(([kind, v]) => [
        `${kind}-ov`,
        { values: v.values, inVocabulary: v.inVocabulary, customTerms: v.customTerms.length },
      ]),
    ),
  );
  for (const [kind, v] of Object.entries(report.vocabularies))
    if (v.customTerms.length) console.log(`  ${kind}: ${v.customTerms.join(', ')}`);
  const k = report.countries;
  console.log(
    `Country codes outside ISO 3166-1's assigned ones (victims, origins, organisations): ${k.outside} of ${k.coded}${
      k.codes.length ? ` (${k.codes.join(', ')})` : ''
    }`,
  );
  console.log(
    `Actors with dated evidence: ${report.activity.actorsWithDatedEvidence}; active in 2020: ${report.activity.actorsActiveIn2020}`,
  );
  const q = report.search;
  console.log(
    `Display names whose search does not find an exact name first: ${q.exactNameNotFirst.length} of ${q.actorsSearched} actors${
      q.exactNameNotFirst.length ? ` (${q.exactNameNotFirst.map((m) => m.name).join(', ')})` : ''
    }`,
  );
  console.log(`Measured in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
});
