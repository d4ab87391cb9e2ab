import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/app-config.js';
import { freePort } from './helpers/ports.js';
import { watchResponses } from './helpers/openapi-validator.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

interface LogLine {
  level: number;
  msg: string;
  context?: string;
}

/** A TCP forwarder from 127.0.0.1:<port> to the database: the database "appears" when it starts. */
function forward(port: number, target: URL): Promise<{ server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((socket) => socket.destroy());
            server.close(() => done());
          }),
      }),
    ),
  );
}

describe('a database that is not up yet at boot', () => {
  let database: TestDatabase;
  const dataDirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  function configFor(databaseUrl: string, retrySeconds: string) {
    const dataDir = mkdtempSync(join(tmpdir(), 'creator-files-test-'));
    dataDirs.push(dataDir);
    return loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: database.embedded ? '1' : '5',
      DB_CONNECT_RETRY_SECONDS: retrySeconds,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
    });
  }

  it('is waited for, attempt by attempt, and the app starts once it answers', async () => {
    const port = await freePort();
    const late = new URL(database.url);
    late.port = String(port);
    const lines: LogLine[] = [];
    let proxy: Awaited<ReturnType<typeof forward>> | undefined;
    let app: NestExpressApplication | undefined;
    // The database appears once the app has been refused twice.
    const appeared = new Promise<void>((resolve) => {
      const destination = {
        write: (line: string) => {
          lines.push(JSON.parse(line) as LogLine);
          const refusals = lines.filter((l) => l.msg.startsWith('Database unreachable'));
          if (refusals.length === 2 && proxy === undefined) {
            void forward(port, new URL(database.url)).then((started) => {
              proxy = started;
              resolve();
            });
          }
        },
      };
      void createApp(configFor(late.href, '120'), { logDestination: destination }).then(
        (created) => (app = created),
      );
    });
    try {
      await appeared;
      while (app === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      await app.init();
      watchResponses(app.getHttpServer());
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      const database_ = lines.filter((l) => l.context === 'Database');
      expect(database_.slice(0, 2)).toEqual([
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^Database unreachable \(attempt 1\): .*ECONNREFUSED.*; trying again in 500 ms$/,
          ),
        }),
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^Database unreachable \(attempt 2\): .*; trying again in 1000 ms$/,
          ),
        }),
      ]);
    } finally {
      await app?.close();
      await proxy?.close();
    }
  });

  it('fails the boot after DB_CONNECT_RETRY_SECONDS, saying so', async () => {
    const nobody = new URL(database.url);
    nobody.port = String(await freePort());
    const lines: LogLine[] = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
    await expect(
      createApp(configFor(nobody.href, '1'), { logDestination: destination }),
    ).rejects.toThrow(/ECONNREFUSED/);
    const attempts = lines.filter((l) => l.msg.startsWith('Database unreachable (attempt'));
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        context: 'Database',
        msg: expect.stringMatching(
          /^Database unreachable after \d+ attempt\(s\) in 1 s \(DB_CONNECT_RETRY_SECONDS\)/,
        ),
      }),
    );
  });

  it('with DB_CONNECT_RETRY_SECONDS=0, tries once', async () => {
    const nobody = new URL(database.url);
    nobody.port = String(await freePort());
    const lines: LogLine[] = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
    await expect(
      createApp(configFor(nobody.href, '0'), { logDestination: destination }),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(lines.filter((l) => l.context === 'Database').map((l) => l.msg)).toEqual([
      expect.stringMatching(/^Database unreachable after 1 attempt\(s\) in 0 s/),
    ]);
  });
});
