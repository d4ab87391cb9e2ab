import {
  type BenchContext,
  type BenchResult,
  compare,
  fetchBody,
  load,
  sampleRss,
  startApp,
  startBareHttp,
  startMinimalNest,
  withServer,
} from './lib.js';

/** GET /health of the app against two servers returning the same bytes: the Nest floor and the bare one. */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const { app, body, contentType, rss } = await withServer(startApp(ctx), async (server) => {
    const answer = await fetchBody(`${server.baseUrl}/health`);
    ctx.log(`app: GET /health (${answer.body.length} bytes)`);
    const sampler = sampleRss(server.pid);
    const result = await load(ctx, { url: `${server.baseUrl}/health`, serverPid: server.pid });
    return { app: result, rss: sampler.stop(), ...answer };
  });
  ctx.log('baseline: minimal NestJS route returning the same bytes');
  const nest = await withServer(startMinimalNest(body, contentType, '/health'), (server) =>
    load(ctx, { url: `${server.baseUrl}/health`, serverPid: server.pid }),
  );
  ctx.log('baseline: bare node:http returning the same bytes');
  const bare = await withServer(startBareHttp(body, contentType, '/health'), (server) =>
    load(ctx, { url: `${server.baseUrl}/health`, serverPid: server.pid }),
  );
  for (const [name, result] of Object.entries({ app, nest, bare })) {
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(`${name}: ${result.errors} errors and ${result.non2xx} non-2xx answers`);
    }
  }
  return [
    compare(
      'GET /health req/s',
      app.requestsPerSec,
      'req/s',
      'minimal NestJS',
      nest.requestsPerSec,
    ),
    compare(
      'GET /health req/s',
      app.requestsPerSec,
      'req/s',
      'bare node:http',
      bare.requestsPerSec,
    ),
    compare(
      'minimal NestJS req/s',
      nest.requestsPerSec,
      'req/s',
      'bare node:http',
      bare.requestsPerSec,
    ),
    compare(
      'GET /health req per CPU-second',
      app.requestsPerCpuSecond ?? NaN,
      'req/CPU-s',
      'minimal NestJS',
      nest.requestsPerCpuSecond ?? NaN,
    ),
    compare(
      'minimal NestJS req per CPU-second',
      nest.requestsPerCpuSecond ?? NaN,
      'req/CPU-s',
      'bare node:http',
      bare.requestsPerCpuSecond ?? NaN,
    ),
    compare('GET /health p50', app.p50, 'ms', 'minimal NestJS', nest.p50),
    compare('GET /health p99', app.p99, 'ms', 'minimal NestJS', nest.p99),
    { name: 'app peak RSS under load', value: rss.peakMb, unit: 'MiB' },
  ];
}
