/**
 * Structured pruning patterns (golden/workload/patterns.ts) and `antforge prune` (scripts/prune.ts): the
 * shape of what is zero per pattern, the achieved sparsity against the target, the global
 * threshold (no pruned unit scores above a kept one, across matrices), and a CLI round trip.
 */
import { afterAll, describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, parse } from 'npyjs';
import { prune, applyMask, type PruneResult } from '../golden/workload/patterns.ts';
import { randomMatrix } from '../golden/workload/tensor.ts';
import { runCli } from './cli.ts';

const K = 256, N = 512;
const TARGETS = [0.5, 0.75, 0.9, 0.95];

interface M { shape: [number, number]; data: Float64Array }
const gauss = (k: number, n: number, seed: number, scale = 1): M =>
  ({ shape: [k, n], data: Float64Array.from(randomMatrix(k, n, seed), (v) => v * scale) });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const l2 = (vals: number[]) => Math.sqrt(vals.reduce((a, v) => a + v * v, 0));

/** Whether every pruned unit scores at most every kept unit. */
function globalOk(units: { score: number; kept: boolean }[]): boolean {
  let maxPruned = -Infinity, minKept = Infinity;
  for (const u of units) u.kept ? (minKept = Math.min(minKept, u.score)) : (maxPruned = Math.max(maxPruned, u.score));
  return maxPruned <= minKept;
}
const expectGlobal = (units: { score: number; kept: boolean }[]) => expect(globalOk(units), 'a pruned unit scores above a kept one').toBe(true);

/** Column tiles: consecutive groups of G of `cols`. */
const tiles = (cols: number[], G: number) => range(Math.ceil(cols.length / G)).map((t) => cols.slice(t * G, (t + 1) * G));

/** Row segments of tiles: all-zero or all-kept in `mask`; returns the units with their score (L2 / width). */
function rowSegments(m: M, mask: Uint8Array, ts: number[][]) {
  const n = m.shape[1], units: { score: number; kept: boolean }[] = [];
  for (const cols of ts) {
    for (let k = 0; k < m.shape[0]; k++) {
      const ks = cols.map((c) => mask[k * n + c]);
      if (new Set(ks).size !== 1) expect.fail(`row ${k} of the tile at column ${cols[0]} is partly pruned`);
      units.push({ score: l2(cols.map((c) => m.data[k * n + c])) / cols.length, kept: ks[0] === 1 });
    }
  }
  return units;
}

function checkSparsity(r: PruneResult, mats: M[], target: number, tol = 0.01) {
  const zeros = r.masks.reduce((a, mk) => a + mk.filter((v) => v === 0).length, 0);
  const total = mats.reduce((a, m) => a + m.data.length, 0);
  expect(r.achieved).toBeCloseTo(zeros / total, 12);
  expect(Math.abs(r.achieved - target)).toBeLessThanOrEqual(tol);
  r.perMatrix.forEach((s, i) => expect(s).toBeCloseTo(r.masks[i].filter((v) => v === 0).length / r.masks[i].length, 12));
}

describe('ew', () => {
  const mats = [gauss(K, N, 1), gauss(K, N, 2, 0.5)];
  it.each(TARGETS)('one global magnitude threshold at %s', (s) => {
    const r = prune(mats, 'ew', { sparsity: s });
    expect(r.pruned).toBe(Math.round(s * 2 * K * N)); // within one element
    checkSparsity(r, mats, s, 1 / (2 * K * N));
    expectGlobal(mats.flatMap((m, i) => Array.from(m.data, (v, j) => ({ score: Math.abs(v), kept: r.masks[i][j] === 1 }))));
  });
  it('breaks ties by index, deterministically', () => {
    const ones = { shape: [4, 4], data: new Float64Array(16).fill(1) };
    const r = prune([ones], 'ew', { sparsity: 0.5 });
    expect(Array.from(r.masks[0])).toEqual([...Array(8).fill(0), ...Array(8).fill(1)]);
    expect(prune([ones], 'ew', { sparsity: 0.5 }).masks).toEqual(r.masks);
  });
});

