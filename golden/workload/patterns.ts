/**
 * Structured pruning patterns for GEMM weight matrices B (K x N, row-major; a convolution in
 * im2col form has K = C*R*S and N = output channels), after the reference code of Guo et al.,
 * "Accelerating sparse DNN models without hardware-support via tile-wise sparsity" (SC 2020),
 * plus tile-vector-wise (TVW: tile-wise with N:M inside the tiles). See PRIMER.md section 4.
 *
 * Scores: the magnitude |w| by default, or |score| of an optional per-element score tensor of
 * the same shape (e.g. a Taylor score (grad*weight)^2). A unit of several elements scores the
 * L2 norm of its element scores (tw/tw2: divided by the unit's width, as in the reference code).
 *
 * Thresholds are global over all matrices pruned together. Where the reference code takes an
 * (unweighted) percentile over unit scores, here units are sorted by score (ties by unit index:
 * matrix, then position, the lower index pruned first) and the shortest-distance prefix is
 * pruned so that the number of pruned ELEMENTS is closest to sparsity * (all elements). With
 * equal-size units this is the reference percentile; with partial edge tiles/blocks it keeps the
 * element-level sparsity within half a unit of the target. No pruned unit ever scores higher
 * than a kept unit (the reported threshold is the highest pruned score; units scoring exactly
 * the threshold may fall either side, by index).
 *
 * Patterns:
 * - ew: element-wise, one global threshold over all elements.
 * - vw: N:M along K per column (default 4:16): in each column, of every M consecutive rows the
 *   N with the largest scores are kept (ties: lower row kept); a last partial group of L rows
 *   keeps ceil(N*L/M). The sparsity is fixed by N:M: `sparsity` may be omitted, and when given
 *   it must equal 1 - N/M within 0.005 (else a WorkloadError).
 * - bw: b x b blocks (default 32; partial edge blocks allowed, NOT normalised by their size, as
 *   in the reference code), block score = L2 norm, one global threshold.
 * - tw: tiles of G consecutive columns (default 128, a last partial tile allowed); units are
 *   1 x G row segments inside a tile, score = L2 norm / G (G = that tile's actual width).
 * - tw2: whole columns first (column score = L2 norm / K) at s' = 1 - sqrt(1 - s) of all
 *   elements, then tiles of G consecutive KEPT columns (pruned columns belong to no tile), then
 *   row segments as in tw (score = L2 norm over the tile's kept columns / their number). The
 *   second stage prunes so that the overall sparsity is closest to s (not s' of what is left,
 *   so the two roundings do not compound; for exact granularity both are the same).
 * - tvw: tw tiles, then N:M (default 2:4) inside each tile over the tile's kept rows: in each
 *   column of the tile, of every M consecutive KEPT rows of that tile at most N stay (a last
 *   partial group of L keeps ceil(N*L/M)). The tw stage is chosen so that the FINAL sparsity is
 *   closest to s, i.e. about 1 - (1-s)/(N/M) (2s - 1 for 2:4) up to partial-group rounding.
 *   Below 1 - N/M (50% for 2:4) the target cannot be reached (N:M alone already prunes that
 *   much): a WorkloadError says so.
 *
 * Masks are 1 for kept and 0 for pruned elements, row-major K x N like the matrices.
 */
import { WorkloadError } from '../../generator/errors.ts';

export const PATTERNS = ['ew', 'vw', 'bw', 'tw', 'tw2', 'tvw'] as const;
export type Pattern = (typeof PATTERNS)[number];

export const PATTERN_DEFAULTS = { tile: 128, block: 32, vwNm: [4, 16] as [number, number], tvwNm: [2, 4] as [number, number] };

/** Tolerance for an explicit --sparsity with vw against 1 - N/M. */
export const VW_SPARSITY_TOLERANCE = 0.005;

/** A K x N row-major weight matrix (any numeric storage). */
export interface WeightMatrix { shape: readonly number[]; data: ArrayLike<number> }

export interface PruneOptions {
  /** Target fraction of pruned elements in [0, 1); optional for vw. */
  sparsity?: number;
  /** tw/tw2/tvw tile width G (columns). */
  tile?: number;
  /** bw block side b. */
  block?: number;
  /** vw (default 4:16) and tvw (default 2:4): keep N of every M. */
  nm?: readonly [number, number];
  /** Per-element scores, one per matrix, same length as its data; default |w|. */
  scores?: readonly ArrayLike<number>[];
}

