// Citation: "this source supports that" (a name, a claim, or an entity's own attribute).
import { visibleCitationAnyWay } from '../auth/visibility.js';
import { builder } from '../builder.js';
import { tagged } from './typed.js';
import { CitedRecord } from './unions.js';

const citedKinds = [
  'name',
  'attribution',
  'toolUsage',
  'targeting',
  'association',
  'techniqueUse',
  'actor',
  'campaign',
  'tool',
  'victim',
] as const;
const typeNames: Record<(typeof citedKinds)[number], string> = {
  name: 'Name',
  attribution: 'Attribution',
  toolUsage: 'ToolUsage',
  targeting: 'Targeting',
  association: 'Association',
  techniqueUse: 'TechniqueUse',
  actor: 'Actor',
  campaign: 'Campaign',
  tool: 'Tool',
  victim: 'Victim',
};

export const Citation = builder.prismaNode('Citation', {
  id: { field: 'id' },
  // Above the caller's clearance, it does not exist: node(id:) answers NOT_FOUND as for an unknown ID.
  findUnique: (id, ctx) => ({ id, ...visibleCitationAnyWay(ctx.principal.clearance) }),
  // Select mode: a request reads the columns its fields need, not whole rows.
  select: { id: true },
  nullable: true, // an unknown ID loads as null: node(id:) reports NOT_FOUND, nodes(ids:) a null entry
  description:
    'A source supporting a name, a claim or an attribute of an entity, optionally with the excerpt that says so.',
  fields: (t) => ({
    source: t.relation('source'),
    excerpt: t.exposeString('excerpt', { nullable: true }),
    field: t.exposeString('field', {
      nullable: true,
      description: 'For an attribute of an entity: which one (e.g. "estimatedLossUsd").',
    }),
    supports: t.field({
      type: CitedRecord,
      select: Object.fromEntries(citedKinds.map((k) => [k, true])) as Record<(typeof citedKinds)[number], true>,
      resolve: (c) => {
        const kind = citedKinds.find((k) => c[k] != null)!;
        return tagged(typeNames[kind], c[kind]!);
      },
    }),
  }),
});
