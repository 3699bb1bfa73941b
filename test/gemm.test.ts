/**
 * Structured sparsity on the array: for every pruning pattern, a small matmul whose weight
 * operand is pruned with it cosimulates cycle-exact and bit-exact (packed mapping, ant off and
 * window); and `model --gemm` reports against dense and ew.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { PATTERNS } from '../golden/workload/patterns.ts';
import { gemmOperands } from '../golden/studies/gemm.ts';
import { writeNpyAtomic } from '../golden/workload/npy.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { runCli } from './cli.ts';

describe('pruned matmuls cosimulate cycle-exact for every pattern', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-gemm-'));
  for (const pattern of PATTERNS) {
    it(pattern, async () => {
      const g = { name: `${pattern}-small`, M: 6, K: 32, N: 16, count: 1, weight: true };
      const { a, b, achieved } = gemmOperands(g, { pattern, sparsity: 0.75, actDensity: 0.5, seed: 2, sample: 1, batch: 1, tile: 8, block: 4 }, 0);
      expect(achieved).toBeGreaterThan(0.5);
      const fa = path.join(dir, `${pattern}-a.npy`), fb = path.join(dir, `${pattern}-b.npy`);
      writeNpyAtomic(fa, a);
      writeNpyAtomic(fb, b);
      const w = validateWorkload({ kind: 'matmul', M: g.M, K: g.K, N: g.N, seed: 1, mapping: 'packed', tensors: { a: fa, b: fb } });
      for (const ant of ['off', 'window'] as const) {
        const r = await cosim(resolveConfig({ pes: 2, F: 2, I: 2, banks: 8, bankDepth: 16, ant, antLookahead: 2 }), w);
        expect(r.pass).toBe(true);
        expect(r.cycles.rtl).toBe(r.cycles.golden);
      }
    });
  }
});

describe('model --gemm', () => {
  it('reports cycles per mode against dense and ew', async () => {
    const r = await runCli(['model', '--gemm', 'resnet18-fc', '--pattern', 'tw', '--sparsity', '0.9', '--sample', '2', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rows[0].achievedSparsity).toBeGreaterThan(0.89);
    expect(j.summary.cycles.window).toBeLessThan(j.summary.cycles.off);
    expect(j.vsDense.window).toBeGreaterThan(1);
    expect(j.vsEw.window).toBeGreaterThan(0);
  });
});
