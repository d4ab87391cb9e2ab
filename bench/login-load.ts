import bcrypt from 'bcrypt';
import {
  type BenchContext,
  type BenchResult,
  compare,
  envNumber,
  load,
  sampleRss,
  signUp,
  startApp,
  withServer,
} from './lib.js';

const COST = 12;
const LOGIN_CLIENTS = 20;

/**
 * Logins hash on libuv's thread pool, so they must not stall other requests: GET /health is
 * probed at a steady rate alone, then while 20 clients log in back to back at bcrypt cost 12.
 * A probe that saturates the server would measure CPU sharing, not a blocked event loop.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const probeRate = envNumber('BENCH_PROBE_RATE', 200);
  const probe = (url: string) =>
    load(ctx, { url: `${url}/health`, connections: 10, overallRate: probeRate });

  // What one comparison costs: a login on the event loop would stall everything this long.
  const hash = await bcrypt.hash('bench password 123', COST);
  const started = performance.now();
  await bcrypt.compare('bench password 123', hash);
  const hashMs = performance.now() - started;

  return withServer(startApp(ctx, { BCRYPT_COST: String(COST) }), async (app) => {
    const account = await signUp(app.baseUrl, 'buyer');
    ctx.log(`probe GET /health at ${probeRate} req/s alone`);
    const alone = await probe(app.baseUrl);

    ctx.log(`probe again while ${LOGIN_CLIENTS} clients log in continuously`);
    const sampler = sampleRss(app.pid);
    const logins = load(ctx, {
      url: `${app.baseUrl}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
      connections: LOGIN_CLIENTS,
      // Starts before the probe's warm-up and ends after its measured run.
      seconds: ctx.seconds + ctx.warmupSeconds + 2,
      warmupSeconds: 0,
      // 20 queued logins at ~4-10/s can take longer than autocannon's 10 s default.
      timeoutSeconds: 60,
    });
    const during = await probe(app.baseUrl);
    const login = await logins;
    const rss = sampler.stop();
    if (login.non2xx > 0 || login.errors > 0) {
      throw new Error(`logins: ${login.non2xx} non-2xx answers, ${login.errors} errors`);
    }
    if (alone.non2xx + during.non2xx + alone.errors + during.errors > 0) {
      throw new Error('GET /health failed during the probe');
    }
    return [
      { name: 'GET /health p50 alone', value: alone.p50, unit: 'ms' },
      { name: 'GET /health p99 alone', value: alone.p99, unit: 'ms' },
      compare('GET /health p50 during logins', during.p50, 'ms', 'alone', alone.p50),
      compare('GET /health p99 during logins', during.p99, 'ms', 'alone', alone.p99),
      compare(
        'GET /health p99 during logins',
        during.p99,
        'ms',
        `one bcrypt compare (cost ${COST})`,
        hashMs,
      ),
      { name: 'GET /health max during logins', value: during.max, unit: 'ms' },
      {
        name: `logins/s (${LOGIN_CLIENTS} clients, cost ${COST})`,
        value: login.requestsPerSec,
        unit: 'req/s',
      },
      { name: 'login p50', value: login.p50, unit: 'ms' },
      { name: 'app peak RSS during logins', value: rss.peakMb, unit: 'MiB' },
    ];
  });
}
