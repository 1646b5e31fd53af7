// The registry of every error code a caller can get, with its HTTP status and what it means. Every
// error a caller can cause has one of these codes and a message that says what to do; anything else is
// masked as INTERNAL_SERVER_ERROR by the server (see server.ts) and logged. test/unit/errors.test.ts
// fails when the code emits a code that is not here, and when the README's list differs from it.
import { GraphQLError } from 'graphql';

type ErrorSpec = {
  /**
   * The HTTP status of an answer refused with this error before GraphQL runs, or by an endpoint outside
   * GraphQL (STIX downloads, admin import). null: met only inside GraphQL answers, whose status GraphQL
   * over HTTP sets (200 for application/json).
   */
  status: number | null;
  meaning: string;
};

export const errorCodes = {
  // Lookups and arguments
  NOT_FOUND: { status: 404, meaning: 'No record with that ID or name, or none the caller may see.' },
  AMBIGUOUS_NAME: {
    status: null,
    meaning: 'Several records carry the name asked for; the candidates are in `extensions.candidates`.',
  },
  INVALID_ID: { status: 400, meaning: 'Not a global ID, or the ID of another type than the argument takes.' },
  INVALID_PAGE_ARGUMENT: {
    status: null,
    meaning: 'A page size out of range, `first` with `last`, too many `ids`, or a cursor this API did not give.',
  },
  BAD_USER_INPUT: {
    status: 400,
    meaning: 'A value that does not pass its check (the field and the reason are in `extensions.fields`).',
  },
  // Writes
  CONFLICT: { status: null, meaning: 'The record changed since the caller read it: read it again, then retry.' },
  ALREADY_EXISTS: { status: null, meaning: 'A record with the same key (or a name the record has) exists already.' },
  // Keys and roles
  UNAUTHENTICATED: { status: 401, meaning: 'No API key, or one that is unknown, revoked or expired.' },
  FORBIDDEN: { status: 403, meaning: "The key's role does not allow the field (the role needed is named)." },
  // Limits, refused before anything runs
  QUERY_TOO_DEEP: { status: null, meaning: 'The query nests more levels than MAX_DEPTH.' },
  QUERY_TOO_BROAD: { status: null, meaning: 'The query asks for more fields than MAX_BREADTH.' },
  QUERY_TOO_COSTLY: {
    status: null,
    meaning: 'The query would cost more than MAX_COST (page sizes multiply through nested connections).',
  },
  TOO_MANY_ALIASES: { status: null, meaning: 'More aliases than MAX_ALIASES.' },
  TOO_MANY_TOKENS: { status: null, meaning: 'A document longer than MAX_TOKENS tokens.' },
  TOO_MANY_DIRECTIVES: { status: null, meaning: 'More directives than MAX_DIRECTIVES.' },
  LENGTH_REQUIRED: { status: 411, meaning: 'A POST without a Content-Length header.' },
  BODY_TOO_LARGE: { status: 413, meaning: 'A request body declared larger than MAX_BODY_BYTES.' },
  RESPONSE_TOO_LARGE: { status: null, meaning: 'The answer would be larger than MAX_RESPONSE_BYTES: ask for less.' },
  RATE_LIMITED: {
    status: 429,
    meaning: 'Too many requests a minute for the key (or address), or too many refused keys; see Retry-After.',
  },
  TIMEOUT: { status: 503, meaning: 'The request took longer than REQUEST_TIMEOUT_MS.' },
  IMPORT_IN_PROGRESS: {
    status: 503,
    meaning: 'The embedded database is writing an import; retry after Retry-After seconds.',
  },
  CSRF_HEADER_REQUIRED: { status: 403, meaning: 'A GET or form POST without the x-graphql-csrf header.' },
  PERSISTED_QUERY_NOT_FOUND: {
    status: 400,
    meaning: 'PERSISTED_OPERATIONS is on and the document is not one of the SDK’s operations.',
  },
  PERSISTED_QUERY_ONLY: {
    status: 400,
    meaning: 'PERSISTED_OPERATIONS is on and the request sent no document nor known hash.',
  },
  // The non-GraphQL endpoints
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The endpoint answers other methods (the STIX downloads: GET).' },
  // Not the caller's doing
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'Something unexpected, masked and logged: report it.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;
/** The codes an HTTP answer may carry on its own (those with a status). */
export type HttpErrorCode = {
  [K in ErrorCode]: (typeof errorCodes)[K]['status'] extends number ? K : never;
}[ErrorCode];

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** The one body of an error answered outside GraphQL (STIX downloads, health, admin import, 401s). */
export const errorBody = (code: HttpErrorCode, message: string) => ({ error: { code, message } });

/** BAD_USER_INPUT about one input field: the message names it, and `extensions.fields` lists it. */
export const inputError = (field: string, message: string) =>
  userError('BAD_USER_INPUT', `${field}: ${message}`, { fields: [{ field, message }] });

export const notFound = (what: string, how: string, hint = '') =>
  userError('NOT_FOUND', `No ${what} with ${how}.${hint ? ` ${hint}` : ''}`);

export const invalidId = (id: string, expected?: string) =>
  userError(
    'INVALID_ID',
    `"${id}" is not a valid ID${expected ? ` of a ${expected}` : ''}. IDs are opaque strings returned by the API (the \`id\` field); copy one from a previous answer.`,
  );
