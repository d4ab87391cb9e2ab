// Jest's globalSetup: a log where each test file appends how many answers of the app it checked
// against openapi.json (test/setup-after-env.ts); test/openapi-checks.teardown.mjs prints the sum.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'creator-files-openapi-'));
  // Read by the workers, which start after this.
  process.env.OPENAPI_CHECKS_LOG = join(dir, 'checks.log');
}