describe('vw', () => {
  function checkVw(m: M, mask: Uint8Array, n: number, mm: number) {
    const [k, cols] = m.shape;
    let wrongCount = 0, wrongChoice = 0;
    for (let c = 0; c < cols; c++) {
      for (let g = 0; g < k; g += mm) {
        const rows = range(Math.min(mm, k - g)).map((r) => g + r);
        if (rows.filter((r) => mask[r * cols + c]).length !== Math.ceil((n * rows.length) / mm)) wrongCount++;
        if (!globalOk(rows.map((r) => ({ score: Math.abs(m.data[r * cols + c]), kept: mask[r * cols + c] === 1 })))) wrongChoice++;
      }
    }
    expect({ wrongCount, wrongChoice }).toEqual({ wrongCount: 0, wrongChoice: 0 });
  }
  it('4:16 by default and 2:4, sparsity fixed by N:M', () => {
    const mats = [gauss(K, 64, 3), gauss(K, 32, 4)];
    const r = prune(mats, 'vw', {});
    expect(r.params.nm).toEqual([4, 16]);
    checkSparsity(r, mats, 0.75, 1e-12);
    mats.forEach((m, i) => checkVw(m, r.masks[i], 4, 16));
    const r24 = prune(mats, 'vw', { nm: [2, 4], sparsity: 0.5 });
    checkSparsity(r24, mats, 0.5, 1e-12);
    mats.forEach((m, i) => checkVw(m, r24.masks[i], 2, 4));
  });
  it('a last partial group keeps ceil(N*len/M); a mismatched sparsity is refused', () => {
    const m = gauss(20, 7, 5); // groups of 16 + 4: the last keeps ceil(4*4/16) = 1
    checkVw(m, prune([m], 'vw', {}).masks[0], 4, 16);
    expect(() => prune([m], 'vw', { sparsity: 0.6 })).toThrow(/fixed by N:M \(4:16 gives 0\.7500\)/);
  });
});

describe('bw', () => {
  function blockUnits(m: M, mask: Uint8Array, b: number) {
    const [k, n] = m.shape, units: { score: number; kept: boolean }[] = [];
    for (let i = 0; i < k; i += b) {
      for (let j = 0; j < n; j += b) {
        const idx = range(Math.min(b, k - i)).flatMap((di) => range(Math.min(b, n - j)).map((dj) => (i + di) * n + j + dj));
        expect(new Set(idx.map((x) => mask[x])).size, `block at ${i},${j} is partly pruned`).toBe(1);
        units.push({ score: l2(idx.map((x) => m.data[x])), kept: mask[idx[0]] === 1 });
      }
    }
    return units;
  }
  const mats = [gauss(K, N, 6), gauss(K, N, 7, 1.1)];
  it.each(TARGETS)('32x32 blocks under one threshold at %s', (s) => {
    const r = prune(mats, 'bw', { sparsity: s });
    checkSparsity(r, mats, s);
    expectGlobal(mats.flatMap((m, i) => blockUnits(m, r.masks[i], 32)));
  });
  it('partial edge blocks', () => {
    const ms = [gauss(100, 70, 8), gauss(45, 33, 9)];
    const r = prune(ms, 'bw', { sparsity: 0.6, block: 16 });
    expectGlobal(ms.flatMap((m, i) => blockUnits(m, r.masks[i], 16)));
    expect(r.params.units).toBe(7 * 5 + 3 * 3);
  });
});

describe('tw', () => {
  const mats = [gauss(K, N, 10), gauss(K, N, 11, 0.9)];
  it.each(TARGETS)('row segments of 128-column tiles under one threshold at %s', (s) => {
    const r = prune(mats, 'tw', { sparsity: s });
    checkSparsity(r, mats, s);
    expectGlobal(mats.flatMap((m, i) => rowSegments(m, r.masks[i], tiles(range(N), 128))));
  });
  it('a last partial tile scores L2 / its own width', () => {
    const ms = [gauss(64, 300, 12), gauss(32, 100, 13)];
    const r = prune(ms, 'tw', { sparsity: 0.7, tile: 128 });
    expectGlobal(ms.flatMap((m, i) => rowSegments(m, r.masks[i], tiles(range(m.shape[1]), 128))));
    expect(r.params.units).toBe(3 * 64 + 32);
  });
});

describe('tw2', () => {
  const mats = [gauss(K, N, 14), gauss(K, N, 15, 1.2)];
  it.each(TARGETS)('whole columns, then tiles of kept columns at %s', (s) => {
    const r = prune(mats, 'tw2', { sparsity: s, tile: 64 });
    checkSparsity(r, mats, s);
    expect(r.params.split).toBeCloseTo(1 - Math.sqrt(1 - s), 12);
    const cols = r.stages!.columns!;
    expect(Math.abs(r.params.columnSparsity! - r.params.split!)).toBeLessThanOrEqual(0.01);
    // Column stage: pruned columns are all zero; column score = L2 / K.
    let leaks = 0;
    expectGlobal(mats.flatMap((m, i) => range(N).map((c) => {
      if (!cols[i][c]) for (let k = 0; k < K; k++) leaks += r.masks[i][k * N + c];
      return { score: l2(range(K).map((k) => m.data[k * N + c])) / K, kept: cols[i][c] === 1 };
    })));
    expect(leaks, 'kept elements in pruned columns').toBe(0);
    // Row stage: tiles cut after every 64 kept columns.
    expectGlobal(mats.flatMap((m, i) => rowSegments(m, r.masks[i], tiles(range(N).filter((c) => cols[i][c]), 64))));
  });
});

