// DatasetRecord: an object as its dataset brought it (a STIX object, a MISP cluster, a curated entry),
// kept whole with its versions: through the entity it resolves (Actor.records ...) or datasetRecords.
// possibleDuplicates lives in possible-duplicates.ts.

import { visibleDatasetRecord, visibleRecord } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { TlpEnum } from './enums.js';
import { identifierForms } from './name-lookup.js';
import { tagged } from './typed.js';
import { NamedEntity } from './unions.js';

builder.prismaObject('DatasetRecordVersion', {
  description: 'A version of a record other than its current one, kept as it came.',
  fields: (t) => ({
    modifiedAt: t.expose('modifiedAt', { type: 'DateTime', nullable: true }),
    storedAt: t.expose('storedAt', { type: 'DateTime', description: 'When this database stored it.' }),
    tlp: t.expose('tlp', { type: TlpEnum }),
    original: t.expose('original', { type: 'JSON', description: 'The object exactly as it came.' }),
    replaced: t.exposeBoolean('replaced', {
      nullable: true,
      description:
        "true: it was the record's content until a newer version replaced it (at `storedAt`); false: an older version imported after a newer one; null: stored before this was kept.",
    }),
  }),
});

builder.prismaObject('DatasetRecord', {
  description:
    'An object as a dataset or an import brought it (a STIX object, a MISP galaxy cluster, a curated seed entry), kept whole. A newer version replaces it (the replaced one is kept in `versions`); an older one is kept in `versions` only.',
  fields: (t) => ({
    dataset: t.exposeString('dataset', { description: 'curated, mitre-attack, misp-galaxy, stix ...' }),
    identifier: t.exposeString('identifier', { description: 'Its id in its dataset: STIX id, MISP uuid, seed key.' }),
    format: t.exposeString('format', { description: 'The format of `original`: stix, misp or seed.' }),
    type: t.exposeString('type', { description: 'Its type in that format (intrusion-set, threat-actor ...).' }),
    modifiedAt: t.expose('modifiedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its dataset last changed it (STIX `modified`), where the format says.',
    }),
    tlp: t.expose('tlp', { type: TlpEnum, description: 'The highest marking the object carries.' }),
    joinRule: t.exposeString('joinRule', {
      nullable: true,
      description:
        'How it was joined to its entity: created (it made the entity), identifier (the entity holds its STIX id, MISP uuid or the one ATT&CK id it lists), similar (MISP `similar` to the entity), name (the same display name in another catalogue, nothing against it).',
    }),
    joinEvidence: t.expose('joinEvidence', {
      type: 'JSON',
      nullable: true,
      description: 'What the rule matched (identifiers, names) and, where evidence conflicted, what pointed elsewhere.',
    }),
    original: t.expose('original', { type: 'JSON', description: 'The object exactly as it came.' }),
    versions: t.relation('versions', {
      description: 'Its other versions, newest first.',
      query: (_args, ctx) => ({
        where: visibleRecord(ctx.principal.clearance),
        orderBy: [{ modifiedAt: { sort: 'desc', nulls: 'last' } }, { storedAt: 'desc' }],
      }),
    }),
    entity: t.field({
      type: NamedEntity,
      nullable: true,
      description: 'The actor, campaign or tool it resolves to (none for objects that are not one).',
      // A record is listed only where its entity is visible (visibleDatasetRecord).
      select: { actor: true, campaign: true, tool: true },
      resolve: (r) =>
        r.actor
          ? tagged('Actor', r.actor)
          : r.campaign
            ? tagged('Campaign', r.campaign)
            : r.tool
              ? tagged('Tool', r.tool)
              : null,
    }),
  }),
});

builder.queryField('datasetRecords', (t) =>
  t.prismaConnection(
    {
      type: 'DatasetRecord',
      cursor: 'id',
      ...paged,
      description:
        "Objects as their datasets brought them, kept whole: a dataset's records (e.g. every ATT&CK object exactly as MITRE published it), or the records of one identifier (a STIX id, a MISP uuid, any case) in every dataset.",
      args: {
        dataset: t.arg.string({ description: 'Only this dataset (curated, mitre-attack, misp-galaxy ...).' }),
        identifier: t.arg.string({ description: 'Only records with this identifier.' }),
        type: t.arg.string({ description: 'Only this type (intrusion-set, relationship, threat-actor ...).' }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.datasetRecord.count({ where: datasetRecordsWhere(args, ctx.principal.clearance) }),
      resolve: (query, _parent, args, ctx) =>
        ctx.prisma.datasetRecord.findMany({
          ...query,
          where: datasetRecordsWhere(args, ctx.principal.clearance),
          orderBy: { id: 'asc' },
        }),
    },
    { name: 'DatasetRecordConnection' },
  ),
);

function datasetRecordsWhere(
  args: { dataset?: string | null; identifier?: string | null; type?: string | null },
  clearance: Parameters<typeof visibleDatasetRecord>[0],
) {
  return {
    ...visibleDatasetRecord(clearance),
    ...(args.dataset != null ? { dataset: args.dataset } : {}),
    ...(args.identifier != null ? { identifier: { in: identifierForms(args.identifier) } } : {}),
    ...(args.type != null ? { type: args.type } : {}),
  };
}
