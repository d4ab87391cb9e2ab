import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import autocannon, { type Options as AutocannonOptions } from 'autocannon';
import pg from 'pg';

/** One figure of a scenario, printed beside the baseline it is compared with. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value; filled in by `compare` (or by run.ts when left out). */
  ratio?: number;
}

export type DatabaseChoice = { kind: 'server'; adminUrl: string } | { kind: 'embedded' };

/** What every scenario gets: the run's settings. The helpers below do the work. */
export interface BenchContext {
  /** Seconds of each measured run (BENCH_SECONDS, default 10). */
  seconds: number;
  /** Seconds of unmeasured warm-up before each measured run (BENCH_WARMUP_SECONDS, default 2). */
  warmupSeconds: number;
  /** Concurrent connections of a throughput run (BENCH_CONNECTIONS, default 50). */
  connections: number;
  database: DatabaseChoice;
  /** Progress line on stderr; the results table goes to stdout. */
  log(message: string): void;
}

/** A scenario module exports `run`; bench/scenarios.ts lists the modules. */
export interface Scenario {
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();

/** Kills whatever the helpers started (on Ctrl-C or a failed scenario). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** killAll, then drops the databases and removes the data directories of apps still running. */
export async function cleanUpAll(): Promise<void> {
  killAll();
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  cleanups.clear();
}

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** The PostgreSQL server at 127.0.0.1:5432 when `pg_isready` says it is up, else embedded. */
export function chooseDatabase(): DatabaseChoice {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { hostname, port } = new URL(adminUrl);
  const ready = spawnSync('pg_isready', ['-h', hostname, '-p', port || '5432', '-q']);
  return ready.status === 0 ? { kind: 'server', adminUrl } : { kind: 'embedded' };
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A child process whose output is kept (the tail) for the error message when it dies. */
function spawnChild(
  script: string,
  env: Record<string, string>,
  cwd: string,
  nodeArgs: string[] = [],
): { child: ChildProcess; output: () => string } {
  // The servers (app and baselines alike) may run on another Node.js than the load generator.
  const child = spawn(process.env.BENCH_NODE ?? process.execPath, [...nodeArgs, script], {
    cwd,
    // Only what we pass: no DATABASE_URL, Stripe keys or .env of the developer's shell.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => tail };
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: the process exited with ${child.exitCode}:\n${output()}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface RunningServer {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
  /** The app's database on the server (undefined on the embedded one, inside the app). */
  databaseUrl?: string;
  /** The app's DATA_DIR (local storage, embedded database). */
  dataDir?: string;
}

/**
 * Another instance beside a running app: same database, data directory and secrets. With no
 * `databaseUrl`, an app on the embedded database in `dataDir` (one at a time: stop the first).
 */
export interface SharedInstance {
  databaseUrl?: string;
  dataDir: string;
}

/** The app, with what a scenario needs to seed or inspect it. */
export interface RunningApp extends RunningServer {
  /** The app's own database on the server; undefined with the embedded one (owned by the app). */
  databaseUrl?: string;
  /** The app's DATA_DIR (local storage objects live under `storage/`). */
  dataDir: string;
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cf_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * The built app (`node dist/src/main.js`) as a child process, configured as in production, on a
 * fresh database (a new one on the server, or the embedded one in a temporary DATA_DIR).
 * `env` overrides or adds variables (e.g. BCRYPT_COST).
 */
export async function startApp(
  ctx: BenchContext,
  env: Record<string, string> = {},
  shared?: SharedInstance,
): Promise<RunningApp> {
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'creator-files-bench-'));
  // A second instance uses the first one's database and leaves dropping it to the first.
  const database =
    shared !== undefined
      ? shared.databaseUrl === undefined
        ? undefined
        : { url: shared.databaseUrl, drop: () => Promise.resolve() }
      : ctx.database.kind === 'server'
        ? await createDatabase(ctx.database.adminUrl)
        : undefined;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // BENCH_PROFILE=<dir>: the app writes a V8 CPU profile there when it is stopped.
  const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // cwd is the data directory, so a developer's .env in the repository is not loaded.
  const { child, output } = spawnChild(
    join(DIST, 'src/main.js'),
    {
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url } : {}),
      JWT_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_COST: '10',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      DOWNLOAD_LINKS_PER_MINUTE: '100000',
      PAYMENT_REQUESTS_PER_MINUTE: '100000',
      UPLOADS_PER_HOUR: '100000',
      ALLOW_SIMULATED_PAYMENTS: 'true',
      // Passed through so the effect of libuv's pool size (bcrypt runs there) can be measured.
      ...(process.env.UV_THREADPOOL_SIZE
        ? { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE }
        : {}),
      ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}),
      ...env,
    },
    dataDir,
    profileDir ? ['--import', pathToFileURL(join(DIST, 'bench/servers/cpu-profile.js')).href] : [],
  );
  const cleanup = async () => {
    cleanups.delete(cleanup);
    await stopChild(child);
    await database?.drop();
    if (shared === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  try {
    await waitForHttp(`${baseUrl}/health`, child, output);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { baseUrl, pid: child.pid!, stop: cleanup, databaseUrl: database?.url, dataDir };
}

/** A baseline server script from bench/servers as a child process, once `readyPath` answers. */
async function startServerScript(
  script: string,
  env: Record<string, string>,
  readyPath: string,
): Promise<RunningServer> {
  const port = await freePort();
  const { child, output } = spawnChild(
    join(DIST, 'bench/servers', script),
    { NODE_ENV: 'production', PORT: String(port), ...env },
    ROOT,
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}${readyPath}`, child, output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { baseUrl, pid: child.pid!, stop: () => stopChild(child) };
}

function startFixedBodyServer(
  script: string,
  body: Buffer,
  contentType: string,
  path: string,
): Promise<RunningServer> {
  return startServerScript(
    script,
    {
      BENCH_BODY_BASE64: body.toString('base64'),
      BENCH_CONTENT_TYPE: contentType,
      BENCH_PATH: path,
    },
    path,
  );
}

/** Baseline: a bare `node:http` server answering `body` on every request (child process). */
export function startBareHttp(
  body: Buffer,
  contentType: string,
  path = '/',
): Promise<RunningServer> {
  return startFixedBodyServer('bare-http.js', body, contentType, path);
}

/** Baseline: a minimal NestJS app on Express, one controller answering `body` at GET `path`. */
export function startMinimalNest(
  body: Buffer,
  contentType: string,
  path = '/',
): Promise<RunningServer> {
  return startFixedBodyServer('minimal-nest.js', body, contentType, path);
}

/**
 * Baseline: the floor for `GET /download/:productId`, a minimal NestJS app on Express doing the
 * same round trips with `pg` directly on the app's database (same pool size), answering at
 * `/download/:productId` for tokens signed with `jwtSecret`.
 */
export function startLinkFloor(options: {
  databaseUrl: string;
  jwtSecret: string;
  poolSize?: number;
  /** Its statements named prepared statements, planned once per connection. */
  prepared?: boolean;
}): Promise<RunningServer> {
  return startServerScript(
    'minimal-nest-pg.js',
    {
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: options.jwtSecret,
      DB_POOL_SIZE: String(options.poolSize ?? 10),
      BENCH_FLOOR_PREPARED: options.prepared === true ? '1' : '0',
    },
    '/ready',
  );
}

/**
 * Baseline: a bare `node:http` server streaming `file` on every GET
 * (`fs.createReadStream(file).pipe(res)`, with its length and content type).
 */
export function startFileServer(file: string, contentType: string): Promise<RunningServer> {
  return startServerScript(
    'file-stream.js',
    { BENCH_FILE: file, BENCH_CONTENT_TYPE: contentType },
    '/ready',
  );
}

/** What the SMTP sink has received so far (`lastAt`, `nthAt`: `Date.now()` of an arrival). */
export interface SmtpSinkStats {
  received: number;
  distinctIds: number;
  lastAt: number | null;
  /** When the `nth` message (1-based) arrived, if it has. */
  nthAt: number | null;
}

/**
 * A local SMTP server (smtp-server, child process) accepting every message at `smtpUrl`;
 * `stats(nth)` says how many arrived, with how many distinct Message-IDs, and when the last and
 * the `nth` one did.
 */
export async function startSmtpSink(): Promise<
  RunningServer & { smtpUrl: string; stats(nth?: number): Promise<SmtpSinkStats> }
> {
  const smtpPort = await freePort();
  const server = await startServerScript('smtp-sink.js', { SMTP_PORT: String(smtpPort) }, '/');
  return {
    ...server,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    stats: async (nth = 0) =>
      (await (await fetch(`${server.baseUrl}/stats?nth=${nth}`)).json()) as SmtpSinkStats,
  };
}

/** Baseline: a bare `node:http` server writing each POSTed body to a file, unparsed. */
export function startUploadSink(): Promise<RunningServer> {
  return startServerScript('upload-sink.js', {}, '/ready');
}

/** What a URL answers (the bytes a baseline must return). */
export async function fetchBody(
  url: string,
  init?: RequestInit,
): Promise<{ body: Buffer; contentType: string; status: number }> {
  const res = await fetch(url, init);
  return {
    body: Buffer.from(await res.arrayBuffer()),
    contentType: res.headers.get('content-type') ?? 'application/octet-stream',
    status: res.status,
  };
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Defaults to ctx.connections. */
  connections?: number;
  /** Defaults to ctx.seconds. */
  seconds?: number;
  /** Defaults to ctx.warmupSeconds; 0 for none. */
  warmupSeconds?: number;
  /** Requests per second over all connections (a paced probe); unlimited by default. */
  overallRate?: number;
  /** Seconds before a request counts as a timeout (autocannon's default is 10). */
  timeoutSeconds?: number;
  /** The server's pid: its CPU time during the measured run gives `requestsPerCpuSecond`. */
  serverPid?: number;
  /** Per-request setup (autocannon's `requests`), e.g. a fresh body for every request. */
  requests?: AutocannonOptions['requests'];
}

export interface LoadResult {
  requestsPerSec: number;
  /** Latencies in milliseconds. */
  p50: number;
  p99: number;
  max: number;
  total: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /**
   * Requests answered per second of the server's own CPU time (with `serverPid`): unlike req/s
   * it hardly moves when other processes compete for the cores.
   */
  requestsPerCpuSecond?: number;
  /** The server's CPU time (user + system) over the measured run, in seconds (with `serverPid`). */
  cpuSeconds?: number;
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, in seconds; undefined if unknown. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces: utime and stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Drives `url` with autocannon: an unmeasured warm-up, then the measured run. */
export async function load(ctx: BenchContext, options: LoadOptions): Promise<LoadResult> {
  const base = {
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? ctx.connections,
    overallRate: options.overallRate,
    timeout: options.timeoutSeconds,
    requests: options.requests,
  };
  const warmup = options.warmupSeconds ?? ctx.warmupSeconds;
  if (warmup > 0) await autocannon({ ...base, duration: warmup });
  const cpuBefore = options.serverPid === undefined ? undefined : cpuSeconds(options.serverPid);
  const result = await autocannon({ ...base, duration: options.seconds ?? ctx.seconds });
  const cpuAfter = options.serverPid === undefined ? undefined : cpuSeconds(options.serverPid);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? 0 : cpuAfter - cpuBefore;
  return {
    requestsPerCpuSecond: cpu > 0 ? result.requests.total / cpu : undefined,
    cpuSeconds: cpu > 0 ? cpu : undefined,
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Several targets measured in turns (A B C, A B C, ...) rather than one after the other, so
 * that load from other processes on a shared machine falls on all of them alike. Each target
 * gets one warm-up, then `rounds` runs of `ctx.seconds / rounds`; req/s is over all its runs,
 * latencies are the median of its runs, and requests per CPU-second (targets given a
 * `serverPid`) are all its requests over the CPU time its server used in those runs.
 */
export async function loadInTurns<K extends string>(
  ctx: BenchContext,
  targets: Record<K, LoadOptions>,
  rounds = envNumber('BENCH_ROUNDS', 3),
): Promise<Record<K, LoadResult>> {
  const names = Object.keys(targets) as K[];
  const runs = new Map<K, LoadResult[]>(names.map((name) => [name, []]));
  const seconds = Math.max(1, Math.round(ctx.seconds / rounds));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) {
      const result = await load(ctx, {
        ...targets[name],
        seconds,
        warmupSeconds: round === 0 ? targets[name].warmupSeconds : 0,
      });
      runs.get(name)!.push(result);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
  const out = {} as Record<K, LoadResult>;
  for (const name of names) {
    const r = runs.get(name)!;
    const cpu = r.every((x) => x.cpuSeconds !== undefined)
      ? sum(r.map((x) => x.cpuSeconds!))
      : undefined;
    out[name] = {
      requestsPerCpuSecond: cpu === undefined ? undefined : sum(r.map((x) => x.total)) / cpu,
      cpuSeconds: cpu,
      requestsPerSec: sum(r.map((x) => x.total)) / (seconds * r.length),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      max: Math.max(...r.map((x) => x.max)),
      total: sum(r.map((x) => x.total)),
      errors: sum(r.map((x) => x.errors)),
      non2xx: sum(r.map((x) => x.non2xx)),
    };
  }
  return out;
}

/** Throws when a run saw errors or answers other than 2xx (its figures would mean nothing). */
export function assertClean(results: Record<string, LoadResult>): void {
  for (const [name, result] of Object.entries(results)) {
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(`${name}: ${result.errors} errors and ${result.non2xx} non-2xx answers`);
    }
  }
}

/** A process's resident memory in MiB (VmRSS in /proc/<pid>/status); NaN when unknown. */
export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    // the process is gone, or not Linux
    return NaN;
  }
}

export interface RssSampler {
  /** Stops sampling; peak and mean resident memory in MiB. */
  stop(): { peakMb: number; meanMb: number; samples: number };
}

/** Samples a process's resident memory (VmRSS in /proc/<pid>/status) every `intervalMs`. */
export function sampleRss(pid: number, intervalMs = 50): RssSampler {
  const values: number[] = [];
  const read = () => {
    const value = rssMb(pid);
    if (!Number.isNaN(value)) values.push(value);
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const peakMb = values.length > 0 ? Math.max(...values) : NaN;
      const meanMb = values.reduce((sum, v) => sum + v, 0) / values.length;
      return { peakMb, meanMb, samples: values.length };
    },
  };
}

/** A figure beside its baseline, with the ratio value / baseline. */
export function compare(
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baselineValue: number,
): BenchResult {
  return {
    name,
    value,
    unit,
    baseline: { name: baselineName, value: baselineValue },
    ratio: value / baselineValue,
  };
}

/**
 * Requests per CPU-second of the server against a baseline's (both measured with `serverPid`):
 * on a shared machine req/s swings with other work, this much less. No row when either is unknown.
 */
export function comparePerCpu(
  name: string,
  value: LoadResult,
  baselineName: string,
  baseline: LoadResult,
): BenchResult[] {
  if (value.requestsPerCpuSecond === undefined || baseline.requestsPerCpuSecond === undefined)
    return [];
  return [
    compare(
      name,
      value.requestsPerCpuSecond,
      'req/CPU-s',
      baselineName,
      baseline.requestsPerCpuSecond,
    ),
  ];
}

/** A signed-up account on a running app, for scenarios that need a token. */
export async function signUp(
  baseUrl: string,
  role: 'creator' | 'buyer',
  password = 'bench password 123',
): Promise<{ email: string; password: string; token: string; userId: string }> {
  const email = `bench-${role}-${randomBytes(6).toString('hex')}@example.com`;
  const res = await fetch(`${baseUrl}/register/${role}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`register ${role}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string; user: { id: string } };
  return { email, password, token: body.access_token, userId: body.user.id };
}

/** `count` buyers inserted with SQL, for seeding at scale (no password: they cannot log in). */
export async function seedBuyers(db: Pick<pg.Client, 'query'>, count: number): Promise<void> {
  await db.query(
    `INSERT INTO users (email, password_hash, role, display_name)
    SELECT 'buyer-' || i || '@bench.example', 'x', 'buyer', 'Buyer ' || i
    FROM generate_series(1, $1::int) AS i`,
    [count],
  );
}

/**
 * `count` products of `creatorId` inserted with SQL, with placeholder file columns (no object is
 * stored). Product i costs `priceCents`, or 500 + 100 i minor units when that is not given, in
 * `currencies[i % currencies.length]`.
 */
export async function seedProducts(
  db: Pick<pg.Client, 'query'>,
  creatorId: string,
  count: number,
  prices: { priceCents?: number; currencies: readonly string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO products (creator_id, title, price_cents, currency, file_key, file_name,
      file_size, content_type, sha256)
    SELECT $1, 'Product ' || i, COALESCE($3::int, 500 + i * 100),
      ($4::text[])[1 + i % cardinality($4::text[])], 'bench/' || gen_random_uuid(), 'file.pdf', 1,
      'application/pdf', repeat('0', 64)
    FROM generate_series(1, $2::int) AS i`,
    [creatorId, count, prices.priceCents ?? null, prices.currencies],
  );
}

/** `size` bytes made on the fly from one random MiB: never a file, never whole in memory. */
export function generatedBytes(size: number): Readable {
  const chunk = randomBytes(Math.min(size, 1024 * 1024));
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

export interface UploadOptions {
  size: number;
  title?: string;
  priceCents?: number;
  fileName?: string;
  contentType?: string;
  /** Another target for the same request (a baseline); `/creator/upload` by default. */
  path?: string;
}

/**
 * `POST /creator/upload` of `size` generated bytes, streamed (Content-Length known, never
 * buffered): resolves with the status and the answer's JSON text.
 */
export function uploadProduct(
  baseUrl: string,
  token: string,
  options: UploadOptions,
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('title', options.title ?? 'Benchmark upload') +
      field('priceCents', String(options.priceCents ?? 1500)) +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.fileName ?? 'bench.zip'}"\r\n` +
      `Content-Type: ${options.contentType ?? 'application/zip'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(options.path ?? '/creator/upload', baseUrl);
  return new Promise((done, fail) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + options.size + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    async function* parts() {
      yield head;
      yield* generatedBytes(options.size);
      yield tail;
    }
    pipeline(Readable.from(parts()), req).catch(fail);
  });
}

/** A product of the creator `token`, with a file of `size` bytes; its id. */
export async function createProduct(
  baseUrl: string,
  token: string,
  options: UploadOptions,
): Promise<string> {
  const answer = await uploadProduct(baseUrl, token, options);
  if (answer.status !== 201) throw new Error(`upload: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { id: string }).id;
}

/** The buyer `token` buys `productId` through the simulated payments driver (paid at once). */
export async function buyProduct(baseUrl: string, token: string, productId: string): Promise<void> {
  const started = await fetch(`${baseUrl}/purchase/${productId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  if (started.status !== 201)
    throw new Error(`purchase: ${started.status} ${await started.text()}`);
  const { checkoutUrl } = (await started.json()) as { checkoutUrl: string };
  const paid = await fetch(`${baseUrl}${new URL(checkoutUrl).pathname}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'outcome=success',
    redirect: 'manual',
  });
  await paid.arrayBuffer();
  if (paid.status !== 303) throw new Error(`simulated payment: ${paid.status}`);
}

/** Runs `fn` with the server started by `start`, and stops the server whatever happens. */
export async function withServer<T, S extends RunningServer = RunningServer>(
  start: Promise<S>,
  fn: (server: S) => Promise<T>,
): Promise<T> {
  const server = await start;
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
