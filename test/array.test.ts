/**
 * The PE array: cycle-exact cosimulation for pes = 1, 2 and 4 in every layer mode and every
 * ant mode - per-PE counters and transactions, the barrier, broadcast B, one-at-a-time and
 * reduced drains - and the partitioning itself (every PE gets work, outputs are complete).
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { goldenRun } from '../testbench/cosim.ts';
import { expectCosimExact } from './exact.ts';

const conv = (phase: string, g: Record<string, number>, seed: number) => ({
  kind: 'conv', phase, N: 1, C: 2, K: 3, H: 10, W: 9, R: 3, S: 3, stride: 1, pad: 1, ...g,
  density: { weights: 0.5, activations: 0.35, gradients: 0.35 }, seed,
});
const LAYERS: [string, object][] = [
  ['fwd stride 2', conv('fwd', { stride: 2, H: 11 }, 1)],
  ['bwd pad 0', conv('bwd', { pad: 0 }, 2)],
  ['wgrad (reduced across PEs)', conv('wgrad', { H: 12, W: 11 }, 3)],
  ['matmul packed', { kind: 'matmul', M: 17, K: 9, N: 10, density: { a: 0.3, b: 0.3 }, seed: 4, mapping: 'packed' }],
];

for (const pes of [1, 2, 4]) {
  describe.each(['off', 'filter', 'window'] as const)(`${pes} PE(s), ant = %s`, (ant) => {
    const cfg = resolveConfig({ pes, F: 2, I: 3, banks: 8, bankDepth: 16, ant, antLookahead: 2 });
    it.each(LAYERS)('%s is cycle-exact and bit-exact', async (_name, spec) => {
      await expectCosimExact(cfg, spec);
    });
  });
}

describe('array partitioning', () => {
  it('every PE gets work on a layer with enough tiles, and more PEs need fewer cycles', () => {
    const w = validateWorkload(conv('fwd', { H: 28, W: 28, C: 4, K: 8 }, 5));
    const one = goldenRun(resolveConfig({ pes: 1 }), w, false);
    const four = goldenRun(resolveConfig({ pes: 4 }), w, false);
    for (const c of four.run.perPe) expect(c.pairs).toBeGreaterThan(0);
    expect(four.run.counters.valid).toBe(one.run.counters.valid);
    expect(four.run.counters.cycles).toBeLessThan(one.run.counters.cycles);
  });

  it('wgrad partial sums from different PEs are reduced into one tile', () => {
    const w = validateWorkload(conv('wgrad', { H: 16, W: 16 }, 6));
    const g = goldenRun(resolveConfig({ pes: 4 }), w, false);
    expect(g.mapping.arrayJobs.some((aj) => aj.reduce)).toBe(true);
    for (const c of g.run.perPe) expect(c.valid).toBeGreaterThan(0);
  });
});