export interface PatternParams {
  tile?: number;
  block?: number;
  nm?: [number, number];
  /** What one unit of the global selection is. */
  unit: string;
  /** Number of units of the (last) global selection. */
  units: number;
  /** Highest pruned unit score of the main selection (null when nothing was pruned). */
  threshold?: number | null;
  /** vw/tvw: the sparsity of N:M alone on full groups, 1 - N/M. */
  nmSparsity?: number;
  /** tw2: the per-dimension split s' = 1 - sqrt(1 - s), the column stage's threshold and achieved sparsity. */
  split?: number;
  columnThreshold?: number | null;
  columnSparsity?: number;
  /** tvw: the nominal tile-stage target 1 - (1-s)/(N/M), its threshold (= threshold) and achieved sparsity. */
  tileTarget?: number;
  tileSparsity?: number;
}

export interface PruneResult {
  pattern: Pattern;
  /** The sparsity aimed at (vw: 1 - N/M). */
  target: number;
  /** 1 kept, 0 pruned; one per matrix, row-major K x N. */
  masks: Uint8Array[];
  /** Pruned elements / all elements, over all matrices. */
  achieved: number;
  perMatrix: number[];
  pruned: number;
  total: number;
  threshold?: number | null;
  params: PatternParams;
  /** Intermediate structure: tw2 `columns` (per matrix, length N, 1 = column kept by the column
   * stage); tvw `tiles` (per matrix, K x N, the tile-stage mask before N:M, whose kept rows per
   * tile are the rows the N:M groups run over). */
  stages?: { columns?: Uint8Array[]; tiles?: Uint8Array[] };
}

const isPattern = (p: string): p is Pattern => (PATTERNS as readonly string[]).includes(p);

interface Prepared { K: number[]; N: number[]; sq: Float64Array[]; total: number }

function prepare(mats: readonly WeightMatrix[], scores: readonly ArrayLike<number>[] | undefined): Prepared {
  if (mats.length === 0) throw new WorkloadError('prune: no matrices given; allowed: one or more K x N matrices');
  if (scores && scores.length !== mats.length) {
    throw new WorkloadError(`prune: ${scores.length} score tensor(s) for ${mats.length} matrices; allowed: one per matrix or none`);
  }
  const K: number[] = [], N: number[] = [], sq: Float64Array[] = [];
  let total = 0;
  mats.forEach((m, i) => {
    const [k, n] = m.shape;
    if (m.shape.length !== 2 || !Number.isInteger(k) || !Number.isInteger(n) || k < 1 || n < 1) {
      throw new WorkloadError(`prune: matrix ${i} has shape [${m.shape.join(',')}]; allowed: K x N with K, N >= 1`);
    }
    if (m.data.length !== k * n) throw new WorkloadError(`prune: matrix ${i} has ${m.data.length} values for shape ${k}x${n}`);
    const src = scores ? scores[i] : m.data;
    if (src.length !== k * n) {
      throw new WorkloadError(`prune: the score tensor of matrix ${i} has ${src.length} values; allowed: the matrix's ${k}x${n} = ${k * n}`);
    }
    const s = new Float64Array(k * n);
    for (let j = 0; j < s.length; j++) {
      const v = Number(src[j]);
      if (!Number.isFinite(v)) {
        throw new WorkloadError(`prune: ${scores ? 'score' : 'weight'} ${src[j]} at [${Math.floor(j / n)},${j % n}] of matrix ${i} is not finite; allowed: finite numbers`);
      }
      s[j] = v * v;
    }
    K.push(k); N.push(n); sq.push(s);
    total += k * n;
  });
  return { K, N, sq, total };
}

/** Unit indices sorted by score ascending, ties by index ascending. */
function sortUnits(score: Float64Array): Uint32Array {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => score[a] - score[b] || a - b);
}

/**
 * The global selection: units in score order, pruned as a prefix whose element count is
 * closest to `target` elements (ties: the shorter prefix). Returns per-unit pruned flags.
 */
function selectGlobal(score: Float64Array, size: Float64Array, target: number): { pruned: Uint8Array; count: number; threshold: number | null } {
  const order = sortUnits(score);
  let best = 0, bestDist = Math.abs(target), cum = 0;
  for (let p = 1; p <= order.length; p++) {
    cum += size[order[p - 1]];
    const d = Math.abs(cum - target);
    if (d < bestDist) { best = p; bestDist = d; }
    if (cum > target) break; // cum only grows from here
  }
  const pruned = new Uint8Array(score.length);
  let count = 0;
  for (let p = 0; p < best; p++) { pruned[order[p]] = 1; count += size[order[p]]; }
  return { pruned, count, threshold: best ? score[order[best - 1]] : null };
}

