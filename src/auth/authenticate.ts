// One way to tell who is asking, for every door: GraphQL, STIX downloads, TAXII and imports.
import { GraphQLError } from 'graphql';
import type { Db } from '../db.js';
import { principalForKey } from './keys.js';
import { anonymous, type Principal } from './principal.js';

export class AuthError extends GraphQLError {
  constructor(message: string) {
    super(message, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
    });
  }
}

/**
 * The caller of a request, from its `Authorization: Bearer <key>` header. A key that is malformed,
 * unknown or revoked is refused (never silently downgraded to anonymous); no key at all is
 * anonymous where the settings allow it.
 */
export async function authenticate(
  prisma: Db,
  authorization: string | null | undefined,
  allowAnonymous: boolean,
): Promise<Principal> {
  if (!authorization) {
    if (allowAnonymous) return anonymous;
    throw new AuthError(
      'This API needs an API key: send "Authorization: Bearer <key>" (keys are made with `npm run keys -- create`).',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new AuthError('The Authorization header must be "Bearer <key>".');
  const principal = await principalForKey(prisma, match[1]);
  if (!principal) throw new AuthError('The API key is not valid: it is unknown or has been revoked.');
  return principal;
}
