/**
 * A small random cosimulation run inside the test suite (the 1,000-case run is
 * `npx antforge fuzz --cases 1000`, recorded in BENCHMARKS.md): random configs x random
 * workloads in every mode, all cycle-exact and bit-exact.
 */
import { describe, it, expect } from 'vitest';
import { fuzz, randomConfig, randomWorkload, reproduce } from '../testbench/fuzz.ts';
import { Rng } from '../golden/workload/rng.ts';

describe('fuzz', () => {
  it('36 random cases over 3 random configs (one of them an 8-PE array) all pass', async () => {
    const configs: number[] = [];
    const s = await fuzz(36, 1, 2, 12, (g) => configs.push(g.config.pes));
    expect(Math.max(...configs)).toBeGreaterThanOrEqual(8);
    expect(s.failures.map((f) => f.reproduce)).toEqual([]);
    expect(s.cases).toBeGreaterThanOrEqual(30);
    expect(s.passed).toBe(s.cases);
    expect(s.builds).toBe(3);
  });

  it('is deterministic and prints a reproducible command', () => {
    const a = new Rng(5), b = new Rng(5);
    const ca = randomConfig(a, 0), cb = randomConfig(b, 0);
    // Array sizes up to SCNN's 64 PEs are drawn.
    const sizes = new Set(Array.from({ length: 200 }, (_, i) => randomConfig(new Rng(i), i).pes));
    expect(Math.max(...sizes)).toBe(64);
    expect(sizes.has(1) && sizes.has(48)).toBe(true);
    expect(ca).toEqual(cb);
    const wa = randomWorkload(a, ca, 1), wb = randomWorkload(b, cb, 1);
    expect(wa).toEqual(wb);
    expect(reproduce(ca, wa)).toMatch(/^npx antforge cosim (--set \w+=\S+ )*--workload '\{.*\}'$/);
  });
});
