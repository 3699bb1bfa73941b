/**
 * The fast counters-only model used for whole networks is exact: on random layers in every
 * mode, ant mode, lookahead and array size it gives the same cycles and the same per-PE
 * counters as the cycle-stepped golden model (which cosimulation holds equal to the RTL).
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../../generator/config.ts';
import { validateWorkload, makeOperands } from '../../golden/workload/workload.ts';
import { mapWorkload } from '../../golden/mapping/mapper.ts';
import { runArray } from '../../golden/model/array.ts';
import { fastRun } from '../../golden/model/fastpe.ts';
import { Rng } from '../../golden/workload/rng.ts';

describe('fastRun equals runArray', () => {
  const rng = new Rng(4242);
  for (let n = 0; n < 80; n++) {
    const phase = (['fwd', 'bwd', 'wgrad', 'matmul'] as const)[n % 4];
    const spec = phase === 'matmul'
      ? { kind: 'matmul', M: rng.int(1, 30), K: rng.int(1, 20), N: rng.int(1, 30), density: { a: rng.next(), b: rng.next() }, seed: n, mapping: rng.next() < 0.5 ? 'perk' : 'packed' }
      : { kind: 'conv', phase, N: rng.int(1, 2), C: rng.int(1, 5), K: rng.int(1, 5), H: rng.int(5, 20), W: rng.int(5, 20), R: rng.int(1, 5), S: rng.int(1, 5),
          stride: rng.int(1, 3), pad: rng.int(0, 2), density: { weights: rng.next(), activations: rng.next() * 0.6, gradients: rng.next() * 0.6 }, seed: n };
    const over = {
      ant: (['off', 'filter', 'window'] as const)[rng.int(0, 2)], antLookahead: rng.int(1, 8), pes: rng.int(1, 4),
      F: rng.int(1, 4), I: rng.int(1, 4), banks: [1, 2, 4, 8, 32][rng.int(0, 4)], bankDepth: rng.int(8, 64), aDepth: rng.int(2, 40), bDepth: rng.int(2, 40),
      gating: n % 2 ? 'lanes' as const : 'off' as const,
    };
    it(`case ${n}: ${phase} ${JSON.stringify(over)}`, () => {
      const cfg = resolveConfig(over);
      const w = validateWorkload(spec);
      const mapping = mapWorkload(w, makeOperands(w, cfg).tensors, cfg);
      const slow = runArray(cfg, mapping);
      const fast = fastRun(cfg, mapping);
      expect(fast.perPe).toEqual(slow.perPe);
      expect(fast.counters).toEqual(slow.counters);
    });
  }
});