/** Keep the `keep` highest-scoring of `rows` (ties: lower row kept); clear the others in `mask`. */
function keepTop(rows: number[], keep: number, sq: Float64Array, mask: Uint8Array, col: number, N: number): void {
  if (keep >= rows.length) return;
  const sorted = [...rows].sort((a, b) => sq[b * N + col] - sq[a * N + col] || a - b);
  for (let i = keep; i < sorted.length; i++) mask[sorted[i] * N + col] = 0;
}

const groupKeep = (n: number, m: number, len: number) => Math.ceil((n * len) / m);

function checkNm(nm: readonly number[]): [number, number] {
  const [n, m] = nm;
  if (nm.length !== 2 || !Number.isInteger(n) || !Number.isInteger(m) || n < 1 || n > m) {
    throw new WorkloadError(`prune: N:M ${nm.join(':')} is not allowed; allowed: integers with 0 < N <= M, e.g. 2:4 or 4:16`);
  }
  return [n, m];
}

function checkSize(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new WorkloadError(`prune: ${what} ${v} is not allowed; allowed: an integer >= 1`);
  return v;
}

/** Column tiles of a matrix: lists of column indices (tw/tvw: consecutive; tw2: consecutive kept). */
function tilesOf(cols: number[], G: number): number[][] {
  const tiles: number[][] = [];
  for (let i = 0; i < cols.length; i += G) tiles.push(cols.slice(i, i + G));
  return tiles;
}

interface RowUnits { score: Float64Array; size: Float64Array; tiles: number[][][]; offset: number[] }

