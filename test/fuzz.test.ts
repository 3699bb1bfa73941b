/**
 * A small random cosimulation run inside the test suite (the 1,000-case run is
 * `npx antforge fuzz --cases 1000`, recorded in BENCHMARKS.md): random configs x random
 * workloads in every mode, all cycle-exact and bit-exact.
 */
import { describe, it, expect } from 'vitest';
import { fuzz, randomConfig, randomWorkload, reproduce } from '../testbench/fuzz.ts';
import { Rng } from '../golden/workload/rng.ts';

describe('fuzz', () => {
  it('36 random cases over 3 random configs all pass', async () => {
    const s = await fuzz(36, 7, 2, 12);
    expect(s.failures.map((f) => f.reproduce)).toEqual([]);
    expect(s.cases).toBeGreaterThanOrEqual(30);
    expect(s.passed).toBe(s.cases);
    expect(s.builds).toBe(3);
  });

  it('is deterministic and prints a reproducible command', () => {
    const a = new Rng(5), b = new Rng(5);
    const ca = randomConfig(a, 0), cb = randomConfig(b, 0);
    expect(ca).toEqual(cb);
    const wa = randomWorkload(a, ca, 1), wb = randomWorkload(b, cb, 1);
    expect(wa).toEqual(wb);
    expect(reproduce(ca, wa)).toMatch(/^npx antforge cosim (--set \w+=\S+ )*--workload '\{.*\}'$/);
  });
});
