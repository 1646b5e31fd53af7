// `npm run data:report`: what the data holds and how well it is resolved, measured on the database
// (DATABASE_URL or the embedded one): records per dataset and join rule, display names that more than
// one current entity shows, possible duplicates, and the checks the resolution issue named (APT41).
import { sharedDisplayNames } from '../data-quality.js';
import { createPrismaClient, type Db } from '../db.js';
import { isAssignedCountry } from '../write/countries.js';
import { importJoinNote } from '../write/resolution.js';
import { withDatabase } from './with-database.js';

async function holderOf(prisma: Db, value: string) {
  const x = await prisma.externalId.findFirst({
    where: { value },
    select: { actor: { select: { id: true, name: true } } },
  });
  return x?.actor ?? null;
}

await withDatabase('', async (db) => {
  const prisma = createPrismaClient(db);
  const started = Date.now();
  console.log('Records per dataset and join rule:');
  const rules = await prisma.datasetRecord.groupBy({
    by: ['dataset', 'joinRule'],
    _count: { _all: true },
    orderBy: [{ dataset: 'asc' }, { joinRule: 'asc' }],
  });
  console.table(
    rules.map((r) => ({ dataset: r.dataset, joinRule: r.joinRule ?? '(not an entity)', records: r._count._all })),
  );

  const merges = await prisma.merge.groupBy({
    by: ['entityType'],
    where: { note: { startsWith: importJoinNote }, splitAt: null },
    _count: { _all: true },
  });
  console.log(
    `Joins by inference kept as merges (splitMerge undoes one): ${merges.map((m) => `${m._count._all} ${m.entityType.toLowerCase()}s`).join(', ') || 'none'}`,
  );
  console.log('Display names held by more than one current entity:');
  const table: Record<string, { current: number; sharedDisplayNames: number; examples: string }> = {};
  for (const model of ['actor', 'campaign', 'tool'] as const) {
    const { current, shared } = await sharedDisplayNames(prisma, model);
    table[model] = {
      current,
      sharedDisplayNames: shared.length,
      examples: shared
        .slice(0, 5)
        .map(([, entities]) => entities.map((e) => e.name).join(' / '))
        .join('; '),
    };
  }
  console.table(table);

  const coded = [
    ...(await prisma.victim.findMany({ where: { country: { not: null } }, select: { country: true } })),
    ...(await prisma.actor.findMany({ where: { originCountry: { not: null } }, select: { originCountry: true } })).map(
      (a) => ({ country: a.originCountry }),
    ),
    ...(await prisma.organization.findMany({ where: { country: { not: null } }, select: { country: true } })),
  ];
  const outside = coded.filter((c) => !isAssignedCountry(c.country!));
  console.log(
    `Country codes outside ISO 3166-1's assigned ones (victims, origins, organisations): ${outside.length} of ${coded.length}${
      outside.length ? ` (${[...new Set(outside.map((c) => c.country))].join(', ')})` : ''
    }`,
  );
  const [apt41, winnti] = [await holderOf(prisma, 'G0096'), await holderOf(prisma, 'G0044')];
  const mispApt41 = await prisma.datasetRecord.findFirst({
    where: { dataset: 'misp-galaxy', identifier: '9c124874-042d-48cd-b72b-ccdc51ecbbd6' },
    select: { joinRule: true, actor: { select: { name: true } } },
  });
  console.log(
    `APT41 (G0096): ${apt41?.name ?? 'absent'}; Winnti Group (G0044): ${winnti?.name ?? 'absent'}; ${
      apt41 && winnti ? (apt41.id === winnti.id ? 'ONE actor' : 'two actors') : ''
    }; MISP's APT41 cluster: ${mispApt41 ? `a record of ${mispApt41.actor?.name ?? 'nothing'} (rule ${mispApt41.joinRule})` : 'not loaded'}`,
  );
  await prisma.$disconnect();
  console.log(`Measured in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
});
