/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  testTimeout: 30000,
};

// Two projects: `integration` (the AWS adapters against moto and an OpenSearch node) has a global
// setup that starts those engines, and Jest runs it only when a test of that project is selected.
module.exports = {
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test'], testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/engines/integrationSetup.ts',
      globalTeardown: '<rootDir>/test/engines/integrationTeardown.ts',
    },
  ],
};
