import { defineConfig } from 'vitest/config';

/**
 * One run covers unit, integration (DynamoDB Local, SES emulator), infra (CDK + cdk-nag)
 * and e2e tests. The global setup starts DynamoDB Local once on a free port; each test file
 * creates its own table.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: DynamoDB Local, CDK synth and Chromium each want a core.
    maxWorkers: 2,
  },
});
