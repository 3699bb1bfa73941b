import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers, each test file in exactly one, so `vitest run` (npm test) runs every file once:
//   unit         test/unit/: the golden model, mapper, packing, cost and config alone; seconds,
//                and no EDA tool (npm run test:unit runs only this tier);
//   integration  everything else: cosimulation (Verilator, Icarus), Yosys, nextpnr, the CLI.
// Cosimulation tests build Verilator models (about 10 s each, cached by hash) and share a
// 2-core machine: run files in two forks and give each test room for one cold build.
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/unit/**'] } },
    ],
  },
});
