/**
 * ANT: anticipation of Redundant Cartesian Products. Every ant mode stays cycle-exact against
 * the golden model in every layer mode; ANT never drops a valid product; and on the issue's
 * weight-gradient layer both filter and window anticipate at least 90% of the baseline's RCPs
 * and window needs at least 3x fewer cycles - asserted on golden AND RTL counters.
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { compareModes } from '../golden/studies/ant-modes.ts';
import { energy, loadTech, multE } from '../golden/cost/cost.ts';
import { Rng } from '../golden/workload/rng.ts';
import { cosim, goldenRun } from '../testbench/cosim.ts';
import { applyMutant, mutantNamed } from '../testbench/mutants.ts';
import { expectCosimExact } from './exact.ts';

const conv = (phase: string, g: Record<string, number>, seed: number) => ({
  kind: 'conv', phase, N: 1, C: 3, K: 3, H: 10, W: 9, R: 3, S: 3, stride: 1, pad: 1, ...g,
  density: { weights: 0.5, activations: 0.3, gradients: 0.3 }, seed,
});
const LAYERS: [string, object][] = [
  ['fwd stride 1 pad 1', conv('fwd', {}, 1)],
  ['fwd stride 2 pad 0', conv('fwd', { stride: 2, pad: 0, H: 11 }, 2)],
  ['fwd stride 2 pad 2 5x5', conv('fwd', { stride: 2, pad: 2, R: 5, S: 5 }, 3)],
  ['bwd stride 1 pad 1', conv('bwd', {}, 4)],
  ['bwd stride 2 pad 0', conv('bwd', { stride: 2, pad: 0, H: 11 }, 5)],
  ['bwd stride 2 pad 2', conv('bwd', { stride: 2, pad: 2 }, 6)],
  ['wgrad stride 1 pad 1', conv('wgrad', { H: 14, W: 12 }, 7)],
  ['wgrad stride 2 pad 0', conv('wgrad', { stride: 2, pad: 0, H: 13 }, 8)],
  ['wgrad stride 2 pad 2', conv('wgrad', { stride: 2, pad: 2, R: 5, S: 3 }, 9)],
  ['matmul per-k', { kind: 'matmul', M: 14, K: 12, N: 10, density: { a: 0.2, b: 0.3 }, seed: 10, mapping: 'perk' }],
  ['matmul packed', { kind: 'matmul', M: 14, K: 12, N: 10, density: { a: 0.2, b: 0.3 }, seed: 10, mapping: 'packed' }],
  // Jobs of one or two vectors a side: the last boxes are written as the sequencer reads them.
  ['bwd tiny jobs', { kind: 'conv', phase: 'bwd', N: 1, C: 2, K: 2, H: 4, W: 4, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.2, gradients: 0.25 }, seed: 1 }],
];

describe.each(['off', 'filter', 'window'] as const)('cosim with ant = %s', (ant) => {
  const cfg = resolveConfig({ F: 3, I: 2, banks: 8, bankDepth: 32, ant, antLookahead: 3 });
  it.each(LAYERS)('%s is cycle-exact and bit-exact', async (_name, spec) => {
    const r = await expectCosimExact(cfg, spec);
    if (ant === 'off') expect(r.rcp.anticipatedFraction).toBe(0);
    expect(r.rcp.issued).toBe(r.counters.rcps);
    expect(r.counters.skipped).toBe(r.counters.visited - r.counters.pairs);
  });
});

describe('ANT never drops a valid product', () => {
  const rng = new Rng(77);
  for (let n = 0; n < 24; n++) {
    const phase = (['fwd', 'bwd', 'wgrad', 'matmul'] as const)[n % 4];
    const spec = phase === 'matmul'
      ? { kind: 'matmul', M: rng.int(1, 24), K: rng.int(1, 16), N: rng.int(1, 24), density: { a: rng.next(), b: rng.next() }, seed: n, mapping: n % 8 < 4 ? 'perk' : 'packed' }
      : { kind: 'conv', phase, N: rng.int(1, 2), C: rng.int(1, 4), K: rng.int(1, 4), H: rng.int(5, 16), W: rng.int(5, 16), R: rng.int(1, 5), S: rng.int(1, 5),
          stride: rng.int(1, 3), pad: rng.int(0, 2), density: { weights: rng.next(), activations: rng.next() * 0.5, gradients: rng.next() * 0.5 }, seed: n };
    const lookahead = rng.int(1, 8);
    it(`case ${n}: ${phase}, lookahead ${lookahead}`, () => {
      const w = validateWorkload(spec);
      const off = goldenRun(resolveConfig({ ant: 'off' }), w, false);
      for (const ant of ['filter', 'window'] as const) {
        const g = goldenRun(resolveConfig({ ant, antLookahead: lookahead }), w, false);
        expect(g.run.counters.valid).toBe(off.run.counters.valid);
        expect([...g.run.drained.entries()]).toEqual([...off.run.drained.entries()]);
        expect(g.run.counters.cycles).toBeLessThanOrEqual(off.run.counters.cycles);
      }
    });
  }
});

describe('lane gating (energy only)', () => {
  const spec = conv('wgrad', { H: 12, W: 12 }, 21);
  it.each(['off', 'window'] as const)('ant = %s: cycle-exact, RTL perf_gated = RCP lanes issued, outputs and cycles as without gating', async (ant) => {
    const base = { F: 3, I: 2, banks: 8, bankDepth: 32, ant, antLookahead: 3 };
    const on = await expectCosimExact(resolveConfig({ ...base, gating: 'lanes' }), spec);
    const off = goldenRun(resolveConfig({ ...base, gating: 'off' }), validateWorkload(spec), false);
    expect(on.counters.rcps).toBeGreaterThan(0);
    expect(on.counters.gated).toBe(on.counters.rcps);
    expect(off.run.counters.gated).toBe(0);
    expect({ ...on.counters, gated: 0 }).toEqual(off.run.counters);
    // Energy: the gated lanes' multiplies move from random to gated (charged gated_fraction = 0).
    const t = loadTech();
    const eOn = energy(on.counters, resolveConfig({ ...base, gating: 'lanes' }), t).total;
    const eOff = energy(off.run.counters, resolveConfig({ ...base, gating: 'off' }), t).total;
    expect(eOff - eOn).toBeCloseTo(on.counters.gated * multE(t, 16) * (1 - t.energy.gated_fraction), 6);
  });
});

describe('compare', () => {
  it('multiplier utilization counts every PE: valid products / (cycles x F x I x pes), at most 1', () => {
    const w = validateWorkload({ kind: 'conv', phase: 'wgrad', N: 1, C: 8, K: 8, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 3 });
    for (const pes of [1, 4, 16]) {
      const cfg = resolveConfig({ pes });
      for (const r of compareModes(cfg, w).rows) {
        expect(r.multiplierUtilization).toBeCloseTo(r.counters.valid / (r.cycles * cfg.F * cfg.I * pes), 12);
        expect(r.multiplierUtilization).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('the weight-gradient target layer (32x32, 3x3, stride 1, pad 1, C = K = 4, 10% density)', () => {
  const layer = { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 32, W: 32, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.1, gradients: 0.1 }, seed: 1 };
  const w = validateWorkload(layer);

  it('golden: filter and window anticipate >= 90% of RCPs; window needs >= 3x fewer cycles', () => {
    const { rows } = compareModes(resolveConfig({}), w);
    const [off, filter, window] = rows;
    for (const r of [filter, window]) {
      expect(r.rcp.anticipatedFraction).toBeGreaterThanOrEqual(0.9);
      expect(r.cycles).toBeLessThan(off.cycles);
    }
    expect(off.cycles / window.cycles).toBeGreaterThanOrEqual(3);
  });

  it('RTL counters agree: cosim of off, filter and window on the default config', async () => {
    const res = [];
    for (const ant of ['off', 'filter', 'window'] as const) {
      const r = await cosim(resolveConfig({ ant }), w);
      expect(r.pass).toBe(true);
      res.push(r);
    }
    const [off, filter, window] = res;
    for (const r of [filter, window]) {
      expect(r.rcp.baselineIssued).toBe(off.counters.rcps);
      expect((off.counters.rcps - r.counters.rcps) / off.counters.rcps).toBeGreaterThanOrEqual(0.9);
      expect(r.cycles.rtl).toBeLessThan(off.cycles.rtl);
    }
    expect(off.cycles.rtl / window.cycles.rtl).toBeGreaterThanOrEqual(3);
  });
});

describe('testbench sensitivity to ANT', () => {
  it('a range test that wrongly skips a pair with a valid product fails cosim', async () => {
    const cfg = resolveConfig({ F: 2, I: 2, banks: 8, bankDepth: 32, ant: 'filter' });
    // Off by one: the row test now rejects pairs whose lowest output row is the tile's last.
    const modules = applyMutant(generate(cfg), mutantNamed('range-row-low-off-by-one'), cfg);
    expect(modules.find((m) => m.name === 'af_range')!.text).toContain('t_ylo - 1');
    const r = await cosim(cfg, validateWorkload(conv('wgrad', { H: 12, W: 12 }, 11)), { modules });
    expect(r.pass).toBe(false);
    expect(r.trace.first).toBeDefined();
    expect(r.outputs.mismatches).toBeGreaterThan(0);
  });
});
