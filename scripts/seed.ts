// Demo data: `npm run seed` (builds first). Stop the app before seeding the embedded database:
// it takes one process at a time. With DATABASE_URL the app may keep running.
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config/app-config.js';
import { formatSummary, runSeed, seedRefusal } from './seed-demo.js';

/** True when something answers /health on the configured port (the app, most likely). */
async function appIsRunning(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    // The app's own request and boot logs would bury the credentials: warnings only.
    config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const refusal = seedRefusal(config, process.argv.slice(2));
  if (refusal !== undefined) {
    console.error(refusal);
    return 1;
  }
  if (config.database.url === undefined && (await appIsRunning(config.port))) {
    console.error(
      `The app is running on port ${config.port}, and the embedded database (${config.dataDir}) ` +
        'serves one process at a time. Stop the app, run npm run seed, then start it again.',
    );
    return 1;
  }
  const summary = await runSeed(config);
  console.log(formatSummary(summary));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
