// Three projects: every test on cdktf, the end-to-end lifecycle suite again on CDK Terrain, and again with the
// per-run agent off (SAAS_PERMISSIONS_AGENT=off). The second maps the
// module `cdktf` to `cdktn` for the tests and the constructs they load alike, so it runs the same files, not a copy;
// test/e2e/harness.ts reads the core's name from the globals and checks every synth was made by that core.
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'cdktf' },
    {
      ...base,
      displayName: 'cdktn',
      testMatch: ['<rootDir>/test/e2e/lifecycle.test.ts', '<rootDir>/test/e2e/core.test.ts'],
      moduleNameMapper: { '^cdktf$': 'cdktn' },
      globals: { SAAS_PERMISSIONS_CORE: 'cdktn' },
    },
    // The lifecycle and cancellation again with each grant in a Node handler of its own, as where curl is missing.
    {
      ...base,
      displayName: 'handler-alone',
      testMatch: ['<rootDir>/test/e2e/lifecycle.test.ts', '<rootDir>/test/e2e/cancellation.test.ts', '<rootDir>/test/e2e/agent.test.ts'],
      globals: { SAAS_PERMISSIONS_AGENT: 'off' },
    },
  ],
};
