/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
};

// Two projects: `integration` (the AWS adapters against moto and an OpenSearch node) has a global
// setup that starts those engines, and Jest runs it only when a test of that project is selected.
module.exports = {
  maxWorkers: 2,
  // A global option: Jest ignores it inside a project's configuration.
  testTimeout: 30000,
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
