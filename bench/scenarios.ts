import type { Scenario } from './lib.js';

export interface ScenarioEntry {
  name: string;
  description: string;
  load: () => Promise<Scenario>;
}

// One line per scenario module (`npm run bench -- <name>` runs one; no name runs them all).
// prettier-ignore
export const SCENARIOS: ScenarioEntry[] = [
  { name: 'health', description: 'GET /health req/s vs bare node:http and minimal NestJS', load: () => import('./health.js') },
  { name: 'webhooks', description: 'verified Stripe events/s; 200 concurrent duplicates of one event', load: () => import('./webhooks.js') },
  { name: 'catalogue', description: 'GET /products?limit=20 over 10,000 products vs the same bytes from NestJS and node:http; 304s', load: () => import('./catalogue.js') },
  { name: 'upload', description: '1 GiB through POST /creator/upload vs a stream copy to disk; server RSS growth', load: () => import('./upload.js') },
  { name: 'tus-upload', description: '1 GiB resumable (tus) upload to the local driver vs a stream copy to disk; finishing; server RSS growth', load: () => import('./tus-upload.js') },
  { name: 'downloads', description: 'links/s of GET /download/:productId; a 256 MiB file through /files/<token> vs node:http', load: () => import('./downloads.js') },
  { name: 'stats', description: 'GET /creator/stats and a page of /creator/sales for a creator with 1,000, 100,000 and 1,000,000 purchases (server database)', load: () => import('./stats.js') },
  { name: 'footprint', description: 'npm start on the embedded database: RSS idle (new data dir, restart) vs a minimal NestJS route; catalogue and stats latency', load: () => import('./footprint.js') },
  { name: 'sales-csv', description: 'CSV export of 100,000 sales with one database connection: RSS growth vs 10,000, time vs the bare query, other routes while a client reads slowly (server database)', load: () => import('./sales-csv.js') },
  { name: 'web', description: 'the storefront\'s first catalogue load in Chromium: JS transferred and gzipped vs the 150 KB budget; first contentful paint vs a static page', load: () => import('./web.js') },
  { name: 'sessions', description: 'POST /refresh (rotating refresh tokens, no bcrypt) req/s vs GET /me', load: () => import('./sessions.js') },
  { name: 'mail', description: 'outbox delivery to a local SMTP server (msg/s); /health and /me latency during a 10,000-message backlog (server database)', load: () => import('./mail.js') },
  { name: 'login-load', description: 'GET /health latency alone vs while 20 clients log in at bcrypt cost 12', load: () => import('./login-load.js') },
  { name: 'load', description: 'mixed workload at 100 connections (browse, log in, buy, download, stats) on one and on two instances; every purchase recorded once', load: () => import('./load.js') },
];
