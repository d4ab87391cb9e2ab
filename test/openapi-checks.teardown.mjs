// Jest's globalTeardown: prints once how many answers of the app the run checked against
// openapi.json, so that a run which silently checked nothing shows.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

export default function teardown() {
  const log = process.env.OPENAPI_CHECKS_LOG;
  if (log === undefined) return;
  let text;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return; // no file made a request to the app
  }
  const files = text.split('\n').filter(Boolean);
  let checked = 0;
  let outside = 0;
  for (const line of files) {
    const [a, b] = line.split(' ').map(Number);
    checked += a;
    outside += b;
  }
  process.stdout.write(
    `\nopenapi.json: ${checked} answers of the app checked in ${files.length} test files ` +
      `(and ${outside} outside the API: storefront, Swagger UI)\n`,
  );
  rmSync(join(log, '..'), { recursive: true, force: true });
}