/** Row-segment units (tile, row) of every matrix: score = L2 norm over the tile's columns / its width. */
function rowUnits(p: Prepared, tiles: number[][][]): RowUnits {
  const offset: number[] = [];
  let count = 0;
  tiles.forEach((ts, i) => { offset.push(count); count += ts.length * p.K[i]; });
  const score = new Float64Array(count), size = new Float64Array(count);
  tiles.forEach((ts, i) => {
    const K = p.K[i], N = p.N[i], sq = p.sq[i];
    ts.forEach((cols, t) => {
      const base = offset[i] + t * K;
      for (let k = 0; k < K; k++) {
        let acc = 0;
        for (const c of cols) acc += sq[k * N + c];
        score[base + k] = Math.sqrt(acc) / cols.length;
        size[base + k] = cols.length;
      }
    });
  });
  return { score, size, tiles, offset };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Prune all `mats` together with one pattern; see the file comment for each pattern's rules. */
export function prune(mats: readonly WeightMatrix[], pattern: Pattern | string, opts: PruneOptions = {}): PruneResult {
  if (!isPattern(pattern)) throw new WorkloadError(`prune: pattern '${pattern}' is unknown; allowed: ${PATTERNS.join(', ')}`);
  const p = prepare(mats, opts.scores);
  const s = opts.sparsity;
  if (s !== undefined && !(Number.isFinite(s) && s >= 0 && s < 1)) {
    throw new WorkloadError(`prune: sparsity ${s} is not allowed; allowed: a fraction in [0, 1), e.g. 0.75`);
  }
  if (s === undefined && pattern !== 'vw') throw new WorkloadError(`prune: pattern ${pattern} needs a target sparsity; allowed: a fraction in [0, 1), e.g. 0.75`);
  const masks = p.K.map((k, i) => new Uint8Array(k * p.N[i]).fill(1));
  const T = p.total;
  let params: PatternParams;
  let stages: PruneResult['stages'];
  let target = s ?? 0;

  switch (pattern) {
    case 'ew': {
      const score = new Float64Array(T), size = new Float64Array(T).fill(1);
      let o = 0;
      for (const sq of p.sq) for (let j = 0; j < sq.length; j++) score[o++] = Math.sqrt(sq[j]);
      const sel = selectGlobal(score, size, target * T);
      o = 0;
      for (const m of masks) for (let j = 0; j < m.length; j++) if (sel.pruned[o++]) m[j] = 0;
      params = { unit: 'element (|score|)', units: T, threshold: sel.threshold };
      break;
    }
    case 'vw': {
      const [n, m] = checkNm(opts.nm ?? PATTERN_DEFAULTS.vwNm);
      const nominal = 1 - n / m;
      if (s !== undefined && Math.abs(s - nominal) > VW_SPARSITY_TOLERANCE) {
        throw new WorkloadError(`prune: vw sparsity is fixed by N:M (${n}:${m} gives ${nominal.toFixed(4)}), but ${s} was asked; allowed: omit the sparsity, give ${nominal.toFixed(4)}, or choose N:M with 1 - N/M = ${s}`);
      }
      target = nominal;
      let groups = 0;
      p.K.forEach((K, i) => {
        const N = p.N[i];
        for (let c = 0; c < N; c++) {
          for (let g = 0; g < K; g += m) {
            const rows = range(Math.min(m, K - g)).map((r) => g + r);
            keepTop(rows, groupKeep(n, m, rows.length), p.sq[i], masks[i], c, N);
            groups++;
          }
        }
      });
      params = { nm: [n, m], unit: `${m} consecutive rows of one column (keep the top ${n})`, units: groups, nmSparsity: nominal };
      break;
    }
    case 'bw': {
      const b = checkSize('block size', opts.block ?? PATTERN_DEFAULTS.block);
      const offset: number[] = [];
      let count = 0;
      p.K.forEach((K, i) => { offset.push(count); count += Math.ceil(K / b) * Math.ceil(p.N[i] / b); });
      const score = new Float64Array(count), size = new Float64Array(count);
      p.K.forEach((K, i) => {
        const N = p.N[i], sq = p.sq[i], nbc = Math.ceil(N / b);
        for (let k = 0; k < K; k++) {
          for (let c = 0; c < N; c++) score[offset[i] + Math.floor(k / b) * nbc + Math.floor(c / b)] += sq[k * N + c];
        }
        for (let u = 0; u < Math.ceil(K / b) * nbc; u++) {
          const bi = Math.floor(u / nbc), bj = u % nbc;
          score[offset[i] + u] = Math.sqrt(score[offset[i] + u]);
          size[offset[i] + u] = (Math.min(K, (bi + 1) * b) - bi * b) * (Math.min(N, (bj + 1) * b) - bj * b);
        }
      });
      const sel = selectGlobal(score, size, target * T);
      p.K.forEach((K, i) => {
        const N = p.N[i], nbc = Math.ceil(N / b);
        for (let k = 0; k < K; k++) {
          for (let c = 0; c < N; c++) if (sel.pruned[offset[i] + Math.floor(k / b) * nbc + Math.floor(c / b)]) masks[i][k * N + c] = 0;
        }
      });
      params = { block: b, unit: `${b}x${b} block (L2 norm)`, units: count, threshold: sel.threshold };
      break;
    }
    case 'tw':
    case 'tvw': {
      const G = checkSize('tile width', opts.tile ?? PATTERN_DEFAULTS.tile);
      const u = rowUnits(p, p.N.map((N) => tilesOf(range(N), G)));
      if (pattern === 'tw') {
        const sel = selectGlobal(u.score, u.size, target * T);
        clearRows(p, u, sel.pruned, masks);
        params = { tile: G, unit: `1x${G} row segment of a tile (L2 norm / width)`, units: u.score.length, threshold: sel.threshold };
        break;
      }
      const [n, m] = checkNm(opts.nm ?? PATTERN_DEFAULTS.tvwNm);
      const nominal = 1 - n / m;
      if (target < nominal - 1e-12) {
        throw new WorkloadError(`prune: tvw cannot reach sparsity ${target}: ${n}:${m} inside the tiles alone prunes ${nominal}; allowed: a sparsity in [${nominal}, 1), or pattern tw or vw for lower targets`);
      }
      const sel = selectTvw(p, u, n, m, target);
      clearRows(p, u, sel.pruned, masks);
      const tileSparsity = 1 - masks.reduce((a, mk) => a + count1(mk), 0) / T;
      stages = { tiles: masks.map((mk) => mk.slice()) };
      // N:M over each tile's kept rows, per column.
      u.tiles.forEach((ts, i) => {
        const K = p.K[i], N = p.N[i];
        ts.forEach((cols, t) => {
          const kept = range(K).filter((k) => !sel.pruned[u.offset[i] + t * K + k]);
          for (let g = 0; g < kept.length; g += m) {
            const rows = kept.slice(g, g + m);
            for (const c of cols) keepTop(rows, groupKeep(n, m, rows.length), p.sq[i], masks[i], c, N);
          }
        });
      });
      params = {
        tile: G, nm: [n, m], unit: `1x${G} row segment of a tile (L2 norm / width), then ${n}:${m} over the tile's kept rows`,
        units: u.score.length, threshold: sel.threshold, nmSparsity: nominal, tileTarget: 1 - (1 - target) / (n / m), tileSparsity,
      };
      break;
    }
    case 'tw2': {
      const G = checkSize('tile width', opts.tile ?? PATTERN_DEFAULTS.tile);
      const split = 1 - Math.sqrt(1 - target);
      const offset: number[] = [];
      let count = 0;
      p.N.forEach((N) => { offset.push(count); count += N; });
      const score = new Float64Array(count), size = new Float64Array(count);
      p.K.forEach((K, i) => {
        const N = p.N[i], sq = p.sq[i];
        for (let k = 0; k < K; k++) for (let c = 0; c < N; c++) score[offset[i] + c] += sq[k * N + c];
        for (let c = 0; c < N; c++) { score[offset[i] + c] = Math.sqrt(score[offset[i] + c]) / K; size[offset[i] + c] = K; }
      });
      const cs = selectGlobal(score, size, split * T);
      const keptCols = p.N.map((N, i) => range(N).filter((c) => !cs.pruned[offset[i] + c]));
      stages = { columns: p.N.map((N, i) => Uint8Array.from(range(N), (c) => 1 - cs.pruned[offset[i] + c])) };
      p.K.forEach((K, i) => {
        const N = p.N[i];
        for (let c = 0; c < N; c++) if (cs.pruned[offset[i] + c]) for (let k = 0; k < K; k++) masks[i][k * N + c] = 0;
      });
      const u = rowUnits(p, keptCols.map((cols) => tilesOf(cols, G)));
      const sel = selectGlobal(u.score, u.size, Math.max(0, target * T - cs.count));
      clearRows(p, u, sel.pruned, masks);
      params = {
        tile: G, unit: `whole column (L2 norm / K), then 1x${G} row segment of a tile of kept columns (L2 norm / width)`,
        units: u.score.length, threshold: sel.threshold, split, columnThreshold: cs.threshold, columnSparsity: cs.count / T,
      };
      break;
    }
  }

  const perMatrix = masks.map((m) => 1 - count1(m) / m.length);
  const kept = masks.reduce((a, m) => a + count1(m), 0);
  return { pattern, target, masks, achieved: (T - kept) / T, perMatrix, pruned: T - kept, total: T, threshold: params.threshold, params, ...(stages ? { stages } : {}) };
}

function count1(m: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < m.length; i++) c += m[i];
  return c;
}

