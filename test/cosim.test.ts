/**
 * Cosimulation: RTL under Verilator against the golden model. Every case must be cycle-exact
 * (RTL cycles == golden cycles), transaction-exact and bit-exact on outputs. Cases are grouped
 * by config so that one Verilator build serves many workloads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { resolveConfig, type HwConfig } from '../generator/config.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { expectCosimExact } from './exact.ts';
import { writeNpyAtomic } from '../golden/workload/npy.ts';

const conv = (phase: string, g: Record<string, number>, density: Record<string, number>, seed = 1) =>
  ({ kind: 'conv', phase, N: 1, C: 2, K: 3, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 1, ...g, density, seed });
const fwdD = (d: number) => ({ weights: d, activations: d });
const bwdD = (d: number) => ({ weights: d, gradients: d });
const wgD = (d: number) => ({ activations: d, gradients: d });

const CASES: [string, object][] = [
  ['fwd 3x3 stride 1 pad 1', conv('fwd', {}, fwdD(0.4))],
  ['fwd stride 2 pad 0', conv('fwd', { stride: 2, pad: 0, H: 11, W: 9 }, fwdD(0.5), 2)],
  ['fwd 1x1 filter', conv('fwd', { R: 1, S: 1, pad: 0 }, fwdD(0.5), 3)],
  ['fwd 5x5 filter pad 2 non-square N=2', conv('fwd', { R: 5, S: 5, pad: 2, H: 7, W: 10, N: 2 }, fwdD(0.3), 4)],
  ['fwd stride 3 R != S', conv('fwd', { stride: 3, pad: 1, R: 3, S: 5, H: 12, W: 13 }, fwdD(0.6), 5)],
  ['bwd 3x3 stride 1 pad 1', conv('bwd', {}, bwdD(0.4), 6)],
  ['bwd stride 2 pad 0 5x5', conv('bwd', { stride: 2, pad: 0, R: 5, S: 5, H: 13, W: 11 }, bwdD(0.5), 7)],
  ['bwd 1x1 stride 2', conv('bwd', { stride: 2, pad: 0, R: 1, S: 1, H: 9, W: 6 }, bwdD(0.6), 8)],
  ['wgrad 3x3 stride 1 pad 1', conv('wgrad', {}, wgD(0.3), 9)],
  ['wgrad stride 2 pad 2 non-square', conv('wgrad', { stride: 2, pad: 2, H: 9, W: 12, R: 5, S: 3 }, wgD(0.4), 10)],
  ['wgrad 1x1 N=2', conv('wgrad', { R: 1, S: 1, pad: 0, N: 2 }, wgD(0.5), 11)],
  ['matmul per-k', { kind: 'matmul', M: 13, K: 10, N: 11, density: { a: 0.4, b: 0.4 }, seed: 12 }],
  ['matmul packed', { kind: 'matmul', M: 13, K: 10, N: 11, density: { a: 0.4, b: 0.4 }, seed: 12, mapping: 'packed' }],
  ['all-zero operand', conv('fwd', {}, { weights: 0, activations: 0.5 }, 13)],
  ['fully dense operands', conv('wgrad', { H: 6, W: 6 }, wgD(1), 15)],
];

async function expectExact(cfg: HwConfig, spec: object) {
  const r = await expectCosimExact(cfg, spec);
  expect(r.outputs.compared).toBeGreaterThan(0);
  return r;
}

describe.each([
  ['default SCNN-like (F=4 I=4, 32 banks)', {}],
  ['F=3 I=2, 8 banks', { F: 3, I: 2, banks: 8, bankDepth: 16 }],
])('cosim on %s', (_name, over) => {
  const cfg = resolveConfig(over);
  it.each(CASES)('%s', async (_label, spec) => {
    await expectExact(cfg, spec);
  });
});

describe('cosim edge shapes', () => {
  it('a single non-zero in each operand (tensors from .npy)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-one-'));
    const X = new Int32Array(2 * 7 * 6); X[1 * 42 + 3 * 6 + 4] = -5;
    const Wt = new Int32Array(3 * 2 * 3 * 3); Wt[(2 * 2 + 1) * 9 + 1 * 3 + 2] = 7;
    writeNpyAtomic(path.join(dir, 'x.npy'), { shape: [1, 2, 7, 6], data: X });
    writeNpyAtomic(path.join(dir, 'w.npy'), { shape: [3, 2, 3, 3], data: Wt });
    const spec = { ...conv('fwd', { H: 7, W: 6 }, fwdD(1)), tensors: { activations: path.join(dir, 'x.npy'), weights: path.join(dir, 'w.npy') } };
    const r = await expectExact(resolveConfig({ F: 3, I: 2, banks: 8, bankDepth: 16 }), spec);
    expect(r.counters.products).toBe(1);
    expect(r.counters.valid).toBe(1);
  });

  it('layers larger than the accumulators and buffers are tiled and chunked', async () => {
    // 16 accumulators and 4-vector buffers force output tiles and operand chunks in every mode.
    const cfg = resolveConfig({ F: 2, I: 2, banks: 4, bankDepth: 4, aDepth: 4, bDepth: 3 });
    for (const spec of [
      conv('fwd', { H: 9, W: 9 }, fwdD(0.5), 21),
      conv('bwd', { stride: 2, H: 9, W: 7 }, bwdD(0.5), 22),
      conv('wgrad', { H: 7, W: 7, R: 2, S: 2 }, wgD(0.5), 23),
      { kind: 'matmul', M: 9, K: 7, N: 6, density: { a: 0.5, b: 0.5 }, seed: 24, mapping: 'packed' },
    ]) {
      const r = await expectExact(cfg, spec);
      expect(r.jobs).toBeGreaterThan(3);
    }
  });

  it('accumulators wrap identically in RTL and model when sums overflow accWidth', async () => {
    const cfg = resolveConfig({ F: 2, I: 2, banks: 4, bankDepth: 16, dataWidth: 8, accWidth: 10 });
    const w = validateWorkload({ kind: 'matmul', M: 6, K: 16, N: 6, density: { a: 1, b: 1 }, seed: 5, valueMax: 127 });
    const r = await cosim(cfg, w);
    expect(r.warnings.join(' ')).toMatch(/overflow/);
    expect(r.pass).toBe(true);
  });

  it('operands wider than the accumulator (dataWidth 32, accWidth 24) and a 64-bit accumulator', async () => {
    for (const over of [{ dataWidth: 32, accWidth: 24 }, { dataWidth: 32, accWidth: 64 }]) {
      const cfg = resolveConfig({ F: 2, I: 3, banks: 4, bankDepth: 16, ...over });
      const w = validateWorkload({ kind: 'matmul', M: 5, K: 6, N: 7, density: { a: 0.7, b: 0.7 }, seed: 6, valueMax: 2 ** 31 - 1 });
      const r = await cosim(cfg, w);
      expect(r.pass).toBe(true);
    }
  });
});
