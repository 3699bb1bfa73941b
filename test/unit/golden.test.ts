/**
 * The golden cycle model against the functional reference: on random layers of every mode,
 * what the modelled accumulators drain equals the dense reference, bit for bit, and the
 * counters obey their identities. No RTL here: fast, many shapes.
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../../generator/config.ts';
import { validateWorkload } from '../../golden/workload/workload.ts';
import { goldenRun } from '../../testbench/cosim.ts';
import { Rng } from '../../golden/workload/rng.ts';

/** Drained tiles assembled into the output; output halos of neighbouring tiles add. */
function drainedOutput(g: ReturnType<typeof goldenRun>, accWidth: number) {
  const out = new Map<number, bigint>();
  for (const [tileIdx, values] of g.run.drained) {
    const tile = g.mapping.tiles[tileIdx];
    for (let addr = 0; addr < tile.count; addr++) {
      const i = g.mapping.outIndex(tile, addr);
      out.set(i, BigInt.asIntN(accWidth, (out.get(i) ?? 0n) + values[addr]));
    }
  }
  return out;
}

describe('golden cycle model equals the functional reference', () => {
  const rng = new Rng(2024);
  const configs = [{}, { F: 3, I: 2, banks: 8, bankDepth: 8, aDepth: 5, bDepth: 4 }, { F: 1, I: 5, banks: 2, bankDepth: 64 }];
  for (let n = 0; n < 60; n++) {
    const over = configs[n % configs.length];
    const phase = (['fwd', 'bwd', 'wgrad', 'matmul'] as const)[n % 4];
    const R = [1, 3, 5][rng.int(0, 2)], S = [1, 3, 5][rng.int(0, 2)];
    const spec = phase === 'matmul'
      ? { kind: 'matmul', M: rng.int(1, 20), K: rng.int(1, 12), N: rng.int(1, 20), density: { a: rng.next(), b: rng.next() }, seed: n, mapping: rng.next() < 0.5 ? 'perk' : 'packed' }
      : { kind: 'conv', phase, N: rng.int(1, 2), C: rng.int(1, 3), K: rng.int(1, 3), H: rng.int(R, 12), W: rng.int(S, 12), R, S,
          stride: rng.int(1, 3), pad: rng.int(0, 2), density: { weights: rng.next(), activations: rng.next(), gradients: rng.next() }, seed: n };
    it(`case ${n}: ${JSON.stringify(spec)} on ${JSON.stringify(over)}`, () => {
      const cfg = resolveConfig(over);
      const g = goldenRun(cfg, validateWorkload(spec), false);
      const drained = drainedOutput(g, cfg.accWidth);
      expect(drained.size).toBe(g.ref.data.length);
      for (let i = 0; i < g.ref.data.length; i++) expect(drained.get(i)).toBe(BigInt(g.ref.data[i]));
      const c = g.run.counters;
      expect(c.rcps).toBe(c.products - c.valid);
      expect(c.products).toBeLessThanOrEqual(c.pairs * cfg.F * cfg.I);
      expect(c.cycles).toBeGreaterThanOrEqual(cfg.bankDepth + c.pairs + c.stalls);
    });
  }
});
