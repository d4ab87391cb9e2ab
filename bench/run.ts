// `npm run bench [-- name...]`: runs the named scenarios (all when none), prints each figure
// beside its baseline, and writes bench/results/latest.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type BenchContext,
  type BenchResult,
  chooseDatabase,
  cleanUpAll,
  envNumber,
  killAll,
  ROOT,
} from './lib.js';
import { SCENARIOS } from './scenarios.js';

const RESULTS = join(ROOT, 'bench/results/latest.json');

function format(value: number | undefined, unit = ''): string {
  if (value === undefined || Number.isNaN(value)) return '';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return unit === '' ? text : `${text} ${unit}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        i === 0 || i === 1 || i === 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join('  ');
  return [
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.description}`);
    return 0;
  }
  const unknown = args.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const selected = args.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => args.includes(s.name));

  const ctx: BenchContext = {
    seconds: envNumber('BENCH_SECONDS', 10),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 2),
    connections: envNumber('BENCH_CONNECTIONS', 50),
    database: chooseDatabase(),
    log: (message) => console.error(`  ${message}`),
  };
  const environment = {
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
    database: ctx.database.kind,
    seconds: ctx.seconds,
    warmupSeconds: ctx.warmupSeconds,
    connections: ctx.connections,
  };
  console.error(
    `bench: ${selected.map((s) => s.name).join(', ')}; database ${ctx.database.kind}, ` +
      `${ctx.seconds} s runs after ${ctx.warmupSeconds} s warm-up, ${ctx.connections} connections, ` +
      `load average ${environment.loadAverageAtStart.join(' ')}`,
  );

  const results: Record<
    string,
    { at: string; results: BenchResult[] } | { at: string; error: string }
  > = {};
  let failed = false;
  for (const entry of selected) {
    console.error(`\n${entry.name}: ${entry.description}`);
    const at = new Date().toISOString();
    try {
      const scenario = await entry.load();
      const figures = await scenario.run(ctx);
      results[entry.name] = {
        at,
        results: figures.map((r) => ({
          ...r,
          ratio: r.ratio ?? (r.baseline ? r.value / r.baseline.value : undefined),
        })),
      };
    } catch (error) {
      failed = true;
      killAll();
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`  FAILED: ${message}`);
      results[entry.name] = { at, error: message };
    }
  }

  const rows = [['scenario', 'figure', 'value', 'baseline', 'baseline value', 'ratio']];
  for (const [name, outcome] of Object.entries(results)) {
    if ('error' in outcome) {
      rows.push([name, 'FAILED (see above)', '', '', '', '']);
      continue;
    }
    for (const r of outcome.results) {
      rows.push([
        name,
        r.name,
        format(r.value, r.unit),
        r.baseline?.name ?? '',
        r.baseline ? format(r.baseline.value, r.unit) : '',
        r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
      ]);
    }
  }
  console.log(`\n${table(rows)}`);

  // Scenarios run separately accumulate in one file; each keeps the time and settings of its run.
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  let previous: { scenarios?: Record<string, unknown> } = {};
  if (existsSync(RESULTS)) {
    try {
      previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as typeof previous;
    } catch {
      previous = {};
    }
  }
  const scenarios = { ...previous.scenarios };
  for (const [name, outcome] of Object.entries(results))
    scenarios[name] = { ...outcome, environment };
  writeFileSync(RESULTS, `${JSON.stringify({ scenarios }, null, 2)}\n`);
  console.error(`\nwrote ${RESULTS}`);
  return failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUpAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    killAll();
    process.exit(1);
  },
);