function clearRows(p: Prepared, u: RowUnits, pruned: Uint8Array, masks: Uint8Array[]): void {
  u.tiles.forEach((ts, i) => {
    const K = p.K[i], N = p.N[i];
    ts.forEach((cols, t) => {
      for (let k = 0; k < K; k++) if (pruned[u.offset[i] + t * K + k]) for (const c of cols) masks[i][k * N + c] = 0;
    });
  });
}

/**
 * tvw's tile stage: row segments in score order; the prefix is chosen so that the sparsity after
 * N:M over the kept rows is closest to the target (the kept count of a tile column with k kept
 * rows is N*floor(k/M) + ceil(N*(k mod M)/M)).
 */
function selectTvw(p: Prepared, u: RowUnits, n: number, m: number, target: number): { pruned: Uint8Array; threshold: number | null } {
  const f = (k: number) => n * Math.floor(k / m) + groupKeep(n, m, k % m);
  const tileIndex = new Uint32Array(u.score.length);
  const keptRows: number[] = [], width: number[] = [];
  let finalKept = 0;
  u.tiles.forEach((ts, i) => {
    ts.forEach((cols, t) => {
      const id = keptRows.length;
      keptRows.push(p.K[i]); width.push(cols.length);
      finalKept += cols.length * f(p.K[i]);
      for (let k = 0; k < p.K[i]; k++) tileIndex[u.offset[i] + t * p.K[i] + k] = id;
    });
  });
  const goal = (1 - target) * p.total;
  const order = sortUnits(u.score);
  let best = 0, bestDist = Math.abs(finalKept - goal);
  for (let q = 1; q <= order.length; q++) {
    const t = tileIndex[order[q - 1]];
    finalKept -= width[t] * (f(keptRows[t]) - f(keptRows[t] - 1));
    keptRows[t]--;
    const d = Math.abs(finalKept - goal);
    if (d < bestDist) { best = q; bestDist = d; }
    if (finalKept < goal) break; // only decreases from here
  }
  const pruned = new Uint8Array(u.score.length);
  for (let q = 0; q < best; q++) pruned[order[q]] = 1;
  return { pruned, threshold: best ? u.score[order[best - 1]] : null };
}

/** A copy of `data` with the pruned elements (mask 0) set to zero; kept values unchanged. */
export function applyMask<T extends { slice(): T; length: number; [i: number]: number }>(data: T, mask: Uint8Array): T {
  if (data.length !== mask.length) throw new Error(`applyMask: ${data.length} values for a mask of ${mask.length}`);
  const out = data.slice();
  for (let i = 0; i < mask.length; i++) if (!mask[i]) out[i] = 0;
  return out;
}
