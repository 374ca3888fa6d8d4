/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Default is cores - 1: one worker on a 2-core runner. The slow suites spawn the CLI and wait on it, so use every core.
  maxWorkers: '100%',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // swc strips types without checking them; `npm run typecheck` (tsc --noEmit) does that once.
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  moduleNameMapper: { '^archiver$': '<rootDir>/__tests__/support/archiver-on-demand.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
