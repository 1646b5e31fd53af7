// What every resolver receives: the request's Prisma client, settings and per-request loaders.
import type { Config } from './config.js';
import type { Db } from './db.js';
import { createLoaders, type Loaders } from './schema/derived-loaders.js';

export type Context = {
  prisma: Db;
  config: Pick<Config, 'pageSize'>;
  loaders: Loaders;
};

export function createContext(prisma: Db, config: Context['config']): Context {
  return { prisma, config, loaders: createLoaders(prisma, config.pageSize) };
}
