import {
  assertClean,
  type BenchContext,
  type BenchResult,
  compare,
  comparePerCpu,
  fetchBody,
  loadInTurns,
  sampleRss,
  startApp,
  startBareHttp,
  startMinimalNest,
  withServer,
} from './lib.js';

/** GET /health of the app against two servers returning the same bytes: the Nest floor and the bare one. */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  return withServer(startApp(ctx), async (server) => {
    const answer = await fetchBody(`${server.baseUrl}/health`);
    ctx.log(`GET /health (${answer.body.length} bytes), in turns with the two baselines`);
    const nestServer = await startMinimalNest(answer.body, answer.contentType, '/health');
    const bareServer = await startBareHttp(answer.body, answer.contentType, '/health');
    try {
      const sampler = sampleRss(server.pid);
      const results = await loadInTurns(ctx, {
        app: { url: `${server.baseUrl}/health`, serverPid: server.pid },
        nest: { url: `${nestServer.baseUrl}/health`, serverPid: nestServer.pid },
        bare: { url: `${bareServer.baseUrl}/health`, serverPid: bareServer.pid },
      });
      const rss = sampler.stop();
      assertClean(results);
      const { app, nest, bare } = results;
      return [
        compare(
          'GET /health req/s',
          app.requestsPerSec,
          'req/s',
          'minimal NestJS (goal 0.9x)',
          nest.requestsPerSec,
        ),
        compare(
          'GET /health req/s',
          app.requestsPerSec,
          'req/s',
          'bare node:http',
          bare.requestsPerSec,
        ),
        ...comparePerCpu('GET /health per CPU-second', app, 'minimal NestJS', nest),
        compare(
          'minimal NestJS req/s',
          nest.requestsPerSec,
          'req/s',
          'bare node:http',
          bare.requestsPerSec,
        ),
        compare('GET /health p50', app.p50, 'ms', 'minimal NestJS', nest.p50),
        compare('GET /health p99', app.p99, 'ms', 'minimal NestJS', nest.p99),
        { name: 'app peak RSS under load', value: rss.peakMb, unit: 'MiB' },
      ];
    } finally {
      await nestServer.stop();
      await bareServer.stop();
    }
  });
}
