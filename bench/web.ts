// The storefront's first catalogue load in headless Chromium (Debian's package through
// playwright-core, as the browser tests use it): the JavaScript it transfers (compressed, as
// served) and gzipped, against the 150 KB budget; the first contentful paint and the time until
// the products are listed, medians of cold loads, against a static HTML page from a bare
// node:http server (the browser's own floor) measured in the same run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import {
  type BenchContext,
  type BenchResult,
  compare,
  createProduct,
  envNumber,
  ROOT,
  signUp,
  startApp,
  startBareHttp,
  withServer,
} from './lib.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BUDGET_KB = 150;
const FCP_BUDGET_MS = 2000;

const STATIC_PAGE = Buffer.from(
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Catalogue</title></head>' +
    '<body><h1>Catalogue</h1><p>Static baseline page.</p></body></html>',
);

interface Load {
  fcpMs: number;
  listedMs: number;
  jsTransferredBytes: number;
  jsFiles: string[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** One cold load (new context: empty cache) of `url`; `ready` is a selector that means "usable". */
async function coldLoad(browser: Browser, url: string, ready: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const scripts = new Map<string, Promise<number>>();
    page.on('requestfinished', (request) => {
      if (request.resourceType() === 'script') {
        scripts.set(
          request.url(),
          request.sizes().then((sizes) => sizes.responseBodySize),
        );
      }
    });
    await page.goto(url);
    await page.waitForSelector(ready);
    // Strings, not functions: this file is compiled without DOM types. Evaluated through the
    // DevTools protocol, so the page's content security policy does not apply to them.
    const listedMs = await page.evaluate<number>('performance.now()');
    const fcpMs = await page.evaluate<number>(
      `new Promise((resolve) => new PerformanceObserver((list) => {
         const fcp = list.getEntriesByName('first-contentful-paint')[0];
         if (fcp) resolve(fcp.startTime);
       }).observe({ type: 'paint', buffered: true }))`,
    );
    const sizes = await Promise.all(scripts.values());
    return {
      fcpMs,
      listedMs,
      jsTransferredBytes: sizes.reduce((sum, n) => sum + n, 0),
      jsFiles: [...scripts.keys()],
    };
  } finally {
    await context.close();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)`,
    );
  }
  const loads = envNumber('BENCH_WEB_LOADS', 7);
  return withServer(startApp(ctx), async (app) => {
    const creator = await signUp(app.baseUrl, 'creator');
    for (let i = 0; i < 20; i++) {
      await createProduct(app.baseUrl, creator.token, {
        size: 1024,
        title: `Product ${i}`,
        fileName: `file-${i}.pdf`,
        contentType: 'application/pdf',
      });
    }
    const bare = await startBareHttp(STATIC_PAGE, 'text/html; charset=utf-8', '/');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    try {
      ctx.log(`${loads} cold loads of /app/ and of a static page, in turns`);
      const appLoads: Load[] = [];
      const staticLoads: Load[] = [];
      // One unmeasured load each: Chromium's own start-up work is not the page's.
      await coldLoad(browser, `${app.baseUrl}/app/`, '.product-card');
      await coldLoad(browser, `${bare.baseUrl}/`, 'h1');
      for (let i = 0; i < loads; i++) {
        appLoads.push(await coldLoad(browser, `${app.baseUrl}/app/`, '.product-card'));
        staticLoads.push(await coldLoad(browser, `${bare.baseUrl}/`, 'h1'));
      }
      const first = appLoads[0];
      // The same files gzipped at level 9, whatever the server's compression does.
      const gzipped = first.jsFiles.reduce((sum, url) => {
        const file = join(ROOT, 'web', 'dist', new URL(url).pathname.replace(/^\/app\//, ''));
        return sum + gzipSync(readFileSync(file), { level: 9 }).length;
      }, 0);
      ctx.log(
        `scripts on the first load: ${first.jsFiles.map((u) => new URL(u).pathname).join(', ')}`,
      );
      const fcp = median(appLoads.map((l) => l.fcpMs));
      return [
        compare(
          'first catalogue load: JS transferred',
          first.jsTransferredBytes / 1000,
          'KB',
          'budget',
          BUDGET_KB,
        ),
        compare('first catalogue load: JS gzipped', gzipped / 1000, 'KB', 'budget', BUDGET_KB),
        compare(
          '/app/ first contentful paint (median)',
          fcp,
          'ms',
          'static page, bare node:http',
          median(staticLoads.map((l) => l.fcpMs)),
        ),
        compare('/app/ first contentful paint (median)', fcp, 'ms', 'budget', FCP_BUDGET_MS),
        compare(
          '/app/ products listed (median)',
          median(appLoads.map((l) => l.listedMs)),
          'ms',
          'static page shown, bare node:http',
          median(staticLoads.map((l) => l.listedMs)),
        ),
      ];
    } finally {
      await browser.close();
      await bare.stop();
    }
  });
}
