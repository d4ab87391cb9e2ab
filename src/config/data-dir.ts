import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, ConfigError } from './app-config.js';

/**
 * DATA_DIR holds the embedded database and the local files: when either is in use and the
 * directory cannot be written (a bind mount owned by root, while the image runs as uid 1000), the
 * app refuses to start, naming the directory and the user, rather than start and fail on the
 * first upload or purchase.
 */
export function assertDataDirWritable(config: AppConfig): void {
  if (config.database.url !== undefined && config.storage.driver !== 'local') return;
  const probe = join(config.dataDir, `.write-test-${process.pid}`);
  try {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const uid = process.getuid?.();
    throw new ConfigError([
      `DATA_DIR: ${config.dataDir} is not writable${uid === undefined ? '' : ` by uid ${uid}`} (${code}); ` +
        'it holds the embedded database and local files. In the Docker image the app runs as uid 1000: ' +
        '`chown -R 1000:1000` a directory mounted at /data, or mount a named volume',
    ]);
  }
}
