// `npm start`: the API server, configured from the environment (see README, "Configuration").
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirectoryBusyError } from './database/embedded-lock.js';

try {
  const app = await startApp(loadConfig());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', message: `${signal}: shutting down` }));
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await app.stop();
    clearTimeout(timer);
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
