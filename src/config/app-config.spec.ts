import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'pg-connection-string';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import { ConfigError, loadConfig, loadDatabaseConfig } from './app-config.js';
import { assertDataDirWritable } from './data-dir.js';

// A JWT secret is always given so loadConfig never writes one into a data directory.
const base = { JWT_SECRET: 'x'.repeat(32), DATA_DIR: '/nonexistent/creator-files-spec' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig: the storefront', () => {
  it('serves web/dist beside package.json by default, whatever the working directory', () => {
    const repository = join(import.meta.dirname, '..', '..');
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(loadConfig(base).webDir).toBe(join(repository, 'web', 'dist'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes WEB_DIR, relative to the working directory', () => {
    expect(loadConfig({ ...base, WEB_DIR: '/srv/shop' }).webDir).toBe('/srv/shop');
    expect(loadConfig({ ...base, WEB_DIR: 'build' }).webDir).toBe(join(process.cwd(), 'build'));
  });
});

describe('loadConfig: uploads', () => {
  it('takes a file of a gigabyte or more by default (2 GiB), and MAX_UPLOAD_BYTES sets it', () => {
    expect(loadConfig(base).storage.maxUploadBytes).toBe(2 * 1024 ** 3);
    expect(loadConfig({ ...base, MAX_UPLOAD_BYTES: '1048576' }).storage.maxUploadBytes).toBe(
      1048576,
    );
    expect(problems({ MAX_UPLOAD_BYTES: '0' })).toEqual([
      expect.stringContaining('MAX_UPLOAD_BYTES'),
    ]);
  });
});

describe('loadConfig: upload budget and payment requests', () => {
  it('has generous defaults', () => {
    const config = loadConfig(base);
    expect(config.uploads).toEqual({
      perHour: 120,
      bytesPerHour: 20 * 1024 ** 3,
      quotaBytes: 100 * 1024 ** 3,
      sessionTtlHours: 24,
    });
    expect(config.paymentRequestsPerMinute).toBe(60);
  });

  it('reads each variable, and names the one that is wrong', () => {
    const config = loadConfig({
      ...base,
      UPLOADS_PER_HOUR: '5',
      UPLOAD_BYTES_PER_HOUR: '1000',
      STORAGE_QUOTA_BYTES: '2000',
      UPLOAD_SESSION_TTL_HOURS: '2',
      PAYMENT_REQUESTS_PER_MINUTE: '7',
    });
    expect(config.uploads).toEqual({
      perHour: 5,
      bytesPerHour: 1000,
      quotaBytes: 2000,
      sessionTtlHours: 2,
    });
    expect(config.paymentRequestsPerMinute).toBe(7);
    for (const name of [
      'UPLOADS_PER_HOUR',
      'UPLOAD_BYTES_PER_HOUR',
      'STORAGE_QUOTA_BYTES',
      'UPLOAD_SESSION_TTL_HOURS',
      'PAYMENT_REQUESTS_PER_MINUTE',
    ]) {
      expect(problems({ [name]: '0' })).toEqual([expect.stringContaining(name)]);
      expect(problems({ [name]: '1.5' })).toEqual([expect.stringContaining(name)]);
    }
  });
});

describe('loadConfig: payments', () => {
  it('uses the simulated driver when no Stripe key is set', () => {
    const config = loadConfig(base);
    expect(config.payments).toEqual({
      driver: 'simulated',
      stripe: undefined,
      allowSimulated: false,
    });
  });

  it('uses Stripe when a secret key is set', () => {
    const config = loadConfig({
      ...base,
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_123',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
    });
    expect(config.payments.driver).toBe('stripe');
    expect(config.payments.stripe).toEqual({
      secretKey: 'sk_test_123',
      webhookSecret: 'whsec_123',
      apiBase: 'http://127.0.0.1:12111',
      timeoutMs: 10_000,
      maxNetworkRetries: 2,
    });
  });

  it('reads the Stripe timeout and retries, within bounds', () => {
    const config = loadConfig({
      ...base,
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_TIMEOUT_MS: '300',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    });
    expect(config.payments.stripe).toMatchObject({ timeoutMs: 300, maxNetworkRetries: 0 });
    expect(() =>
      loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_TIMEOUT_MS: '5' }),
    ).toThrow(/STRIPE_TIMEOUT_MS/);
  });

  it('lets PAYMENTS_DRIVER choose the simulated driver despite a key', () => {
    const config = loadConfig({
      ...base,
      STRIPE_SECRET_KEY: 'sk_test_123',
      PAYMENTS_DRIVER: 'simulated',
    });
    expect(config.payments.driver).toBe('simulated');
  });

  it('refuses PAYMENTS_DRIVER=stripe without a key, and unknown drivers', () => {
    expect(problems({ PAYMENTS_DRIVER: 'stripe' })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: required/),
    ]);
    expect(problems({ PAYMENTS_DRIVER: 'paypal' })).toEqual([
      expect.stringMatching(/^PAYMENTS_DRIVER: must be one of stripe, simulated/),
    ]);
  });

  it('refuses a STRIPE_API_BASE that is not an http(s) URL', () => {
    expect(
      problems({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_API_BASE: 'ftp://example.com' }),
    ).toEqual([expect.stringMatching(/^STRIPE_API_BASE:/)]);
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production' };

    it('refuses simulated payments', () => {
      expect(problems(production)).toEqual([
        expect.stringMatching(/^PAYMENTS_DRIVER: simulated payments are refused in production/),
      ]);
      expect(problems({ ...production, PAYMENTS_DRIVER: 'simulated' })).toHaveLength(1);
    });

    it('allows them with ALLOW_SIMULATED_PAYMENTS=true, for demos', () => {
      const config = loadConfig({ ...base, ...production, ALLOW_SIMULATED_PAYMENTS: 'true' });
      expect(config.payments).toMatchObject({ driver: 'simulated', allowSimulated: true });
      expect(problems({ ...production, ALLOW_SIMULATED_PAYMENTS: 'maybe' })).toEqual([
        expect.stringMatching(/^ALLOW_SIMULATED_PAYMENTS: must be true or false/),
        expect.stringMatching(/^PAYMENTS_DRIVER: simulated payments are refused/),
      ]);
    });

    it('requires the webhook secret with Stripe', () => {
      expect(problems({ ...production, STRIPE_SECRET_KEY: 'sk_live_123' })).toEqual([
        expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required in production/),
      ]);
      const config = loadConfig({
        ...base,
        ...production,
        STRIPE_SECRET_KEY: 'sk_live_123',
        STRIPE_WEBHOOK_SECRET: 'whsec_123',
      });
      expect(config.payments.driver).toBe('stripe');
    });
  });
});

