import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**', '**/greengrass-build/**', '.croupier/**'],
    // Native addons (onnxruntime, serialport, aws-crt, duckdb) are safer in child processes than in worker threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
