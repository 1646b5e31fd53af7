// What every resolver receives: the request's Prisma client, settings, the caller and per-request loaders.
import type { Principal } from './auth/principal.js';
import type { Config } from './config.js';
import type { Db } from './db.js';
import { createLoaders, type Loaders } from './schema/derived-loaders.js';

export type Context = {
  prisma: Db;
  config: Pick<Config, 'pageSize' | 'limits'>;
  /** Who is asking: every read filters by their clearance, every write checks their role. */
  principal: Principal;
  loaders: Loaders;
};

export function createContext(prisma: Db, config: Context['config'], principal: Principal): Context {
  return { prisma, config, principal, loaders: createLoaders(prisma, config.pageSize, principal.clearance) };
}
