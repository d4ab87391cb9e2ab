import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import {
  assertClean,
  type BenchContext,
  type BenchResult,
  buyProduct,
  compare,
  comparePerCpu,
  createProduct,
  envNumber,
  fetchBody,
  loadInTurns,
  type LoadResult,
  signUp,
  startApp,
  startBareHttp,
  startFileServer,
  startLinkFloor,
  startMinimalNest,
  type RunningServer,
  withServer,
} from './lib.js';

const MiB = 1024 * 1024;

/** The object file of `size` bytes under the app's local storage. */
function storedFile(dir: string, size: number): string {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !path.includes('/.tmp/') && statSync(path).size === size) return path;
  }
  throw new Error(`no stored object of ${size} bytes under ${dir}`);
}

/** Downloads `url` whole, discarding the bytes; seconds taken (checks status and length). */
function download(url: string, size: number): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', fail);
      res.on('end', () => {
        if (res.statusCode !== 200 || bytes !== size) {
          fail(new Error(`${url}: ${res.statusCode} with ${bytes} bytes, not ${size}`));
        } else done((performance.now() - started) / 1000);
      });
    }).on('error', fail);
  });
}

/**
 * Download links issued per second by `GET /download/:productId` (a buyer who paid; each call
 * checks access, signs a link and writes a log row) against a minimal NestJS route and a bare
 * node:http server answering the same bytes; then the local driver serving a 256 MiB file
 * through `/files/<token>` against a bare node:http server streaming the same file.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const fileSize = envNumber('BENCH_DOWNLOAD_BYTES', 256 * MiB);
  const downloads = envNumber('BENCH_DOWNLOADS', 3);
  // One link serves every download of the run; links otherwise die after 60 s.
  const jwtSecret = randomBytes(32).toString('hex');
  const env = {
    DOWNLOAD_URL_TTL_SECONDS: '3600',
    MAX_UPLOAD_BYTES: String(fileSize + MiB),
    JWT_SECRET: jwtSecret,
  };
  return withServer(startApp(ctx, env), async (app) => {
    const creator = await signUp(app.baseUrl, 'creator');
    const buyer = await signUp(app.baseUrl, 'buyer');
    const small = await createProduct(app.baseUrl, creator.token, { size: 4096 });
    await buyProduct(app.baseUrl, buyer.token, small);
    const auth = { Authorization: `Bearer ${buyer.token}` };
    const linkUrl = `${app.baseUrl}/download/${small}`;
    const answer = await fetchBody(linkUrl, { headers: auth });
    if (answer.status !== 200) throw new Error(`GET /download: ${answer.status}`);
    ctx.log(`link answer of ${answer.body.length} bytes (${answer.contentType})`);

    // The fair floor shares the app's database, so it needs the server (the embedded one is a
    // single connection owned by the app). The floor sends each statement to be planned
    // anew, as `pg` does by default; the prepared one plans each once per connection, as the app
    // does, so against it only the app's own work per link shows.
    const floor =
      app.databaseUrl === undefined
        ? undefined
        : await startLinkFloor({ databaseUrl: app.databaseUrl, jwtSecret });
    const prepared =
      app.databaseUrl === undefined
        ? undefined
        : await startLinkFloor({ databaseUrl: app.databaseUrl, jwtSecret, prepared: true }).catch(
            async (error: unknown) => {
              await floor?.stop();
              throw error;
            },
          );
    const floorTarget = (server: RunningServer) => ({
      url: `${server.baseUrl}/download/${small}`,
      headers: auth,
      serverPid: server.pid,
    });
    const links = await withServer(
      startMinimalNest(answer.body, answer.contentType, '/download/x'),
      (nest) =>
        withServer(startBareHttp(answer.body, answer.contentType, '/download/x'), (bare) =>
          loadInTurns<string>(ctx, {
            app: { url: linkUrl, headers: auth, serverPid: app.pid },
            ...(floor && { floor: floorTarget(floor) }),
            ...(prepared && { prepared: floorTarget(prepared) }),
            nest: { url: `${nest.baseUrl}/download/x`, headers: auth },
            bare: { url: `${bare.baseUrl}/download/x`, headers: auth },
          }),
        ),
    ).finally(() => Promise.all([floor?.stop(), prepared?.stop()]));
    assertClean(links);
    /** Links/s and links per CPU-second against one floor (`goal`: said on the first row). */
    const againstFloor = (name: string, result: LoadResult | undefined, goal = '') =>
      result === undefined
        ? []
        : [
            compare(
              'links issued/s',
              links.app.requestsPerSec,
              'req/s',
              name + goal,
              result.requestsPerSec,
            ),
            ...comparePerCpu('links per CPU-second', links.app, name, result),
          ];
    const floorRows = [
      ...againstFloor('NestJS + pg floor', links.floor, ' (goal 0.7x)'),
      ...(links.floor
        ? [compare('link p50', links.app.p50, 'ms', 'NestJS + pg floor', links.floor.p50)]
        : []),
      ...againstFloor('the floor, prepared', links.prepared),
    ];

    ctx.log(`a ${fileSize / MiB} MiB product: upload, buy, one link`);
    const big = await createProduct(app.baseUrl, creator.token, {
      size: fileSize,
      fileName: 'big.zip',
    });
    await buyProduct(app.baseUrl, buyer.token, big);
    const link = await fetch(`${app.baseUrl}/download/${big}`, { headers: auth });
    const { url } = (await link.json()) as { url: string };
    const file = storedFile(join(app.dataDir, 'storage'), fileSize);
    const appTimes: number[] = [];
    const bareTimes: number[] = [];
    await withServer(startFileServer(file, 'application/zip'), async (bare) => {
      // Both read the same file, so the page cache favours neither; one unmeasured each first.
      await download(url, fileSize);
      await download(`${bare.baseUrl}/file`, fileSize);
      for (let i = 0; i < downloads; i += 1) {
        appTimes.push(await download(url, fileSize));
        bareTimes.push(await download(`${bare.baseUrl}/file`, fileSize));
      }
    });
    const rate = (times: number[]) =>
      fileSize / MiB / (times.reduce((a, b) => a + b, 0) / times.length);

    return [
      ...floorRows,
      compare(
        'links issued/s',
        links.app.requestsPerSec,
        'req/s',
        'minimal NestJS',
        links.nest.requestsPerSec,
      ),
      compare(
        'links issued/s',
        links.app.requestsPerSec,
        'req/s',
        'bare node:http',
        links.bare.requestsPerSec,
      ),
      compare('link p50', links.app.p50, 'ms', 'minimal NestJS', links.nest.p50),
      compare('link p99', links.app.p99, 'ms', 'minimal NestJS', links.nest.p99),
      compare(
        `/files/<token>, ${fileSize / MiB} MiB file`,
        rate(appTimes),
        'MiB/s',
        'bare node:http stream',
        rate(bareTimes),
      ),
    ];
  });
}
