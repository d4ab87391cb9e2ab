import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { MailWorker } from '../src/mail/mail-worker.service.js';
import { registerBuyer } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// One app per file: nestjs-pino keeps the first app's logger for the whole process.
describe('logs of sessions and email', () => {
  const lines: string[] = [];
  let t: TestApp;
  let app: NestExpressApplication;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'trace' }, undefined, {
      logDestination: { write: (line) => lines.push(line) },
    });
    app = t.app;
  });
  afterAll(() => t.close());

  it('name the .eml file of each message, and carry no token of any kind', async () => {
    const http = request(app.getHttpServer());
    const worker = app.get(MailWorker);
    const buyer = await registerBuyer(http);
    await http.post('/password/forgot').send({ email: buyer.email }).expect(202);
    await worker.runOnce();

    const dir = join(t.dataDir, 'mail');
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    const links: Record<string, string> = {};
    for (const file of files) {
      const parsed = await simpleParser(readFileSync(join(dir, file)));
      const link = /\/(verify-email|reset-password)\?token=([\w-]+)/.exec(parsed.text ?? '');
      if (link !== null) links[link[1]] = link[2];
      // One line per message, with its path.
      expect(lines.filter((line) => line.includes(join(dir, file)))).toHaveLength(1);
    }
    const { 'verify-email': verifyToken, 'reset-password': resetToken } = links;
    expect([verifyToken, resetToken]).toEqual([expect.any(String), expect.any(String)]);

    await http.post('/email/verify').send({ token: verifyToken }).expect(204);
    await http
      .post('/password/reset')
      .send({ token: resetToken, newPassword: 'new password!' })
      .expect(204);
    const login = await http
      .post('/login')
      .send({ email: buyer.email, password: 'new password!' })
      .expect(200);
    const refreshed = await http
      .post('/refresh')
      .set('Cookie', `refresh_token=${encodeURIComponent(login.body.refresh_token as string)}`)
      .expect(200);
    // A replay, which is logged as a warning.
    await http.post('/refresh').send({ refresh_token: login.body.refresh_token }).expect(401);

    const secrets = [
      verifyToken,
      resetToken,
      buyer.token,
      buyer.refreshToken,
      login.body.access_token as string,
      login.body.refresh_token as string,
      refreshed.body.access_token as string,
      refreshed.body.refresh_token as string,
    ];
    // The secret part of each refresh token too (the part before the dot is the session id).
    secrets.push(...secrets.filter((s) => s.includes('.')).map((s) => s.split('.').at(-1)!));
    expect(lines.length).toBeGreaterThan(10);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
