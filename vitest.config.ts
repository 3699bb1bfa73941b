import { defineConfig } from 'vitest/config';

// Cosimulation tests build Verilator models (about 10 s each, cached by hash) and share a
// 2-core machine: run files in two forks and give each test room for one cold build.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
