import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MailWorker } from '../src/mail/mail-worker.service.js';
import { registerBuyer } from './helpers/factories.js';
import { TestSmtpServer, tokenIn } from './helpers/smtp.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { createTestDatabase } from './helpers/test-database.js';

const WEB_URL = 'https://shop.example.com/app';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('email: verification, password reset and the outbox', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let worker: MailWorker;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    // The worker is driven by the tests (runOnce), so each step is deterministic.
    t = await createTestApp({ SMTP_URL: smtp.url, WEB_URL, MAIL_WORKER: 'false' });
    worker = t.app.get(MailWorker);
  });
  afterAll(async () => {
    await t.close();
    await smtp.down();
  });

  const outbox = (recipient: string) =>
    t.dataSource.query<
      {
        status: string;
        attempts: number;
        last_error: string | null;
        text_body: string | null;
        due: boolean;
      }[]
    >(
      `SELECT status, attempts, last_error, text_body, next_attempt_at <= now() AS due
       FROM outbox WHERE recipient = $1 ORDER BY created_at`,
      [recipient],
    );
  const deliver = async () => {
    while ((await worker.runOnce()) > 0);
  };

  describe('verification', () => {
    it('registering sends a verification link; POST /email/verify confirms the address once', async () => {
      const buyer = await registerBuyer(t.http);
      expect((await t.http.get('/me').set(buyer.auth).expect(200)).body.emailVerified).toBe(false);
      await deliver();
      const [mail] = await smtp.waitFor(buyer.email);
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.text).toContain(`${WEB_URL}/verify-email?token=`);
      const token = tokenIn(mail, '/verify-email');
      expect(mail.html).toContain(`${WEB_URL}/verify-email?token=${token}`);
      // Sent, and the body (with its token) is not kept.
      expect(await outbox(buyer.email)).toEqual([
        {
          status: 'sent',
          attempts: 1,
          last_error: null,
          text_body: null,
          due: expect.any(Boolean),
        },
      ]);

      await t.http.post('/email/verify').send({ token }).expect(204);
      expect((await t.http.get('/me').set(buyer.auth).expect(200)).body.emailVerified).toBe(true);
      const again = await t.http.post('/email/verify').send({ token }).expect(400);
      expect(again.body).toEqual({
        statusCode: 400,
        code: 'TOKEN_INVALID',
        message: expect.any(String),
      });
    });

    it('400 TOKEN_INVALID for an unknown or expired token; 400 VALIDATION_FAILED for a malformed one', async () => {
      const buyer = await registerBuyer(t.http);
      await deliver();
      const token = tokenIn((await smtp.waitFor(buyer.email))[0], '/verify-email');
      await t.dataSource.query(
        `UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [buyer.id],
      );
      for (const bad of [token, 'x'.repeat(43)]) {
        const res = await t.http.post('/email/verify').send({ token: bad }).expect(400);
        expect(res.body.code).toBe('TOKEN_INVALID');
      }
      for (const body of [{}, { token: 5 }, { token: 'short' }, { token, extra: 1 }]) {
        const res = await t.http.post('/email/verify').send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      expect((await t.http.get('/me').set(buyer.auth)).body.emailVerified).toBe(false);
    });

    it('resend: a new link while unverified, nothing once verified; 401 without a token', async () => {
      const buyer = await registerBuyer(t.http);
      await t.http.post('/email/verify/resend').set(buyer.auth).expect(202);
      await deliver();
      const mails = await smtp.waitFor(buyer.email, 2);
      const [first, second] = mails.map((m) => tokenIn(m, '/verify-email'));
      expect(first).not.toBe(second);
      await t.http.post('/email/verify').send({ token: second }).expect(204);
      await t.http.post('/email/verify/resend').set(buyer.auth).expect(202);
      expect((await outbox(buyer.email)).length).toBe(2);
      await t.http.post('/email/verify/resend').expect(401);
    });

    it('escapes what a user typed in the HTML body', async () => {
      const buyer = await registerBuyer(t.http, { displayName: '<img src=x onerror=alert(1)>' });
      await deliver();
      const [mail] = await smtp.waitFor(buyer.email);
      expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(mail.html).not.toContain('<img');
      expect(mail.text).toContain('Hello <img src=x onerror=alert(1)>,');
    });
  });

  describe('password reset', () => {
    const forgot = (email: string) => t.http.post('/password/forgot').send({ email });

    it('the same answer for an unknown address, and nothing queued', async () => {
      const buyer = await registerBuyer(t.http);
      const known = await forgot(buyer.email.toUpperCase()).expect(202);
      const unknown = await forgot(`nobody-${buyer.id}@example.com`).expect(202);
      expect(unknown.body).toEqual(known.body);
      expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());
      expect(await outbox(`nobody-${buyer.id}@example.com`)).toEqual([]);
      expect((await outbox(buyer.email)).length).toBe(2);
    });

    it('end to end: the link resets the password once and ends every session', async () => {
      const buyer = await registerBuyer(t.http);
      const other = (
        await t.http.post('/login').send({ email: buyer.email, password: buyer.password })
      ).body as { access_token: string; refresh_token: string };
      await forgot(buyer.email).expect(202);
      await deliver();
      const mail = (await smtp.waitFor(buyer.email, 2)).find(
        (m) => m.subject === 'Reset your password',
      )!;
      expect(mail.text).toContain(buyer.email);
      const token = tokenIn(mail, '/reset-password');
      expect(mail.text).toContain(`${WEB_URL}/reset-password?token=${token}`);

      await t.http
        .post('/password/reset')
        .send({ token, newPassword: 'a fresh password' })
        .expect(204);
      for (const access of [buyer.token, other.access_token]) {
        await t.http.get('/me').set(bearer(access)).expect(401);
      }
      for (const refresh of [buyer.refreshToken, other.refresh_token]) {
        await t.http.post('/refresh').send({ refresh_token: refresh }).expect(401);
      }
      await t.http
        .post('/login')
        .send({ email: buyer.email, password: buyer.password })
        .expect(401);
      const login = await t.http
        .post('/login')
        .send({ email: buyer.email, password: 'a fresh password' })
        .expect(200);
      // The emailed link proved the address too.
      expect(login.body.user.emailVerified).toBe(true);

      const reused = await t.http
        .post('/password/reset')
        .send({ token, newPassword: 'another password' })
        .expect(400);
      expect(reused.body.code).toBe('TOKEN_INVALID');
    });

    it('a link is dead after 30 minutes, and when another link was used', async () => {
      const buyer = await registerBuyer(t.http);
      await forgot(buyer.email).expect(202);
      await forgot(buyer.email).expect(202);
      await deliver();
      const [a, b] = (await smtp.waitFor(buyer.email, 3))
        .filter((m) => m.subject === 'Reset your password')
        .map((m) => tokenIn(m, '/reset-password'));
      const rows = await t.dataSource.query<{ minutes: number }[]>(
        `SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes
         FROM user_tokens WHERE user_id = $1 AND purpose = 'reset_password'`,
        [buyer.id],
      );
      expect(rows.map((r) => r.minutes)).toEqual([30, 30]);
      await t.http
        .post('/password/reset')
        .send({ token: b, newPassword: 'password two' })
        .expect(204);
      const res = await t.http
        .post('/password/reset')
        .send({ token: a, newPassword: 'password one' })
        .expect(400);
      expect(res.body.code).toBe('TOKEN_INVALID');

      await forgot(buyer.email).expect(202);
      await deliver();
      const c = tokenIn((await smtp.waitFor(buyer.email, 4)).at(-1)!, '/reset-password');
      await t.dataSource.query(
        `UPDATE user_tokens SET expires_at = now() - interval '1 second'
         WHERE user_id = $1 AND used_at IS NULL`,
        [buyer.id],
      );
      await t.http
        .post('/password/reset')
        .send({ token: c, newPassword: 'password three' })
        .expect(400);
      await t.http
        .post('/login')
        .send({ email: buyer.email, password: 'password two' })
        .expect(200);
    });

    it('stores only a hash of each token', async () => {
      const buyer = await registerBuyer(t.http);
      await forgot(buyer.email).expect(202);
      await deliver();
      const tokens = (await smtp.waitFor(buyer.email, 2)).map((m) =>
        tokenIn(m, m.subject === 'Reset your password' ? '/reset-password' : '/verify-email'),
      );
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM user_tokens'));
      const outboxDump = JSON.stringify(await t.dataSource.query('SELECT * FROM outbox'));
      for (const token of tokens) {
        expect(dump).not.toContain(token);
        expect(outboxDump).not.toContain(token);
      }
    });

    it('rate limits reset emails per address (429 with Retry-After)', async () => {
      const email = `limited-${Date.now()}@example.com`;
      for (let i = 0; i < 5; i++) await forgot(email).expect(202);
      const res = await forgot(email).expect(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not affected.
      await forgot(`other-${email}`).expect(202);
    });

    it('400 for bad bodies, changing nothing', async () => {
      for (const body of [
        {},
        { email: 'not-an-email' },
        { email: null },
        { email: 'a@b.co', x: 1 },
      ]) {
        expect((await t.http.post('/password/forgot').send(body)).status).toBe(400);
      }
      for (const body of [
        { token: 'x'.repeat(43) },
        { token: 'x'.repeat(43), newPassword: 'short' },
        { token: 5, newPassword: 'long enough' },
      ]) {
        const res = await t.http.post('/password/reset').send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('delivery', () => {
    it('retries with backoff while the SMTP server is down, and delivers once it is back', async () => {
      await smtp.down();
      const buyer = await registerBuyer(t.http);
      await worker.runOnce();
      let [row] = await outbox(buyer.email);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, due: false });
      expect(row.last_error).toEqual(expect.any(String));
      // Not due yet: nothing is tried.
      await worker.runOnce();
      expect((await outbox(buyer.email))[0].attempts).toBe(1);

      // Time passes (the backoff elapses), still down: a second failed attempt.
      await t.dataSource.query(`UPDATE outbox SET next_attempt_at = now() WHERE recipient = $1`, [
        buyer.email,
      ]);
      await worker.runOnce();
      expect((await outbox(buyer.email))[0]).toMatchObject({ status: 'pending', attempts: 2 });

      await smtp.up();
      await t.dataSource.query(`UPDATE outbox SET next_attempt_at = now() WHERE recipient = $1`, [
        buyer.email,
      ]);
      await deliver();
      expect(await smtp.waitFor(buyer.email)).toHaveLength(1);
      [row] = await outbox(buyer.email);
      expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    });

    it('workers running at once deliver each message exactly once', async () => {
      const buyers = await Promise.all(Array.from({ length: 12 }, () => registerBuyer(t.http)));
      await Promise.all([worker.runOnce(5), worker.runOnce(5), worker.runOnce(5), deliver()]);
      await deliver();
      for (const buyer of buyers) {
        await smtp.waitFor(buyer.email);
      }
      const ids = smtp.messages.map((m) => m.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const buyer of buyers) expect(smtp.to(buyer.email)).toHaveLength(1);
    });
  });
});

/** Outbox rows as they stand `daysAgo` days after being queued, with SQL. */
async function insertAged(
  t: TestApp,
  rows: { status: 'pending' | 'sent' | 'failed'; daysAgo: number; count?: number }[],
): Promise<void> {
  for (const row of rows) {
    await t.dataSource.query(
      `INSERT INTO outbox (cause_key, recipient, subject, status, created_at, next_attempt_at, sent_at)
       SELECT 'aged:' || gen_random_uuid(), 'aged-' || $1 || '-' || $2 || '@example.com', 'Aged',
              $1::outbox_status, now() - make_interval(days => $2::int),
              now() - make_interval(days => $2::int),
              CASE WHEN $1 = 'sent' THEN now() - make_interval(days => $2::int) END
       FROM generate_series(1, $3::int)`,
      [row.status, String(row.daysAgo), row.count ?? 1],
    );
  }
}

const agedLeft = (t: TestApp) =>
  t.dataSource.query<{ recipient: string; n: number }[]>(
    `SELECT recipient, count(*)::int AS n FROM outbox WHERE cause_key LIKE 'aged:%'
     GROUP BY recipient ORDER BY recipient`,
  );

describe('email: outbox retention', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ MAIL_WORKER: 'false' });
  });
  afterAll(() => t.close());

  it('deletes sent and failed messages older than 30 days, in batches; never a pending one', async () => {
    await insertAged(t, [
      { status: 'sent', daysAgo: 31, count: 3 },
      { status: 'failed', daysAgo: 45 },
      { status: 'pending', daysAgo: 60 },
      { status: 'sent', daysAgo: 29 },
      { status: 'failed', daysAgo: 29 },
    ]);
    const worker = t.app.get(MailWorker);
    expect(await worker.purgeOnce(2)).toBe(2);
    expect(await worker.purgeOnce(2)).toBe(2);
    expect(await worker.purgeOnce(2)).toBe(0);
    expect(await agedLeft(t)).toEqual([
      { recipient: 'aged-failed-29@example.com', n: 1 },
      { recipient: 'aged-pending-60@example.com', n: 1 },
      { recipient: 'aged-sent-29@example.com', n: 1 },
    ]);
    await t.dataSource.query(`DELETE FROM outbox WHERE cause_key LIKE 'aged:%'`);
  });

  it('instances purging at once delete each old message once, without errors', async () => {
    await insertAged(t, [{ status: 'sent', daysAgo: 40, count: 60 }]);
    const worker = t.app.get(MailWorker);
    const counts = await Promise.all(Array.from({ length: 4 }, () => worker.purgeOnce(10)));
    let total = counts.reduce((sum, n) => sum + n, 0);
    while (true) {
      const n = await worker.purgeOnce(10);
      if (n === 0) break;
      total += n;
    }
    expect(total).toBe(60);
    expect(await agedLeft(t)).toEqual([]);
  });
});

describe('email: outbox retention in the running worker', () => {
  it('purges after MAIL_OUTBOX_RETENTION_DAYS once started, and keeps what is younger', async () => {
    const t = await createTestApp({ MAIL_WORKER: 'false', MAIL_OUTBOX_RETENTION_DAYS: '7' });
    const worker = t.app.get(MailWorker);
    try {
      await insertAged(t, [
        { status: 'sent', daysAgo: 8, count: 1200 },
        { status: 'failed', daysAgo: 8 },
        { status: 'sent', daysAgo: 6 },
      ]);
      worker.start();
      const deadline = Date.now() + 20_000;
      while ((await agedLeft(t)).length > 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await agedLeft(t)).toEqual([{ recipient: 'aged-sent-6@example.com', n: 1 }]);
    } finally {
      await worker.stop();
      await t.close();
    }
  });
});

describe('email: a crash between commit and send', () => {
  it('a new instance on the same database delivers what was committed', async () => {
    const smtp = await TestSmtpServer.start();
    const database = await createTestDatabase();
    try {
      // The first instance commits registrations (and their emails) and dies before sending.
      const first = await createTestApp({ SMTP_URL: smtp.url, MAIL_WORKER: 'false' }, database);
      const buyer = await registerBuyer(first.http);
      await first.app.close();
      expect(smtp.messages).toEqual([]);

      const second = await createTestApp({ SMTP_URL: smtp.url, MAIL_WORKER: 'true' }, database);
      try {
        const [mail] = await smtp.waitFor(buyer.email);
        expect(mail.subject).toBe('Confirm your email address');
      } finally {
        await second.app.close();
      }
    } finally {
      await database.drop();
      await smtp.down();
    }
  });
});

describe('email: without SMTP_URL', () => {
  it('writes each message as an .eml file under DATA_DIR/mail', async () => {
    const t = await createTestApp({ MAIL_WORKER: 'false' });
    try {
      const buyer = await registerBuyer(t.http);
      await t.app.get(MailWorker).runOnce();
      const dir = join(t.dataDir, 'mail');
      const files = readdirSync(dir);
      expect(files).toEqual([expect.stringMatching(/\.eml$/)]);
      const eml = readFileSync(join(dir, files[0]), 'utf8');
      expect(eml).toMatch(/^Subject: Confirm your email address$/m);
      expect(eml).toContain(`To: ${buyer.email}`);
      expect(eml).toMatch(/^Content-Type: multipart\/alternative/m);
    } finally {
      await t.close();
    }
  });
});
