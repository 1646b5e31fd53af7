// The one Pothos SchemaBuilder, with its plugins. Types live in src/schema/<type>.ts.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import {
  GraphQLError,
  type GraphQLOutputType,
  GraphQLScalarType,
  type GraphQLSchema,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
} from 'graphql';
import { roleIncludes } from './auth/principal.js';
import type { Context } from './context.js';
import { userError } from './errors.js';
import type PrismaTypes from './generated/pothos-types.js';
import { getDatamodel } from './generated/pothos-types.js';
import { decodeId, encodeId } from './global-id.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  /** analyst: may write (mutations); admin: may also import and read the audit log. */
  AuthScopes: { analyst: boolean; admin: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    Date: { Input: Date; Output: Date };
    DateTime: { Input: Date; Output: Date };
    Decimal: { Input: string; Output: { toString(): string } };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ScopeAuthPlugin, ComplexityPlugin, PrismaPlugin, RelayPlugin, ValidationPlugin],
  complexity: {
    // What a query may cost before it runs: a connection costs its page size times what each item
    // selects (so nested pages multiply), a plain list ten times. Depth and breadth are bounded too.
    fieldComplexity: (args, ctx, field) => {
      if (field.args.some((a) => a.name === 'first')) {
        // A page asked without a size: the default page at the top level; nested under another page
        // (an actor's names, a campaign's tool usages), the expected size of such a page, not its
        // most: most are far smaller than a page, and the default would refuse ordinary questions.
        const unsized = rootFields.has(field)
          ? ctx.config.pageSize.default
          : Math.min(ctx.config.pageSize.default, ctx.config.limits.nestedPageEstimate);
        const size = Number(args.first ?? args.last ?? unsized);
        return {
          field: 1,
          multiplier: Math.max(1, Math.min(Number.isFinite(size) ? size : 1, ctx.config.pageSize.max)),
        };
      }
      if (field.name === 'nodes' && Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length }; // nodes(ids:)
      if (field.name === 'nodes' || field.name === 'edges') return { field: 0, multiplier: 1 }; // the connection counted the page
      // A count or the page's bounds are one statement, counted with the connection: a connection asked
      // only for its totalCount costs one.
      if (field.name === 'totalCount' || field.name === 'pageInfo') return 0;
      // A STIX bundle reads a record's whole neighbourhood (hundreds of objects for a busy actor at depth 2).
      if (field.name === 'stixBundle')
        return Number(args.depth ?? 1) >= 2 ? ctx.config.limits.maxCost / 5 : ctx.config.limits.maxCost / 50;
      return isList(field.type) ? { field: 1, multiplier: 10 } : 1;
    },
    limit: (ctx) => ({
      complexity: ctx.config.limits.maxCost,
      depth: ctx.config.limits.maxDepth,
      breadth: ctx.config.limits.maxBreadth,
    }),
    complexityError: (kind, result) => {
      const [code, what, found, max] =
        kind === 'Depth'
          ? ['QUERY_TOO_DEEP', 'depth', result.depth, result.maxDepth]
          : kind === 'Breadth'
            ? ['QUERY_TOO_BROAD', 'number of fields', result.breadth, result.maxBreadth]
            : ['QUERY_TOO_COSTLY', 'cost', result.complexity, result.maxComplexity];
      return new GraphQLError(
        `The query's ${what} is ${found}, above the limit of ${max}. Ask for smaller pages or fewer levels, or split the query.`,
        { extensions: { code, [what === 'cost' ? 'cost' : kind.toLowerCase()]: found, limit: max } },
      );
    },
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      analyst: roleIncludes(ctx.principal.role, 'ANALYST'),
      admin: roleIncludes(ctx.principal.role, 'ADMIN'),
    }),
    // A refused field is a refused request: every field that needs a role is a non-null top-level
    // mutation or query field, so the error nulls `data` and nothing partial is answered.
    unauthorizedError: (_parent, ctx, info, result) => {
      // The failure names the scope the field asked for, possibly nested (AnyAuthScopes → AuthScope).
      const needed = JSON.stringify(result.failure).includes('"scope":"analyst"') ? 'analyst' : 'admin';
      return ctx.principal.role === null
        ? new GraphQLError(
            `"${info.fieldName}" needs an API key with the ${needed} role: send "Authorization: Bearer <key>".`,
            { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
          )
        : new GraphQLError(
            `"${info.fieldName}" needs the ${needed} role; this key has the ${ctx.principal.role.toLowerCase()} role.`,
            { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
          );
    },
  },
  validation: {
    // Every problem, each with the path of the input field it is about (e.g. "input.confidence").
    validationError: (result) => {
      const fields = result.issues.map((i) => ({
        field: (i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.'),
        message: i.message,
      }));
      return new GraphQLError(fields.map((f) => `${f.field || 'input'}: ${f.message}`).join('; '), {
        extensions: { code: 'BAD_USER_INPUT', fields },
      });
    },
  },
  // Fields are non-null unless they say otherwise: clients (and the typed SDK) need not guard every one.
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    // totalCount is only computed when a query asks for it.
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesOnConnection: true,
    encodeGlobalID: encodeId,
    decodeGlobalID: decodeId,
    // node(id:) and nodes(ids:) are src/schema/node.ts's: they take knownAt and asOf as every root field does.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

/** The query type's own fields (see fieldComplexity): filled once the schema is built. */
const rootFields = new WeakSet<object>();
export function markRootFields(schema: GraphQLSchema) {
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) rootFields.add(field);
}

/** Whether a type of this name is an object that implements Node (what node(id:) may answer). */
export const isNodeType = (schema: GraphQLSchema, typename: string) => {
  const type = schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
};

const isList = (type: GraphQLOutputType): boolean => (isNonNullType(type) ? isList(type.ofType) : isListType(type));

/** Page-size guard for every connection: Pothos would silently clamp or reject with a bare message. */
export function pageSize(args: { first?: number | null; last?: number | null }, ctx: Context) {
  const { max } = ctx.config.pageSize;
  if (args.first != null && args.last != null)
    throw userError('INVALID_PAGE_ARGUMENT', 'Give "first" (with "after") or "last" (with "before"), not both.', {
      argument: 'last',
      max,
    });
  for (const arg of ['first', 'last'] as const) {
    const value = args[arg];
    if (value == null) continue;
    if (value < 0)
      throw userError('INVALID_PAGE_ARGUMENT', `"${arg}" must be zero or more (got ${value}).`, { argument: arg, max });
    if (value > max)
      throw userError(
        'INVALID_PAGE_ARGUMENT',
        `"${arg}" must be at most ${max} (got ${value}); page with "after"/"before" cursors instead.`,
        { argument: arg, max },
      );
  }
  return max;
}

/** Spread into every connection field so that sizes are checked and defaulted in one place. */
export const paged = {
  maxSize: (args: { first?: number | null; last?: number | null }, ctx: Context) => pageSize(args, ctx),
  defaultSize: (_args: unknown, ctx: Context) => ctx.config.pageSize.default,
};

const parseDate = (value: unknown) => {
  // A date that does not exist (2020-02-30, month 13, year 0000) is refused, not rolled over.
  const date =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00.000Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value || date.getUTCFullYear() < 1) {
    throw userError(
      'BAD_USER_INPUT',
      `Expected a date that exists, as YYYY-MM-DD (year 0001 or later), got ${JSON.stringify(value)}.`,
    );
  }
  return date;
};

builder.addScalarType(
  'Date',
  new GraphQLScalarType<Date, string>({
    name: 'Date',
    description: 'A calendar date, YYYY-MM-DD.',
    serialize: (v) => (v as Date).toISOString().slice(0, 10),
    parseValue: parseDate,
    parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
);
builder.addScalarType(
  'DateTime',
  new GraphQLScalarType<Date, string>({
    name: 'DateTime',
    description: 'An instant, ISO 8601 in UTC.',
    serialize: (v) => (v as Date).toISOString(),
    parseValue: (v) => new Date(String(v)),
  }),
);
builder.scalarType('Decimal', {
  description: 'An exact decimal number, as a string (e.g. an amount in USD: "200000000").',
  serialize: (v) => v.toString(),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^-?\d+(\.\d+)?$/.test(v))
      throw userError('BAD_USER_INPUT', `Expected a decimal number as a string, got ${JSON.stringify(v)}.`);
    return v;
  },
});

builder.queryType({});
builder.mutationType({ description: 'Changes, each one transaction, audited. Analyst or admin keys only.' });
