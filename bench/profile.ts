// Profiles the app under one kind of load: node dist/bench/profile.js <health|catalogue|download>
// Writes the CPU profile to bench/results/profiles and prints its top functions.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buyProduct,
  chooseDatabase,
  createProduct,
  envNumber,
  load,
  ROOT,
  signUp,
  startApp,
  withServer,
} from './lib.js';

const kind = process.argv[2] ?? 'health';
const dir = join(ROOT, 'bench/results/profiles');
process.env.BENCH_PROFILE = dir;
const ctx = {
  seconds: envNumber('BENCH_SECONDS', 10),
  warmupSeconds: 2,
  connections: envNumber('BENCH_CONNECTIONS', 50),
  database: chooseDatabase(),
  log: (message: string) => console.error(message),
};
const before = new Set(readdirSync(dir, { withFileTypes: false }).map(String));
await withServer(startApp(ctx), async (app) => {
  let url = `${app.baseUrl}/health`;
  let headers: Record<string, string> | undefined;
  if (kind === 'catalogue') {
    const creator = await signUp(app.baseUrl, 'creator');
    for (let i = 0; i < 25; i += 1) await createProduct(app.baseUrl, creator.token, { size: 1024 });
    url = `${app.baseUrl}/products?limit=20`;
  } else if (kind === 'download') {
    const creator = await signUp(app.baseUrl, 'creator');
    const buyer = await signUp(app.baseUrl, 'buyer');
    const id = await createProduct(app.baseUrl, creator.token, { size: 1024 });
    await buyProduct(app.baseUrl, buyer.token, id);
    url = `${app.baseUrl}/download/${id}`;
    headers = { Authorization: `Bearer ${buyer.token}` };
  }
  const result = await load(ctx, { url, headers });
  console.error(`${kind}: ${Math.round(result.requestsPerSec)} req/s, ${result.non2xx} non-2xx`);
});
const file = readdirSync(dir).find((name) => !before.has(name));
if (file) {
  console.log(
    execFileSync(process.execPath, [
      join(ROOT, 'dist/bench/profile-top.js'),
      join(dir, file),
      '30',
    ]).toString(),
  );
}
