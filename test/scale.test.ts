/**
 * The array at scale: cycle-exact and bit-exact cosimulation at 8, 16 and 64 PEs, every layer
 * mode and every ant mode, on layers shaped so that the mapper uses what only large arrays
 * need - broadcast groups smaller than the array (output-channel slices), reduction groups
 * (weight-gradient tiles shared by several PEs), per-PE drains and idle PEs. The PE itself is
 * small (F=2, I=3, 8 x 16 accumulators) so that a 64-PE build stays quick.
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { goldenRun } from '../testbench/cosim.ts';
import { expectCosimExact } from './exact.ts';

const conv = (phase: string, g: Record<string, number>, seed: number) => ({
  kind: 'conv', phase, N: 1, C: 3, K: 4, H: 9, W: 8, R: 3, S: 3, stride: 1, pad: 1, ...g,
  density: { weights: 0.4, activations: 0.3, gradients: 0.3 }, seed,
});
const LAYERS: [string, object][] = [
  ['fwd', conv('fwd', { K: 12 }, 11)],
  ['bwd stride 2', conv('bwd', { stride: 2, C: 6 }, 12)],
  ['wgrad', conv('wgrad', { H: 12, W: 10 }, 13)],
  ['wgrad, a tile per PE or per small group', conv('wgrad', { C: 8, K: 8, H: 7, W: 7 }, 15)],
  ['matmul packed', { kind: 'matmul', M: 40, K: 9, N: 12, density: { a: 0.3, b: 0.3 }, seed: 14, mapping: 'packed' }],
];
const small = (pes: number, ant: string) => resolveConfig({ pes, F: 2, I: 3, banks: 8, bankDepth: 16, ant, antLookahead: 2 });

for (const pes of [8, 16, 64]) {
  describe.each(['off', 'filter', 'window'] as const)(`${pes} PEs, ant = %s`, (ant) => {
    it.each(LAYERS)('%s is cycle-exact and bit-exact', async (_name, spec) => {
      await expectCosimExact(small(pes, ant), spec);
    });
  });
}

describe('what the scale layers exercise', () => {
  it('broadcast groups smaller than the array, reduction groups and per-PE drains all occur', () => {
    const at64 = LAYERS.map(([, spec]) => goldenRun(small(64, 'off'), validateWorkload(spec), false).mapping);
    const groups = at64.map((m) => ({ bcast: m.arrayJobs[0].bcast, reduce: m.arrayJobs[0].reduce, group: m.arrayJobs[0].group ?? 64 }));
    expect(groups.some((g) => g.bcast && g.group < 64)).toBe(true);
    expect(groups.some((g) => g.reduce && g.group > 1)).toBe(true);
    expect(groups.some((g) => !g.reduce)).toBe(true);
  });
});
