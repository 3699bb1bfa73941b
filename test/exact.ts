/** The cycle-exact, bit-exact cosim check the suites share. */
import { expect } from 'vitest';
import type { HwConfig } from '../generator/config.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim, type CosimReport } from '../testbench/cosim.ts';

/** Cosimulate `spec` and require equal cycles, counters, transactions and outputs. */
export async function expectCosimExact(cfg: HwConfig, spec: object): Promise<CosimReport> {
  const r = await cosim(cfg, validateWorkload(JSON.parse(JSON.stringify(spec))));
  expect(r.cycles.rtl).toBe(r.cycles.golden);
  expect(r.countersCheck.mismatched).toEqual([]);
  expect(r.trace.mismatches).toBe(0);
  expect(r.outputs.mismatches).toBe(0);
  expect(r.pass).toBe(true);
  return r;
}
