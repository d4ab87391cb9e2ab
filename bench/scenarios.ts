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
  { name: 'login-load', description: 'GET /health latency alone vs while 20 clients log in at bcrypt cost 12', load: () => import('./login-load.js') },
  { name: 'load', description: 'mixed workload at 100 connections (browse, log in, buy, download, stats) on one and on two instances; every purchase recorded once', load: () => import('./load.js') },
];
