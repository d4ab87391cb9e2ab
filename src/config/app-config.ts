import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type NodeEnv = 'development' | 'production' | 'test';
export type StorageDriverName = 'local' | 'supabase';
export type PaymentsDriverName = 'stripe' | 'simulated';
export type PayoutsMode = 'platform' | 'connect';

export const DEFAULT_FILE_EXTENSIONS = [
  // documents and e-books
  'pdf',
  'epub',
  'mobi',
  'azw3',
  'txt',
  'md',
  'rtf',
  'doc',
  'docx',
  'odt',
  'xls',
  'xlsx',
  'ods',
  'csv',
  'ppt',
  'pptx',
  'odp',
  'key',
  'pages',
  'numbers',
  // archives
  'zip',
  '7z',
  'rar',
  'tar',
  'gz',
  'tgz',
  'bz2',
  'xz',
  // images
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'svg',
  'tif',
  'tiff',
  'heic',
  'avif',
  'bmp',
  'raw',
  'dng',
  // audio
  'mp3',
  'wav',
  'flac',
  'aac',
  'm4a',
  'ogg',
  'opus',
  'aiff',
  'mid',
  'midi',
  // video
  'mp4',
  'mov',
  'm4v',
  'mkv',
  'webm',
  'avi',
  // design, 3D and presets
  'psd',
  'ai',
  'eps',
  'indd',
  'sketch',
  'fig',
  'xd',
  'afdesign',
  'afphoto',
  'procreate',
  'blend',
  'obj',
  'fbx',
  'stl',
  'glb',
  'gltf',
  'xmp',
  'lrtemplate',
  'dng',
  'cube',
  'abr',
  'atn',
  // fonts
  'ttf',
  'otf',
  'woff',
  'woff2',
  // code and data
  'json',
  'js',
  'ts',
  'py',
  'html',
  'css',
  'ipynb',
  'sql',
  'yaml',
  'yml',
  'xml',
];

/** The typed, validated configuration. `process.env` is read only by `loadConfig`. */
export class AppConfig {
  env: NodeEnv;
  port: number;
  /** Address to listen on; undefined: every interface (Node's default, IPv4 and IPv6). */
  host?: string;
  publicUrl: string;
  dataDir: string;
  /** The built storefront served at /app/ (default: web/dist beside package.json). */
  webDir: string;
  database: DatabaseConfig & { migrationsRun: boolean; poolSize: number };
  jwt: { secret: string; expiresIn: number };
  /** Refresh tokens: a session lives this long after its last refresh. */
  sessions: { refreshTtlDays: number };
  mail: {
    /** smtp:// or smtps:// URL; without it, messages are written as .eml files under mailDir. */
    smtpUrl?: string;
    from: string;
    mailDir: string;
    /** Whether this instance runs the outbox worker (another instance or process may). */
    workerEnabled: boolean;
    /** Sent and failed outbox messages are deleted this many days after they were queued. */
    retentionDays: number;
  };
  /** The storefront: base of the links in emails. */
  webUrl: string;
  bcryptCost: number;
  storage: {
    driver: StorageDriverName;
    supabase?: { url: string; serviceRoleKey: string; bucket: string };
    maxUploadBytes: number;
    allowedExtensions: string[];
    /** Key for the HMAC of local download links, derived from JWT_SECRET. */
    linkSecret: Buffer;
  };
  downloads: { ttlSeconds: number; linksPerMinute: number };
  /**
   * Each creator's upload budget (files started and bytes received per hour, bytes kept), and
   * how long a resumable (tus) upload may take before it and its bytes are deleted.
   */
  uploads: { perHour: number; bytesPerHour: number; quotaBytes: number; sessionTtlHours: number };
  payments: {
    driver: PaymentsDriverName;
    stripe?: {
      secretKey: string;
      webhookSecret?: string;
      /** Signing secret of the Connect webhook endpoint (events of connected accounts). */
      connectWebhookSecret?: string;
      apiBase?: string;
      /** Per request to Stripe, and how many times a failed request is retried. */
      timeoutMs: number;
      maxNetworkRetries: number;
    };
    allowSimulated: boolean;
  };
  /** How creators are paid: by the operator (`platform`) or by Stripe Connect (`connect`). */
  payouts: {
    mode: PayoutsMode;
    /** The platform fee on each paid sale in `connect` mode, in basis points of the price. */
    feeBps: number;
    /** Added to that fee, in the sale currency's minor units. */
    feeFixedCents: number;
  };
  allowedCurrencies: string[];
  authRateLimitPerMinute: number;
  /** Requests per buyer per minute to the routes that may call the payment provider. */
  paymentRequestsPerMinute: number;
  corsOrigins: string[];
  /**
   * Express's `trust proxy`: false, a number of proxy hops (the nearest ones), or the addresses
   * and subnets of trusted proxies. Never `true`, which trusts a client-chosen X-Forwarded-For.
   */
  trustProxy: false | number | string[];
  /** Failed sign-ins one account (normalised email) may take per 15 minutes, from anywhere. */
  loginFailuresPerAccount: number;
  /**
   * How long a client may take to send a request, in seconds: its headers; the body of every
   * route but the uploads (counted from the end of the headers); the body of an upload. Answers
   * are not bounded: a download may stream for as long as the client reads.
   */
  requestTimeouts: { headersSeconds: number; bodySeconds: number; uploadSeconds: number };
  redisUrl?: string;
  logLevel: string;
}

