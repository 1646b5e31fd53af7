// What every resolver receives: the request's Prisma client, settings, the caller and per-request loaders.
import type { Principal } from './auth/principal.js';
import type { Config } from './config.js';
import type { Db } from './db.js';
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
