// STIX 2.1 export fields: a bundle of an actor, campaign or tool with its neighbourhood, or of a
// source with what it supports. (The whole database is a download: GET /stix/bundle.json.)
import { builder } from '../builder.js';
import { userError } from '../errors.js';
import { exportNeighbourhood, exportSource } from '../export/stix.js';
import { factScope } from './known-at.js';

builder.scalarType('JSON', {
  description: 'A JSON value (here, a STIX 2.1 bundle).',
  serialize: (v) => v,
  parseValue: (v) => v,
});

export function checkedDepth(depth: number | null | undefined) {
  if (depth !== 1 && depth !== 2)
    throw userError('BAD_USER_INPUT', `"depth" must be 1 or 2 (got ${depth}).`, { argument: 'depth' });
  return depth;
}

for (const type of ['Actor', 'Campaign', 'Tool'] as const) {
  builder.prismaObjectFields(type, (t) => ({
    stixBundle: t.field({
      type: 'JSON',
      description: `This ${type.toLowerCase()} and its neighbourhood as a STIX 2.1 bundle (also GET /stix/{id}?depth=).`,
      args: {
        depth: t.arg.int({
          defaultValue: 1,
          description: 'How far to follow claims: 1, the records the claims name; 2, theirs too.',
        }),
      },
      resolve: (row, args, ctx) =>
        exportNeighbourhood(ctx.prisma, factScope(ctx), { type, id: row.id }, checkedDepth(args.depth)),
    }),
  }));
}

builder.prismaObjectFields('Source', (t) => ({
  stixBundle: t.field({
    type: 'JSON',
    description: 'This source as a STIX 2.1 report, with the records and claims it supports.',
    resolve: (row, _args, ctx) => exportSource(ctx.prisma, factScope(ctx), row.id),
  }),
}));
