import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Settings for a laptop-sized database, on top of PGlite's own start parameters. PGlite's
 * initdb writes PostgreSQL's server defaults (shared_buffers = 128MB), and PGlite touches its
 * shared memory at start: the buffers alone were 128 MB of the app's resident memory at idle.
 * Pages that miss these buffers come from the operating system's file cache, not the disk.
 * PGlite runs one backend in single-user mode (no other connections, no workers): the lock and
 * process tables need room for that one, not for the server default of 100 connections.
 */
export const EMBEDDED_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
  max_connections: '5',
  max_locks_per_transaction: '32',
  max_prepared_transactions: '0',
};

const startParams = [
  ...PGlite.defaultStartParams,
  ...Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

/**
 * Creates a new data directory (initdb) in a child process. In the process that serves the app,
 * initdb's own PGlite instance left about 400 MB of WebAssembly memory behind until a full
 * garbage collection, which an idle server may not run for a long time (a worker thread's
 * memory did not all go back to the system either); a child's is gone when it exits.
 */
async function initDataDir(dataDir: string): Promise<void> {
  // The CommonJS build, loaded by path, so the child needs nothing of the app.
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `const [pglite, dataDir, params] = process.argv.slice(1);
    require(pglite).PGlite.create(dataDir, { startParams: JSON.parse(params) })
      .then((db) => db.close());`;
  await new Promise<void>((done, fail) => {
    execFile(
      process.execPath,
      ['-e', script, pglite, dataDir, JSON.stringify(startParams)],
      (error, _stdout, stderr) =>
        error === null
          ? done()
          : fail(new Error(`Creating the embedded database failed: ${stderr || error.message}`)),
    );
  });
}

/**
 * PostgreSQL embedded in the process (PGlite), served over the wire protocol on 127.0.0.1 so
 * that the app uses the same `pg` driver and TypeORM `postgres` dialect as in production.
 * PGlite is one session: it takes exactly one client connection (pool size 1).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  /** `dataDir` keeps the data on disk; without it the database lives in memory. */
  static async start(dataDir?: string): Promise<EmbeddedPostgres> {
    if (dataDir !== undefined) {
      // PGlite creates only the last segment of the path.
      mkdirSync(dirname(dataDir), { recursive: true });
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await initDataDir(dataDir);
    }
    const db = await PGlite.create(dataDir ?? 'memory://', { startParams });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    return new EmbeddedPostgres(db, server, url);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    if (!this.db.closed) await this.db.close();
  }
}
