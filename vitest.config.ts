import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**', '**/greengrass-build/**', '.croupier/**'],
    // Native addons (onnxruntime, serialport, aws-crt, duckdb) are safer in child processes than in worker threads.
    pool: 'forks',
    // Test files start real brokers, emulators, Modbus servers and time-scaled simulators. On the
    // 2-core machines CI runs on, files running side by side starve each other's timers; one file at a
    // time keeps every timing-based scenario honest (tests inside a file still share one process).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
