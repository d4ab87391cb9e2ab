// Jest runs in native ESM mode (NestJS 12 is ESM-only): @swc/jest turns TypeScript into ES
// modules with decorator metadata, and the `.js` suffixes of relative imports map back to `.ts`.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/web/src'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
  // Counts the answers checked against openapi.json over the whole run (test/setup-after-env.ts).
  globalSetup: '<rootDir>/test/openapi-checks.setup.mjs',
  globalTeardown: '<rootDir>/test/openapi-checks.teardown.mjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
