/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // eld (language identification) ships as ES modules only: compiled to CommonJS for Jest's module system.
    '^.+/node_modules/eld/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!eld/)'],
  // eld's package exports its tables under the `import` condition only.
  moduleNameMapper: { '^eld/extrasmall$': '<rootDir>/node_modules/eld/src/entries/static.extrasmall.js' },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Every AWS call a suite makes through opsbot's clients must map to the IAM requests AWS would judge it by.
  setupFilesAfterEnv: ['<rootDir>/test/support/ledger-check.ts'],
  testTimeout: 20000,
};
