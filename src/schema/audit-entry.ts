// AuditEntry: one change a mutation made (who, when, which mutation, which record, before and after).
// Admins read it; nobody changes it (the database refuses updates and deletes of the table).

import { visibleRow } from '../auth/visibility.js';
import { builder, paged } from '../builder.js';
import { idOf } from '../global-id.js';
import { loggedModels } from '../write/change-log.js';
import { RoleEnum, TlpEnum } from './enums.js';

builder.prismaNode('AuditEntry', {
  id: { field: 'id' },
  // An entry about a record above the caller's clearance is not there for them (before and after hold its fields).
  findUnique: (id, ctx) => ({ id, ...visibleRow('AuditEntry', ctx.principal.clearance) }),
  select: { id: true },
  nullable: true,
  // Only admins reach entries (by auditLog, or node(id:) with an admin key).
  authScopes: { admin: true },
  description: 'One change made by a mutation. Append-only.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    keyId: t.exposeString('keyId', { nullable: true, description: 'The API key that made the change.' }),
    keyName: t.exposeString('keyName', { description: 'The name the key was given when it was made.' }),
    role: t.expose('role', { type: RoleEnum }),
    operation: t.exposeString('operation', { description: 'The mutation, e.g. "updateActor".' }),
    entityType: t.exposeString('entityType'),
    entityId: t.exposeString('entityId', {
      description: 'The database id of the record (its global ID is base64("Type:id")).',
    }),
    before: t.expose('before', {
      type: 'JSON',
      nullable: true,
      description: 'The record before the change; null when it was created.',
    }),
    after: t.expose('after', {
      type: 'JSON',
      nullable: true,
      description: 'The record after the change; null when it was deleted.',
    }),
    visibility: t.expose('visibility', {
      type: TlpEnum,
      description: 'The lowest clearance that reads this entry: the highest marking of the record before and after.',
    }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.prismaConnection(
    {
      type: 'AuditEntry',
      cursor: 'id',
      nullable: false,
      authScopes: { admin: true },
      ...paged,
      description:
        'Changes made through mutations and imports, newest first (admin only): those about records you are cleared for.',
      args: {
        record: t.arg.id({ description: 'Only changes to this record (any global ID).' }),
        operation: t.arg.string({ description: 'Only this mutation, e.g. "updateActor".' }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.auditEntry.count({
          where: { ...auditWhere(args), ...visibleRow('AuditEntry', ctx.principal.clearance) },
        }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.auditEntry.findMany({
          ...query,
          where: { ...auditWhere(args), ...visibleRow('AuditEntry', ctx.principal.clearance) },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
        }),
    },
    { name: 'AuditEntryConnection' },
    { name: 'AuditEntryEdge' },
  ),
);

function auditWhere(args: { record?: string | number | null; operation?: string | null }) {
  const record = args.record != null ? idOf(args.record, [...loggedModels], 'record') : null;
  return {
    ...(record ? { entityType: record.type, entityId: record.id } : {}),
    ...(args.operation ? { operation: args.operation } : {}),
  };
}
