/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Every AWS call a suite makes through opsbot's clients must map to the IAM requests AWS would judge it by.
  setupFilesAfterEnv: ['<rootDir>/test/support/ledger-check.ts'],
  testTimeout: 20000,
};
