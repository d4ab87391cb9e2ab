// Small helpers shared by bench/catalogue.ts and bench/upload.ts (standalone: no harness needed).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
}

/** What a harness may pass in; every field has a default. */
export interface BenchOptions {
  seconds?: number;
  connections?: number;
  log?: (message: string) => void;
}

export const logTo = (options: BenchOptions) =>
  options.log ?? ((message: string) => process.stderr.write(`${message}\n`));

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  errors: number;
  non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<AutocannonResult>;

// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function load(url: string, seconds: number, connections: number) {
  const result = await autocannon({ url, connections, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

export const compare = (
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baseline: number,
): BenchResult => ({
  name,
  value,
  unit,
  baseline: { name: baselineName, value: baseline },
  ratio: value / baseline,
});

/** A fresh database on the server at 127.0.0.1:5432 when one answers, else null (embedded). */
export async function createBenchDatabase(): Promise<{
  url: string;
  drop(): Promise<void>;
} | null> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `cf_bench_${randomBytes(6).toString('hex')}`;
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

export interface Child {
  process: ChildProcess;
  /** The JSON the child printed on its READY line. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Runs `node <script> <args>` and waits for the line `READY {json}` on its stdout. */
export function startChild(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Child> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) =>
      reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)),
    );
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n').find((l) => l.startsWith('READY '));
      if (line === undefined) return;
      child.removeAllListeners('exit');
      resolve({
        process: child,
        ready: JSON.parse(line.slice('READY '.length)) as Record<string, unknown>,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export const ready = (info: Record<string, unknown>) =>
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);

export function printResults(title: string, results: BenchResult[]): void {
  console.log(`\n${title}`);
  for (const r of results) {
    const value = `${r.value.toFixed(r.value >= 100 ? 0 : 2)} ${r.unit}`;
    const base =
      r.baseline === undefined
        ? ''
        : `  vs ${r.baseline.name} ${r.baseline.value.toFixed(r.baseline.value >= 100 ? 0 : 2)}  ratio ${r.ratio?.toFixed(3)}`;
    console.log(`  ${r.name.padEnd(44)} ${value.padStart(16)}${base}`);
  }
}
