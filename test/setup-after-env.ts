import { appendFileSync } from 'node:fs';
import { afterAll, afterEach } from '@jest/globals';
import { findings, takeViolations } from './helpers/openapi-validator.js';

// The app's answers that broke openapi.json during a test fail that test (the check runs in the
// app's server: test/helpers/openapi-validator.ts). Answers after the last test fail the file.
function failOnViolations(): void {
  const found = takeViolations();
  if (found.length === 0) return;
  const shown = found.slice(0, 5).join('\n\n');
  const more = found.length > 5 ? `\n\n…and ${found.length - 5} more` : '';
  throw new Error(`The app answered outside openapi.json:\n\n${shown}${more}`);
}

afterEach(failOnViolations);

afterAll(() => {
  const { checked, outside } = findings();
  // Summed over the run and printed once by test/openapi-checks.global.mjs.
  const log = process.env.OPENAPI_CHECKS_LOG;
  if (log !== undefined && checked + outside > 0) {
    appendFileSync(log, `${checked} ${outside}\n`);
  }
  failOnViolations();
});
