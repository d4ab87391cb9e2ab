import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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
    }
    const db = await PGlite.create(dataDir ?? 'memory://');
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