describe('tvw', () => {
  const mats = [gauss(K, N, 16), gauss(K, N, 17, 0.8)];
  function checkTvw(m: M, tileMask: Uint8Array, mask: Uint8Array, G: number, n: number, mm: number) {
    const [k, cols] = m.shape;
    const units = rowSegments(m, tileMask, tiles(range(cols), G));
    let outside = 0, wrongCount = 0, wrongChoice = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] && !tileMask[i]) outside++;
    for (const ts of tiles(range(cols), G)) {
      const kept = range(k).filter((r) => tileMask[r * cols + ts[0]]);
      for (const c of ts) {
        for (let g = 0; g < kept.length; g += mm) {
          const rows = kept.slice(g, g + mm);
          if (rows.filter((r) => mask[r * cols + c]).length !== Math.ceil((n * rows.length) / mm)) wrongCount++;
          if (!globalOk(rows.map((r) => ({ score: Math.abs(m.data[r * cols + c]), kept: mask[r * cols + c] === 1 })))) wrongChoice++;
        }
      }
    }
    expect({ outside, wrongCount, wrongChoice }).toEqual({ outside: 0, wrongCount: 0, wrongChoice: 0 });
    return units;
  }
  it.each(TARGETS)('tw tiles, then 2:4 over each tile\'s kept rows at %s', (s) => {
    const r = prune(mats, 'tvw', { sparsity: s });
    checkSparsity(r, mats, s);
    expect(Math.abs(r.params.tileSparsity! - (2 * s - 1))).toBeLessThanOrEqual(0.01);
    expectGlobal(mats.flatMap((m, i) => checkTvw(m, r.stages!.tiles![i], r.masks[i], 128, 2, 4)));
  });
  it('partial groups and tiles; below 1 - N/M is refused', () => {
    const ms = [gauss(30, 200, 18)];
    const r = prune(ms, 'tvw', { sparsity: 0.8, tile: 64 });
    checkSparsity(r, ms, 0.8, 0.02);
    checkTvw(ms[0], r.stages!.tiles![0], r.masks[0], 64, 2, 4);
    expect(() => prune(ms, 'tvw', { sparsity: 0.4 })).toThrow(/tvw cannot reach sparsity 0.4/);
  });
});

describe('several matrices, scores, errors', () => {
  it.each(['ew', 'bw', 'tw', 'tw2', 'tvw'])('%s: one threshold, so the uniformly larger matrix keeps more', (pat) => {
    const big = gauss(K, N, 20, 3), small = gauss(K, N, 21);
    const r = prune([small, big], pat, { sparsity: 0.75 });
    expect(r.perMatrix[1]).toBeLessThan(r.perMatrix[0] - 0.3);
    expect(r.achieved).toBeCloseTo(0.75, 2);
  });
  it('a score tensor replaces |w|, and applyMask keeps kept values', () => {
    const m = gauss(64, 64, 22);
    const scores = [Float64Array.from(m.data, (v) => 1 / (Math.abs(v) + 1e-9))];
    const r = prune([m], 'ew', { sparsity: 0.5, scores });
    expectGlobal(Array.from(m.data, (v, j) => ({ score: -Math.abs(v), kept: r.masks[0][j] === 1 }))); // the largest |w| went
    const out = applyMask(m.data, r.masks[0]);
    expect(Array.from(out)).toEqual(Array.from(m.data, (v, j) => (r.masks[0][j] ? v : 0)));
    expect(() => prune([m], 'ew', { sparsity: 0.5, scores: [new Float64Array(3)] })).toThrow(/score tensor of matrix 0 has 3 values/);
  });
  it('bad options', () => {
    const m = gauss(8, 8, 23);
    expect(() => prune([m], 'xw', { sparsity: 0.5 })).toThrow(/pattern 'xw' is unknown; allowed: ew, vw, bw, tw, tw2, tvw/);
    expect(() => prune([m], 'ew', { sparsity: 1 })).toThrow(/allowed: a fraction in \[0, 1\)/);
    expect(() => prune([m], 'tw', {})).toThrow(/needs a target sparsity/);
    expect(() => prune([m], 'vw', { nm: [5, 4] })).toThrow(/0 < N <= M/);
  });
});