/** What the database commands need: no secrets, payments or storage. */
export interface DatabaseConfig {
  /** A PostgreSQL server; undefined: the embedded database under `dataDir`. */
  url?: string;
  /** How long to keep trying to reach the server at boot before giving up. */
  connectRetrySeconds: number;
}

/**
 * The directory of the app's package.json (the repository, or /app in the image), wherever the
 * process was started from: dist/src/config/ when built, src/config/ under the tests.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export class ConfigError extends Error {
  /** Each problem starts with the name of its variable: `NAME: reason`. */
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }

  /** The variables at fault, in the order of the problems. */
  get variables(): string[] {
    return this.problems.map((problem) => problem.split(':', 1)[0]);
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    this.problems.push(`${name}: must be true or false (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problems.push(`${name}: must be a ${protocols.join(' or ')} URL`);
      return undefined;
    }
  }

  /** An IP address or a host name to listen on. */
  host(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (isIP(value) === 0 && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(value)) {
      this.problems.push(`${name}: must be an IP address or a host name (got "${value}")`);
      return undefined;
    }
    return value;
  }

  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
}

/**
 * DATABASE_URL, with DATABASE_PASSWORD (taken as is) put in as its password: a password with
 * `@ : / # ? %` needs no URL escaping that way, which Compose files and secret stores cannot do.
 */
function databaseUrl(r: Reader): string | undefined {
  const url = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const password = r.raw('DATABASE_PASSWORD');
  if (url === undefined || password === undefined) {
    if (password !== undefined && r.raw('DATABASE_URL') === undefined) {
      r.problems.push('DATABASE_PASSWORD: needs DATABASE_URL (the server it is the password of)');
    }
    return url;
  }
  const withPassword = new URL(url);
  withPassword.password = encodeURIComponent(password);
  return withPassword.href;
}

function readDatabase(r: Reader): DatabaseConfig {
  return {
    url: databaseUrl(r),
    connectRetrySeconds: r.int('DB_CONNECT_RETRY_SECONDS', 30, 0, 3600),
  };
}

/**
 * Only what the database commands (`node dist/scripts/db.js run`, a release step) read:
 * DATABASE_URL (and DATABASE_PASSWORD), or DATA_DIR for the embedded database. The rest of the
 * app's configuration (JWT secret, payments, storage) may be unset there.
 */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig & { dataDir: string } {
  const r = new Reader(env);
  const database = readDatabase(r);
  const dataDir = resolve(r.string('DATA_DIR', './data'));
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { ...database, dataDir };
}

/** Names Express's `trust proxy` accepts for the private ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** True when `value` is an IP address or a subnet in CIDR notation (10.0.0.0/8, fd00::/8). */
function isAddressOrSubnet(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (or 0), a number of hops, `true` (one hop: the nearest proxy), or a
 * comma-separated list of proxy addresses, subnets and the names loopback, linklocal, uniquelocal.
 */
function trustProxy(r: Reader): false | number | string[] {
  const value = r.raw('TRUST_PROXY')?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((e) => !PROXY_RANGE_NAMES.includes(e) && !isAddressOrSubnet(e));
  if (bad !== undefined) {
    r.problems.push(
      `TRUST_PROXY: must be false, true (one hop), a number of hops, or proxy addresses and subnets such as 10.0.0.0/8 (got "${bad}")`,
    );
    return false;
  }
  return entries;
}

const MIN_SECRET_BYTES = 32;

/** In development a generated secret is kept in DATA_DIR so tokens survive a restart. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

const DEFAULT_MAIL_FROM = 'Creator Files <no-reply@localhost>';

/** A sender as `Name <address>` or a bare address; anything else (a header injection) is refused. */
function mailFrom(r: Reader): string {
  const value = r.string('MAIL_FROM', DEFAULT_MAIL_FROM);
  const address = /^(?:[^<>\r\n"]{0,100}<([^<>\s@]+@[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+))$/.exec(
    value,
  );
  if (address === null) {
    r.problems.push(`MAIL_FROM: must be an address or "Name <address>" (got "${value}")`);
    return DEFAULT_MAIL_FROM;
  }
  return value;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const nodeEnv = r.oneOf<NodeEnv>(
    'NODE_ENV',
    ['development', 'production', 'test'],
    'development',
  );
  const production = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 0, 65535);
  const host = r.host('HOST');
  const publicUrl = (
    r.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`
  ).replace(/\/+$/, '');
  const dataDir = resolve(r.string('DATA_DIR', './data'));

  let jwtSecret = r.raw('JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES) {
    r.problems.push(`JWT_SECRET: must be at least ${MIN_SECRET_BYTES} bytes`);
  } else if (jwtSecret === undefined && production) {
    r.problems.push(`JWT_SECRET: required in production (at least ${MIN_SECRET_BYTES} bytes)`);
  }

  const storageDriver = r.oneOf<StorageDriverName>(
    'STORAGE_DRIVER',
    ['local', 'supabase'],
    'local',
  );
  let supabase: AppConfig['storage']['supabase'];
  if (storageDriver === 'supabase') {
    const url = r.url('SUPABASE_URL', ['http:', 'https:']);
    const serviceRoleKey = r.raw('SUPABASE_SERVICE_ROLE_KEY') ?? r.raw('SUPABASE_KEY');
    if (url === undefined && r.raw('SUPABASE_URL') === undefined) {
      r.problems.push('SUPABASE_URL: required when STORAGE_DRIVER=supabase');
    }
    if (serviceRoleKey === undefined) {
      r.problems.push('SUPABASE_SERVICE_ROLE_KEY: required when STORAGE_DRIVER=supabase');
    }
    supabase = {
      url: url ?? '',
      serviceRoleKey: serviceRoleKey ?? '',
      bucket: r.string('SUPABASE_BUCKET', 'products'),
    };
  }

  const stripeKey = r.raw('STRIPE_SECRET_KEY');
  const paymentsDriver = r.oneOf<PaymentsDriverName>(
    'PAYMENTS_DRIVER',
    ['stripe', 'simulated'],
    stripeKey ? 'stripe' : 'simulated',
  );
  const allowSimulated = r.bool('ALLOW_SIMULATED_PAYMENTS', false);
  let stripe: AppConfig['payments']['stripe'];
  if (paymentsDriver === 'stripe') {
    if (stripeKey === undefined) {
      r.problems.push('STRIPE_SECRET_KEY: required when PAYMENTS_DRIVER=stripe');
    }
    const webhookSecret = r.raw('STRIPE_WEBHOOK_SECRET');
    if (webhookSecret === undefined && production) {
      r.problems.push('STRIPE_WEBHOOK_SECRET: required in production with Stripe payments');
    }
    stripe = {
      secretKey: stripeKey ?? '',
      webhookSecret,
      connectWebhookSecret: r.raw('STRIPE_CONNECT_WEBHOOK_SECRET'),
      apiBase: r.url('STRIPE_API_BASE', ['http:', 'https:']),
      timeoutMs: r.int('STRIPE_TIMEOUT_MS', 10_000, 100, 120_000),
      maxNetworkRetries: r.int('STRIPE_MAX_NETWORK_RETRIES', 2, 0, 10),
    };
  } else if (production && !allowSimulated) {
    r.problems.push(
      'PAYMENTS_DRIVER: simulated payments are refused in production; set STRIPE_SECRET_KEY, or ALLOW_SIMULATED_PAYMENTS=true for a demo',
    );
  }

  const payoutsMode = r.oneOf<PayoutsMode>('PAYOUTS_MODE', ['platform', 'connect'], 'platform');
  if (
    payoutsMode === 'connect' &&
    paymentsDriver === 'stripe' &&
    production &&
    stripe?.connectWebhookSecret === undefined
  ) {
    // Without account.updated events a creator's status changes only when they ask for it.
    r.problems.push(
      'STRIPE_CONNECT_WEBHOOK_SECRET: required in production with PAYOUTS_MODE=connect (the Connect webhook endpoint)',
    );
  }
  const payouts: AppConfig['payouts'] = {
    mode: payoutsMode,
    feeBps: r.int('PLATFORM_FEE_BPS', 500, 0, 10_000),
    feeFixedCents: r.int('PLATFORM_FEE_FIXED_CENTS', 0, 0, 99_999_999),
  };

  const currencies = r.list('ALLOWED_CURRENCIES', ['usd', 'eur', 'gbp', 'cad', 'aud', 'jpy']);
  const badCurrency = currencies.find((c) => !/^[a-z]{3}$/.test(c));
  if (badCurrency !== undefined) {
    r.problems.push(`ALLOWED_CURRENCIES: "${badCurrency}" is not a lower-case ISO 4217 code`);
  }
  const extensions = r
    .list('ALLOWED_FILE_EXTENSIONS', DEFAULT_FILE_EXTENSIONS)
    .map((e) => e.replace(/^\./, '').toLowerCase());

  const corsOrigins = r.list('CORS_ORIGINS', []).map((origin) => {
    try {
      return new URL(origin).origin;
    } catch {
      r.problems.push(
        `CORS_ORIGINS: "${origin}" is not an origin such as https://shop.example.com`,
      );
      return origin;
    }
  });

  const requestTimeouts: AppConfig['requestTimeouts'] = {
    headersSeconds: r.int('HEADERS_TIMEOUT_SECONDS', 60, 1, 3600),
    // The largest body outside the uploads is 100 kB (JSON and forms): 30 s is enough down to
    // about 30 kbit/s, and a client dripping a body holds a connection for at most that long.
    bodySeconds: r.int('REQUEST_TIMEOUT_SECONDS', 30, 1, 3600),
    uploadSeconds: r.int('UPLOAD_TIMEOUT_SECONDS', 3600, 1, 7 * 24 * 3600),
  };
  // The upload limit is the server's own (Node's requestTimeout, for every request), so the
  // others cannot be longer.
  for (const [name, seconds] of [
    ['HEADERS_TIMEOUT_SECONDS', requestTimeouts.headersSeconds],
    ['REQUEST_TIMEOUT_SECONDS', requestTimeouts.bodySeconds],
  ] as const) {
    if (seconds > requestTimeouts.uploadSeconds) {
      r.problems.push(
        `${name}: must not be longer than UPLOAD_TIMEOUT_SECONDS (${requestTimeouts.uploadSeconds})`,
      );
    }
  }

  const config: AppConfig = {
    env: nodeEnv,
    port,
    host,
    publicUrl,
    dataDir,
    webDir: resolve(r.raw('WEB_DIR') ?? join(packageRoot(), 'web', 'dist')),
    database: {
      ...readDatabase(r),
      migrationsRun: r.bool('DB_MIGRATIONS_RUN', true),
      poolSize: r.int('DB_POOL_SIZE', 10, 1, 1000),
    },
    jwt: { secret: '', expiresIn: r.int('JWT_EXPIRES_IN', 900, 60, 24 * 3600) },
    sessions: { refreshTtlDays: r.int('REFRESH_TOKEN_TTL_DAYS', 30, 1, 365) },
    mail: {
      smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
      from: mailFrom(r),
      mailDir: join(dataDir, 'mail'),
      workerEnabled: r.bool('MAIL_WORKER', true),
      retentionDays: r.int('MAIL_OUTBOX_RETENTION_DAYS', 30, 1, 3650),
    },
    webUrl: (r.url('WEB_URL', ['http:', 'https:']) ?? `${publicUrl}/app`).replace(/\/+$/, ''),
    bcryptCost: r.int('BCRYPT_COST', 12, 4, 15),
    storage: {
      driver: storageDriver,
      supabase,
      // 2 GiB: video courses and sample packs of a gigabyte or more go through on a fresh install.
      maxUploadBytes: r.int('MAX_UPLOAD_BYTES', 2147483648, 1, Number.MAX_SAFE_INTEGER),
      allowedExtensions: [...new Set(extensions)],
      linkSecret: Buffer.alloc(0),
    },
    downloads: {
      ttlSeconds: r.int('DOWNLOAD_URL_TTL_SECONDS', 60, 1, 3600),
      linksPerMinute: r.int('DOWNLOAD_LINKS_PER_MINUTE', 30, 1, 100000),
    },
    uploads: {
      perHour: r.int('UPLOADS_PER_HOUR', 120, 1, 1_000_000),
      // 20 GiB an hour, 100 GiB kept: ten full-size courses in an hour, a large catalogue.
      bytesPerHour: r.int('UPLOAD_BYTES_PER_HOUR', 20 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      quotaBytes: r.int('STORAGE_QUOTA_BYTES', 100 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      sessionTtlHours: r.int('UPLOAD_SESSION_TTL_HOURS', 24, 1, 24 * 30),
    },
    payments: { driver: paymentsDriver, stripe, allowSimulated },
    payouts,
    allowedCurrencies: currencies,
    authRateLimitPerMinute: r.int('AUTH_RATE_LIMIT_PER_MINUTE', 10, 1, 100000),
    paymentRequestsPerMinute: r.int('PAYMENT_REQUESTS_PER_MINUTE', 60, 1, 100000),
    corsOrigins,
    trustProxy: trustProxy(r),
    loginFailuresPerAccount: r.int('LOGIN_FAILURES_PER_ACCOUNT', 10, 1, 100000),
    requestTimeouts,
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    logLevel: r.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
  };

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  jwtSecret ??= developmentSecret(dataDir);
  config.jwt.secret = jwtSecret;
  // Download links get their own key, derived from the one secret an operator manages.
  config.storage.linkSecret = Buffer.from(
    hkdfSync('sha256', jwtSecret, '', 'creator-files download links', 32),
  );
  return config;
}
