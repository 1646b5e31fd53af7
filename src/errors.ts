// Every error a caller can cause has a stable `extensions.code` and a message that says what to do.
// Anything else is masked by the server (see server.ts) and logged.
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  AMBIGUOUS_NAME: 'AMBIGUOUS_NAME',
  INVALID_ID: 'INVALID_ID',
  INVALID_PAGE_ARGUMENT: 'INVALID_PAGE_ARGUMENT',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The record changed since the client read it (optimistic concurrency): read it again, then retry. */
  CONFLICT: 'CONFLICT',
  /** A record with the same unique key already exists. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
} as const;

export function userError(code: keyof typeof ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export const notFound = (what: string, how: string, hint = '') =>
  userError('NOT_FOUND', `No ${what} with ${how}.${hint ? ` ${hint}` : ''}`);

export const invalidId = (id: string, expected?: string) =>
  userError(
    'INVALID_ID',
    `"${id}" is not a valid ID${expected ? ` of a ${expected}` : ''}. IDs are opaque strings returned by the API (the \`id\` field); copy one from a previous answer.`,
  );