/** `antforge prune ARGS` in this process (test/cli.ts). */
const runPrune = (args: string[]) => runCli(['prune', ...args]);

const readNpy = (f: string) => {
  const b = fs.readFileSync(f);
  return parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
};
const dirs: string[] = [];
const tmpdir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-prune-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

describe('antforge prune', () => {
  it('prunes float32, float64 4-D and int8 files together; dtypes and shapes are kept', async () => {
    const dir = tmpdir();
    const a = path.join(dir, 'a.npy'), conv = path.join(dir, 'conv.npy'), q = path.join(dir, 'q.npy');
    const av = Float32Array.from(randomMatrix(64, 96, 30));
    const cv = Float64Array.from(randomMatrix(8, 3 * 3 * 3, 31)); // (K_out 8, C 3, R 3, S 3)
    const qv = Int8Array.from(randomMatrix(32, 16, 32), (v) => Math.max(-127, Math.min(127, Math.round(v * 40))));
    fs.writeFileSync(a, new Uint8Array(dump(av, [64, 96])));
    fs.writeFileSync(conv, new Uint8Array(dump(cv, [8, 3, 3, 3])));
    fs.writeFileSync(q, new Uint8Array(dump(qv, [32, 16])));
    const res = await runPrune(['--weights', a, '--weights', conv, '--weights', q, '--pattern', 'tw', '--sparsity', '0.6', '--tile', '8', '--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const rep = JSON.parse(res.stdout);
    expect(rep.ok).toBe(true);
    expect(rep.matrices.map((m: { output: string }) => path.basename(m.output))).toEqual(['a.pruned.npy', 'conv.pruned.npy', 'q.pruned.npy']);
    expect(rep.matrices[1].gemm).toEqual([27, 8]);
    expect(rep.params.tile).toBe(8);
    expect(Math.abs(rep.achieved - 0.6)).toBeLessThan(0.01);
    const want: [string, string, number[], ArrayLike<number>][] = [
      ['a.pruned.npy', 'f4', [64, 96], av], ['conv.pruned.npy', 'f8', [8, 3, 3, 3], cv], ['q.pruned.npy', 'i1', [32, 16], qv]];
    want.forEach(([f, dtype, shape, src], i) => {
      const t = readNpy(path.join(dir, f));
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual(shape);
      const d = t.data as unknown as ArrayLike<number>;
      let pruned = 0;
      let changed = 0;
      for (let j = 0; j < src.length; j++) { if (d[j] === 0 && src[j] !== 0) pruned++; else if (d[j] !== src[j]) changed++; }
      expect(changed).toBe(0);
      expect(pruned).toBeLessThanOrEqual(rep.matrices[i].pruned);
    });
    // The 4-D weights were pruned as the (C*R*S) x K_out matrix: each output channel k is one
    // column, and with tiles of 8 columns every (c,r,s) row is all kept or all zero over k.
    const t = readNpy(path.join(dir, 'conv.pruned.npy')).data as Float64Array;
    for (let j = 0; j < 27; j++) expect(new Set(range(8).map((k) => t[k * 27 + j] === 0)).size).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--shape with a seed, text report, --out and --scores', async () => {
    const dir = tmpdir();
    const out = path.join(dir, 'r.npy');
    const res = await runPrune(['--shape', '64x32', '--seed', '3', '--pattern', 'vw', '--nm', '2:4', '--out', out, '--block', '4']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/prune vw \(N:M 2:4\): target 0\.5000, overall 0\.5000 \(1024 of 2048 weights pruned\)/);
    expect(res.stdout).toMatch(/note: --block does not apply to pattern vw/);
    const t = readNpy(out);
    expect([t.dtype, t.shape]).toEqual(['f4', [64, 32]]);
    const again = await runPrune(['--shape', '64x32', '--seed', '3', '--pattern', 'vw', '--nm', '2:4', '--out', path.join(dir, 's.npy')]);
    expect(again.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 's.npy'))).toEqual(fs.readFileSync(out));
    // Scores: prune by the inverse magnitude, so the largest weights go.
    const w = path.join(dir, 'w.npy'), sc = path.join(dir, 'sc.npy');
    const wv = Float32Array.from(randomMatrix(16, 16, 4));
    fs.writeFileSync(w, new Uint8Array(dump(wv, [16, 16])));
    fs.writeFileSync(sc, new Uint8Array(dump(Float64Array.from(wv, (v) => 1 / (Math.abs(v) + 1e-6)), [16, 16])));
    expect((await runPrune(['--weights', w, '--scores', sc, '--pattern', 'ew', '--sparsity', '0.5'])).status).toBe(0);
    const pw = readNpy(path.join(dir, 'w.pruned.npy')).data as Float32Array;
    const maxKept = Math.max(...Array.from(pw, Math.abs));
    const minPruned = Math.min(...Array.from(wv).filter((_, j) => pw[j] === 0).map(Math.abs));
    expect(maxKept).toBeLessThanOrEqual(minPruned);
  });

  it('bad inputs exit 2 with one message and write nothing', async () => {
    const dir = tmpdir();
    const w = path.join(dir, 'w.npy'), w3 = path.join(dir, 'w3.npy'), sc = path.join(dir, 'sc.npy');
    fs.writeFileSync(w, new Uint8Array(dump(new Float32Array(64).fill(1), [8, 8])));
    fs.writeFileSync(w3, new Uint8Array(dump(new Float32Array(64).fill(1), [4, 4, 4])));
    fs.writeFileSync(sc, new Uint8Array(dump(new Float32Array(32).fill(1), [4, 8])));
    const base = ['--pattern', 'tw', '--sparsity', '0.5'];
    const cases: [string[], RegExp][] = [
      [['--weights', path.join(dir, 'missing.npy'), ...base], /missing\.npy: file not found/],
      [['--weights', w3, ...base], /3 dimension\(s\) \[4,4,4\]; allowed: 2-D K x N or 4-D/],
      [['--weights', w, '--pattern', 'tvw', '--sparsity', '0.6', '--nm', '3'], /--nm '3' is not allowed; allowed: N:M with integers 0 < N <= M/],
      [['--weights', w, '--pattern', 'vw', '--nm', '0:4'], /--nm '0:4' is not allowed/],
      [['--weights', w, '--pattern', 'vw', '--nm', '5:4'], /--nm '5:4' is not allowed/],
      [['--weights', w, '--pattern', 'tw', '--sparsity', '1'], /--sparsity '1' is not allowed; allowed: a fraction in \[0, 1\)/],
      [['--weights', w, '--pattern', 'tw', '--sparsity', '-0.1'], /--sparsity '-0.1' is not allowed/],
      [['--weights', w, '--pattern', 'tw'], /--sparsity is required for pattern tw/],
      [['--shape', '8by8', ...base], /--shape '8by8' is not allowed; allowed: KxN/],
      [['--shape', '0x8', ...base], /--shape '0x8' is not allowed/],
      [['--weights', w, '--scores', sc, ...base], /sc\.npy: the scores tensor has shape \[4,8\], but its weights .* have \[8,8\]/],
      [['--weights', w, '--pattern', 'xw', '--sparsity', '0.5'], /--pattern 'xw' is unknown; allowed: ew, vw, bw, tw, tw2, tvw/],
      [['--weights', w, '--pattern', 'vw', '--sparsity', '0.5'], /vw sparsity is fixed by N:M \(4:16 gives 0\.7500\)/],
      [['--weights', w, '--pattern', 'tvw', '--sparsity', '0.3'], /tvw cannot reach sparsity 0\.3/],
      [['--weights', w, '--shape', '8x8', ...base], /--weights and --shape were both given/],
      [['--weights', w, '--tile', '0', ...base], /--tile '0' is not allowed/],
      [['--weights', w, '--out', path.join(dir, 'nodir', 'x.npy'), ...base], /x\.npy: cannot write the \.npy file/],
    ];
    for (const [args, msg] of cases) {
      const r = await runPrune(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['sc.npy', 'w.npy', 'w3.npy']);
    const j = await runPrune(['--weights', w, '--pattern', 'xw', '--sparsity', '0.5', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { area: 'workload' } });
  });

  it('round trip through the real CLI (scripts/antforge.mjs)', async () => {
    const dir = tmpdir();
    const w = path.join(dir, 'w.npy');
    fs.writeFileSync(w, new Uint8Array(dump(Float32Array.from(randomMatrix(64, 256, 40)), [64, 256])));
    const r = await runCli(['prune', '--weights', w, '--pattern', 'tvw', '--sparsity', '0.75', '--json'], { subprocess: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, pattern: 'tvw', params: { tile: 128, nm: [2, 4] } });
    const t = readNpy(path.join(dir, 'w.pruned.npy'));
    expect([t.dtype, t.shape]).toEqual(['f4', [64, 256]]);
    const bad = await runCli(['prune', '--weights', w, '--pattern', 'tw', '--sparsity', '2'], { subprocess: true });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--sparsity '2' is not allowed/);
  });
});
