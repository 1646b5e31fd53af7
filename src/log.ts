// Every line the server logs goes through pino: one JSON object per line on standard output, with the
// level as a word, the time in ISO 8601, and the request's id, key id, operation and duration on the
// line that closes each request (see server.ts). LOG_LEVEL sets the level.
import { pino } from 'pino';
import type { Config } from './config.js';

export type Logger = pino.Logger;

export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: undefined,
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** yoga's logger (its debug lines, and what it reports itself) as pino lines at the same levels. */
export const yogaLogger = (log: Logger) => ({
  debug: (...args: unknown[]) => log.debug({ detail: args.slice(1) }, String(args[0])),
  info: (...args: unknown[]) => log.info({ detail: args.slice(1) }, String(args[0])),
  warn: (...args: unknown[]) => log.warn({ detail: args.slice(1) }, String(args[0])),
  error: (...args: unknown[]) => log.error({ detail: args.slice(1) }, String(args[0])),
});