describe('loadConfig: payouts', () => {
  it('defaults to platform mode with a 5% fee and no fixed part', () => {
    expect(loadConfig(base).payouts).toEqual({ mode: 'platform', feeBps: 500, feeFixedCents: 0 });
  });

  it('reads connect mode, the fee and the Connect webhook secret', () => {
    const config = loadConfig({
      ...base,
      PAYOUTS_MODE: 'connect',
      PLATFORM_FEE_BPS: '250',
      PLATFORM_FEE_FIXED_CENTS: '30',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect',
    });
    expect(config.payouts).toEqual({ mode: 'connect', feeBps: 250, feeFixedCents: 30 });
    expect(config.payments.stripe?.connectWebhookSecret).toBe('whsec_connect');
  });

  it('refuses an unknown mode and a fee over 100%', () => {
    expect(
      problems({
        PAYOUTS_MODE: 'direct',
        PLATFORM_FEE_BPS: '10001',
        PLATFORM_FEE_FIXED_CENTS: '-1',
      }),
    ).toEqual([
      expect.stringMatching(/^PAYOUTS_MODE: must be one of platform, connect/),
      expect.stringMatching(/^PLATFORM_FEE_BPS: must be a whole number from 0 to 10000/),
      expect.stringMatching(/^PLATFORM_FEE_FIXED_CENTS: must be a whole number/),
    ]);
  });

  it('requires the Connect webhook secret in production with Stripe in connect mode', () => {
    const env = {
      NODE_ENV: 'production',
      PAYOUTS_MODE: 'connect',
      STRIPE_SECRET_KEY: 'sk_live_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_123',
    };
    expect(problems(env)).toEqual([
      expect.stringMatching(/^STRIPE_CONNECT_WEBHOOK_SECRET: required in production/),
    ]);
    expect(problems({ ...env, STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_c' })).toEqual([]);
  });
});

describe('loadConfig: sessions and email', () => {
  it('defaults: 15-minute access tokens, 30-day sessions, .eml files, WEB_URL under PUBLIC_URL', () => {
    const config = loadConfig({ ...base, PUBLIC_URL: 'https://shop.example.com/' });
    expect(config.jwt.expiresIn).toBe(900);
    expect(config.sessions).toEqual({ refreshTtlDays: 30 });
    expect(config.mail).toEqual({
      smtpUrl: undefined,
      from: 'Creator Files <no-reply@localhost>',
      mailDir: '/nonexistent/creator-files-spec/mail',
      workerEnabled: true,
      retentionDays: 30,
    });
    expect(config.webUrl).toBe('https://shop.example.com/app');
  });

  it('reads REFRESH_TOKEN_TTL_DAYS, SMTP_URL, MAIL_FROM, WEB_URL and MAIL_OUTBOX_RETENTION_DAYS', () => {
    const config = loadConfig({
      ...base,
      REFRESH_TOKEN_TTL_DAYS: '7',
      MAIL_OUTBOX_RETENTION_DAYS: '90',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
      MAIL_FROM: 'Shop <sales@example.com>',
      WEB_URL: 'https://example.com/store/',
    });
    expect(config.sessions.refreshTtlDays).toBe(7);
    expect(config.mail.retentionDays).toBe(90);
    expect(config.mail.smtpUrl).toBe('smtps://user:pass@smtp.example.com:465');
    expect(config.mail.from).toBe('Shop <sales@example.com>');
    expect(config.webUrl).toBe('https://example.com/store');
    expect(loadConfig({ ...base, MAIL_FROM: 'sales@example.com' }).mail.from).toBe(
      'sales@example.com',
    );
  });

  it('names each bad value', () => {
    expect(
      problems({
        REFRESH_TOKEN_TTL_DAYS: '0',
        SMTP_URL: 'http://smtp.example.com',
        MAIL_FROM: 'x@example.com\r\nBcc: victim@example.com',
        WEB_URL: 'ftp://example.com',
        MAIL_OUTBOX_RETENTION_DAYS: '0',
      }),
    ).toEqual([
      expect.stringContaining('REFRESH_TOKEN_TTL_DAYS'),
      expect.stringContaining('SMTP_URL'),
      expect.stringContaining('MAIL_FROM'),
      expect.stringContaining('MAIL_OUTBOX_RETENTION_DAYS'),
      expect.stringContaining('WEB_URL'),
    ]);
  });
});

describe('loadConfig: listening address', () => {
  it('listens on every interface unless HOST names an address or a host name', () => {
    expect(loadConfig(base).host).toBeUndefined();
    expect(loadConfig({ ...base, HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ ...base, HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ ...base, HOST: 'localhost' }).host).toBe('localhost');
    expect(problems({ HOST: 'http://0.0.0.0' })).toEqual([expect.stringMatching(/^HOST: must be/)]);
    expect(problems({ HOST: '0.0.0.0:3000' })).toEqual([expect.stringMatching(/^HOST: must be/)]);
  });
});

describe('loadConfig: database', () => {
  const server = 'postgres://app@db.internal:5432/shop';

  it('puts DATABASE_PASSWORD into DATABASE_URL so that any password survives the URL', () => {
    const password = 'p@ss:w/o#r?d%20 x';
    const url = loadConfig({ ...base, DATABASE_URL: server, DATABASE_PASSWORD: password }).database
      .url!;
    // Both parsers on the way to the server read back the exact password: pg's and TypeORM's.
    expect(parse(url)).toMatchObject({
      user: 'app',
      host: 'db.internal',
      database: 'shop',
      password,
    });
    expect(DriverUtils.buildDriverOptions({ url })).toMatchObject({
      username: 'app',
      host: 'db.internal',
      database: 'shop',
      password,
    });
  });

  it('replaces a password already in the URL, and refuses DATABASE_PASSWORD without a URL', () => {
    const url = loadConfig({
      ...base,
      DATABASE_URL: 'postgres://app:old@db.internal/shop',
      DATABASE_PASSWORD: 'new',
    }).database.url!;
    expect(parse(url).password).toBe('new');
    expect(problems({ DATABASE_PASSWORD: 'secret' })).toEqual([
      expect.stringMatching(/^DATABASE_PASSWORD: needs DATABASE_URL/),
    ]);
  });

  it('waits 30 s for the server at boot by default; DB_CONNECT_RETRY_SECONDS sets it', () => {
    expect(loadConfig(base).database.connectRetrySeconds).toBe(30);
    expect(
      loadConfig({ ...base, DB_CONNECT_RETRY_SECONDS: '0' }).database.connectRetrySeconds,
    ).toBe(0);
    expect(problems({ DB_CONNECT_RETRY_SECONDS: '-1' })).toEqual([
      expect.stringMatching(/^DB_CONNECT_RETRY_SECONDS:/),
    ]);
  });

  it('lets the database commands run with DATABASE_URL alone, even in production', () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: server, STRIPE_SECRET_KEY: 'sk_live_1' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(loadDatabaseConfig(env)).toMatchObject({ url: server, connectRetrySeconds: 30 });
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL/);
  });

  it('names each variable at fault', () => {
    try {
      loadConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'short', PORT: 'x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).variables).toEqual(['PORT', 'JWT_SECRET', 'PAYMENTS_DRIVER']);
    }
  });
});

describe('assertDataDirWritable', () => {
  it('refuses a DATA_DIR it cannot write when the embedded database or local files use it', () => {
    const parent = mkdtempSync(join(tmpdir(), 'creator-files-data-dir-'));
    try {
      const file = join(parent, 'a-file');
      writeFileSync(file, '');
      const unusable = loadConfig({ ...base, DATA_DIR: join(file, 'data') });
      expect(() => assertDataDirWritable(unusable)).toThrow(ConfigError);
      expect(() => assertDataDirWritable(unusable)).toThrow(
        /^Invalid configuration:\n {2}- DATA_DIR: /,
      );
      // A server database and Supabase storage leave nothing in DATA_DIR: no check.
      const elsewhere = loadConfig({
        ...base,
        DATA_DIR: join(file, 'data'),
        DATABASE_URL: 'postgres://app@db/shop',
        STORAGE_DRIVER: 'supabase',
        SUPABASE_URL: 'https://example.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: 'key',
      });
      expect(() => assertDataDirWritable(elsewhere)).not.toThrow();
      const writable = loadConfig({ ...base, DATA_DIR: join(parent, 'data') });
      expect(() => assertDataDirWritable(writable)).not.toThrow();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('loadConfig: proxies and sign-in failures', () => {
  it('trusts no proxy by default, and never every hop', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '0' }).trustProxy).toBe(false);
    // true means the nearest proxy only: Express's own `true` trusts what the client wrote.
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('takes proxy addresses, subnets and the names of private ranges', () => {
    expect(
      loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,fd00::/8, loopback' }).trustProxy,
    ).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8', 'loopback']);
    for (const bad of ['yes', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/2', 'example.com', '-1']) {
      expect(problems({ TRUST_PROXY: bad })).toEqual([expect.stringContaining('TRUST_PROXY')]);
    }
  });

  it('allows 10 failed sign-ins per account by default; LOGIN_FAILURES_PER_ACCOUNT sets it', () => {
    expect(loadConfig(base).loginFailuresPerAccount).toBe(10);
    expect(loadConfig({ ...base, LOGIN_FAILURES_PER_ACCOUNT: '3' }).loginFailuresPerAccount).toBe(
      3,
    );
    expect(problems({ LOGIN_FAILURES_PER_ACCOUNT: '0' })).toEqual([
      expect.stringContaining('LOGIN_FAILURES_PER_ACCOUNT'),
    ]);
  });

  it('gives headers 60 s, other bodies 30 s and uploads an hour; the upload limit bounds the others', () => {
    expect(loadConfig(base).requestTimeouts).toEqual({
      headersSeconds: 60,
      bodySeconds: 30,
      uploadSeconds: 3600,
    });
    expect(
      loadConfig({
        ...base,
        HEADERS_TIMEOUT_SECONDS: '5',
        REQUEST_TIMEOUT_SECONDS: '7',
        UPLOAD_TIMEOUT_SECONDS: '600',
      }).requestTimeouts,
    ).toEqual({ headersSeconds: 5, bodySeconds: 7, uploadSeconds: 600 });
    expect(problems({ REQUEST_TIMEOUT_SECONDS: '0' })).toEqual([
      expect.stringContaining('REQUEST_TIMEOUT_SECONDS'),
    ]);
    expect(problems({ UPLOAD_TIMEOUT_SECONDS: '20' })).toEqual([
      expect.stringContaining('HEADERS_TIMEOUT_SECONDS'),
      expect.stringContaining('REQUEST_TIMEOUT_SECONDS'),
    ]);
  });
});
