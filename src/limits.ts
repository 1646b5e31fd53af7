// Abuse limits: what one request may ask for (depth, cost, aliases, tokens, directives, batch size,
// body size, time), how often a caller may ask (per key, or per address without one), and, as an
// option, which documents may run at all (the SDK's operations). Each refusal has its own code.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from './config.js';
import * as sdk from './sdk/index.js';

export type Limits = Config['limits'];

/** Gives the refusal a code (graphql-armor's errors have none) and says which limit it was. */
const coded = (code: string) => [
  (_ctx: unknown, error: GraphQLError) => {
    (error.extensions as Record<string, unknown>).code = code;
  },
];

/**
 * Query shape limits checked when the document is parsed and validated, before anything runs. Depth,
 * breadth and cost (page sizes multiplied through nested connections) are the complexity plugin's,
 * in builder.ts.
 */
export function shapeLimits(limits: Limits): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens, exposeLimits: true, onReject: coded('TOO_MANY_TOKENS') }),
    maxAliasesPlugin({ n: limits.maxAliases, exposeLimits: true, onReject: coded('TOO_MANY_ALIASES') }),
    maxDirectivesPlugin({ n: limits.maxDirectives, exposeLimits: true, onReject: coded('TOO_MANY_DIRECTIVES') }),
  ] as Plugin[];
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const canonical = (document: string) => print(parse(document));

/** The registered documents: the typed SDK's operations (src/sdk/operations.graphql), by the hash of their printed form. */
export function registeredOperations(): Map<string, string> {
  const documents = Object.entries(sdk)
    .filter(([name, value]) => name.endsWith('Document') && typeof value === 'string')
    .map(([, value]) => canonical(value as string));
  return new Map(documents.map((d) => [hash(d), d]));
}

/**
 * Persisted-operations mode: only registered documents run. A client sends either the hash
 * (extensions.persistedQuery.sha256Hash, as Apollo and GraphQL Code Generator clients do) or the
 * document itself (as the SDK does), which is accepted when it is, printed, a registered one.
 */
export function persistedOperationsOnly(): Plugin[] {
  const store = registeredOperations();
  const notRegistered = () =>
    new GraphQLError('This server runs registered operations only (the SDK’s); this document is not one of them.', {
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
    });
  // A full document that is a registered one goes on as its hash; any other is refused here.
  const documentsToHashes: Plugin = {
    onParams({ params, setParams }) {
      if (typeof params.query !== 'string') return;
      let key: string;
      try {
        key = hash(canonical(params.query));
      } catch {
        throw notRegistered();
      }
      if (!store.has(key)) throw notRegistered();
      setParams({
        ...params,
        query: undefined,
        extensions: { ...params.extensions, persistedQuery: { version: 1, sha256Hash: key } },
      });
    },
  };
  return [
    documentsToHashes,
    usePersistedOperations({
      allowArbitraryOperations: false,
      getPersistedOperation: (id) => store.get(id) ?? null,
      customErrors: {
        notFound: {
          message: 'This server runs registered operations only (the SDK’s); no operation has this hash.',
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
        },
        keyNotFound: {
          message:
            'This server runs registered operations only: send one of the SDK’s documents, or its sha256 hash in extensions.persistedQuery.',
          extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
        },
      },
    }) as Plugin,
  ];
}

/**
 * Requests per minute per caller, counted after authentication: per key id (however its header is
 * spelled), per address without a key; refused keys are counted per address against a much lower
 * limit, so that keys cannot be guessed at the rate questions are asked. With Redis the counts are
 * shared by every process (one limit for the whole service); while Redis does not answer, each process
 * counts on its own (rate-limiter-flexible's insurance limiter).
 */
