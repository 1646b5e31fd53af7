// `npm start` (and `npm run start:prod`, built): the API server, configured from the environment (see
// README, "Configuration").
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirectoryBusyError } from './database/embedded-lock.js';
import { createLogger } from './log.js';

try {
  const config = loadConfig();
  const app = await startApp(config);
  const log = createLogger(config.logLevel);
  let stopping = false;
  // Graceful shutdown: stop taking connections, let the requests in flight finish (up to the request
  // timeout, after which they have been answered TIMEOUT anyway), then close the database.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${signal}: draining the requests in flight, then shutting down`);
    const timer = setTimeout(() => {
      log.error('requests still in flight after the drain timeout: exiting');
      process.exit(1);
    }, config.limits.requestTimeoutMs + 5_000).unref();
    await app.stop();
    clearTimeout(timer);
    log.info('shut down');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirectoryBusyError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
