// Jest runs the TypeScript sources directly (ESM, transpiled by SWC with decorator metadata,
// which NestJS dependency injection needs). Type checking is `npm run build`'s job.
const swc = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
  module: { type: 'es6' },
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  setupFiles: ['<rootDir>/test/support/worker-env.mjs'],
  testTimeout: 30000,
  // Each file closes what it opened, but a client's own close timers (ioredis keeps one for 2 s
  // after disconnect) must not hold a finished run open: CI waits on this process.
  forceExit: true,
};