export function rateLimiter(limits: Limits, redis?: Redis) {
  if (!limits.ratePerMinute) return null;
  const limiter = (points: number, name: string): RateLimiterAbstract => {
    const inProcess = new RateLimiterMemory({ points, duration: 60 });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration: 60,
          keyPrefix: `threat-actor-intel:rate:${name}`,
          rejectIfRedisNotReady: true,
          insuranceLimiter: inProcess,
        })
      : inProcess;
  };
  const asked = limiter(limits.ratePerMinute, 'asked');
  const refused = limiter(limits.failedAuthPerMinute, 'refused-keys');
  const consume = async (
    limiter: RateLimiterAbstract,
    caller: string,
  ): Promise<{ retryAfterSeconds: number } | null> => {
    try {
      await limiter.consume(caller);
      return null;
    } catch (rejection) {
      return {
        retryAfterSeconds: Math.max(
          1,
          Math.ceil(((rejection as { msBeforeNext?: number }).msBeforeNext ?? 1000) / 1000),
        ),
      };
    }
  };
  const address = (req: IncomingMessage) => `address:${req.socket.remoteAddress ?? 'unknown'}`;
  return {
    /** A request by an authenticated caller (keyId null: anonymous). */
    request: (req: IncomingMessage, keyId: string | null) => consume(asked, keyId ? `key:${keyId}` : address(req)),
    /** A refused key: counted against the address. */
    refusedKey: (req: IncomingMessage) => consume(refused, address(req)),
    /** Whether the address is already over its refused-key limit (checked before a key is looked up). */
    blocked: async (req: IncomingMessage) => {
      const state = await refused.get(address(req));
      return state && state.consumedPoints >= limits.failedAuthPerMinute
        ? { retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) }
        : null;
    },
  };
}

/**
 * CSRF prevention: a request a browser would send cross-site without a preflight (a GET, or a form
 * content type) must carry a custom header. JSON POSTs (GraphiQL, the SDK) are unaffected.
 */
export function csrfPrevention(): Plugin {
  const inner = useCSRFPrevention({
    requestHeaders: ['x-graphql-csrf', 'x-graphql-yoga-csrf', 'apollo-require-preflight'],
  }) as Plugin;
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse!(payload);
      } catch {
        throw new GraphQLError(
          'A GET or form request needs the header "x-graphql-csrf: 1" (CSRF prevention); or POST application/json.',
          {
            extensions: { code: 'CSRF_HEADER_REQUIRED', http: { status: 403 } },
          },
        );
      }
    },
  };
}

/** Whether a value holds a NUL character anywhere (in a string, a list or an object's values). */
const holdsNul = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.includes('\0')
    : Array.isArray(value)
      ? value.some(holdsNul)
      : value !== null && typeof value === 'object'
        ? Object.values(value).some(holdsNul)
        : false;

/**
 * Text with a NUL character is refused before anything runs: PostgreSQL cannot store it, and no
 * name, description or address holds one. Checked in the variables and in the document (as a raw
 * character or the \u0000 escape of a string literal).
 */
export function refuseNulCharacters(): Plugin {
  return {
    onParams({ params }) {
      if (
        holdsNul(params.variables) ||
        (typeof params.query === 'string' && (params.query.includes('\0') || /\\u0{4}/i.test(params.query)))
      ) {
        throw new GraphQLError('Text must not contain the NUL character (U+0000).', {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
      }
    },
  };
}

/**
 * An answer's size as JSON, when known already: the response cache's stores set it on the answers they
 * hand out (Redis read it as text), so that an answer from the cache is not serialized once more only to
 * be measured (2.6 % of the CPU of cached reads).
 */
export const knownSize = Symbol('knownSize');

/**
 * The largest answer sent: past MAX_RESPONSE_BYTES an operation's answer is replaced by an error
 * (RESPONSE_TOO_LARGE) rather than sent to a client that did not expect hundreds of megabytes. The cost
 * limit refuses most such questions before they run; this catches the rest (a page of very long texts).
 * Measured as the JSON's length in UTF-16 units, which is its size in bytes for ASCII text.
 */
export function responseSizeLimit(maxBytes: number): Plugin {
  const tooLarge = (size: number) => ({
    data: null,
    errors: [
      new GraphQLError(
        `The answer is ${size} bytes, above the limit of ${maxBytes}. Ask for smaller pages or fewer fields.`,
        { extensions: { code: 'RESPONSE_TOO_LARGE', size, limit: maxBytes } },
      ),
    ],
  });
  const capped = (result: unknown) => {
    if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return result;
    const size = (result as { [knownSize]?: number })[knownSize] ?? JSON.stringify(result).length;
    if (size <= maxBytes) return result;
    // What other plugins marked on the answer (served from the cache, shared) stays true of its refusal.
    const marks = Object.getOwnPropertySymbols(result).map((k) => [k, (result as Record<symbol, unknown>)[k]]);
    return { ...tooLarge(size), ...Object.fromEntries(marks) };
  };
  return {
    onResultProcess({ result, setResult }) {
      setResult((Array.isArray(result) ? result.map(capped) : capped(result)) as typeof result);
    },
  };
}
