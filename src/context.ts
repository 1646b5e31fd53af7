// What every resolver receives: the request's Prisma client, settings, the caller and per-request loaders.
import type { Principal } from './auth/principal.js';
import type { Config } from './config.js';
import type { AsOfClients, Db } from './db.js';
import { createLoaders, type Loaders } from './schema/derived-loaders.js';
import { presentView, type View } from './schema/known-at.js';

export type Context = {
  prisma: Db;
  config: Pick<Config, 'pageSize' | 'limits'>;
  /** Who is asking: every read filters by their clearance, every write checks their role. */
  principal: Principal;
  loaders: Loaders;
  /** The date the request asks the sources' knowledge at (`knownAt`), read from it before it runs. */
  view: View;
};

export function createContext(
  prisma: Db,
  config: Context['config'],
  principal: Principal,
  view: View = presentView,
): Context {
  return {
    prisma,
    config,
    principal,
    view,
    loaders: createLoaders(prisma, config.pageSize, principal.clearance, 'auto', view.knownAt),
  };
}

/**
 * A request's context: one that asks `asOf` reads that moment's snapshot through its own client (asked
 * before the change log starts, its root fields refuse).
 */
export async function requestContext(
  prisma: Db,
  config: Context['config'],
  principal: Principal,
  view: View,
  asOf: AsOfClients | undefined,
): Promise<Context> {
  if (!view.asOf || view.conflicting || !asOf) return createContext(prisma, config, principal, view);
  const snapshot = await asOf.at(view.asOf, principal.clearance);
  return 'prisma' in snapshot
    ? createContext(snapshot.prisma, config, principal, view)
    : createContext(prisma, config, principal, { ...view, beforeLog: { firstAt: snapshot.before } });
}
