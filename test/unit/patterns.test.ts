/**
 * Pruning patterns (golden/workload/patterns.ts) on small matrices: the structure each pattern
 * promises and the sparsity it reports. (The full study, at size and through the CLI:
 * test/patterns.test.ts.)
 */
import { describe, it, expect } from 'vitest';
import { PATTERNS, applyMask, prune } from '../../golden/workload/patterns.ts';
import { Rng } from '../../golden/workload/rng.ts';

const K = 64, N = 64;
const matrix = (seed: number) => {
  const rng = new Rng(seed);
  return { shape: [K, N], data: Float64Array.from({ length: K * N }, () => rng.next() * 2 - 1) };
};
const mats = [matrix(1), matrix(2)];
const opts = { tile: 16, block: 8 };

describe.each(PATTERNS.map((p) => [p]))('%s', (pattern) => {
  it('reports the sparsity of its masks, near the target', () => {
    const r = prune(mats, pattern, { ...opts, sparsity: 0.75 });
    expect(r.pattern).toBe(pattern);
    expect(r.masks.map((m) => m.length)).toEqual([K * N, K * N]);
    const zeros = r.masks.reduce((s, m) => s + m.filter((v) => v === 0).length, 0);
    expect(r.pruned).toBe(zeros);
    expect(r.total).toBe(2 * K * N);
    expect(r.achieved).toBeCloseTo(zeros / (2 * K * N), 12);
    expect(Math.abs(r.achieved - 0.75)).toBeLessThan(0.03);
  });

  it('is deterministic', () => {
    expect(prune(mats, pattern, { ...opts, sparsity: 0.75 }).masks).toEqual(prune(mats, pattern, { ...opts, sparsity: 0.75 }).masks);
  });
});

describe('structure', () => {
  const kept = (m: Uint8Array, k: number, n: number) => m[k * N + n];

  it('ew keeps the largest magnitudes', () => {
    const r = prune(mats, 'ew', { sparsity: 0.5 });
    let maxPruned = 0, minKept = Infinity;
    mats.forEach((m, i) => m.data.forEach((v, j) => { if (r.masks[i][j]) minKept = Math.min(minKept, Math.abs(v)); else maxPruned = Math.max(maxPruned, Math.abs(v)); }));
    expect(maxPruned).toBeLessThanOrEqual(minKept);
  });

  it('bw prunes whole b x b blocks', () => {
    const r = prune(mats, 'bw', { ...opts, sparsity: 0.75 });
    for (const m of r.masks) for (let k0 = 0; k0 < K; k0 += 8) for (let n0 = 0; n0 < N; n0 += 8) {
      const vals = new Set<number>();
      for (let k = k0; k < k0 + 8; k++) for (let n = n0; n < n0 + 8; n++) vals.add(kept(m, k, n));
      expect(vals.size).toBe(1);
    }
  });

  it('tw prunes whole rows of G-column tiles', () => {
    const r = prune(mats, 'tw', { ...opts, sparsity: 0.75 });
    for (const m of r.masks) for (let n0 = 0; n0 < N; n0 += 16) for (let k = 0; k < K; k++) {
      const vals = new Set<number>();
      for (let n = n0; n < n0 + 16; n++) vals.add(kept(m, k, n));
      expect(vals.size).toBe(1);
    }
  });

  it('vw keeps the N largest of every M consecutive rows of a column', () => {
    const r = prune(mats, 'vw', { nm: [4, 16] });
    expect(r.achieved).toBeCloseTo(0.75, 12);
    r.masks.forEach((m, i) => {
      for (let n = 0; n < N; n++) for (let k0 = 0; k0 < K; k0 += 16) {
        const group = Array.from({ length: 16 }, (_, j) => ({ v: Math.abs(mats[i].data[(k0 + j) * N + n]), kept: kept(m, k0 + j, n) }));
        expect(group.filter((e) => e.kept).length).toBe(4);
        const minKept = Math.min(...group.filter((e) => e.kept).map((e) => e.v));
        expect(group.every((e) => e.kept || e.v <= minKept)).toBe(true);
      }
    });
  });

  it('applyMask zeroes exactly the pruned elements', () => {
    const data = Float64Array.from([1, -2, 3, -4]);
    expect(Array.from(applyMask(data, Uint8Array.from([1, 0, 0, 1])))).toEqual([1, 0, 0, -4]);
    expect(Array.from(data)).toEqual([1, -2, 3, -4]);
    expect(() => applyMask(data, new Uint8Array(3))).toThrow(/4 values for a mask of 3/);
  });
});
