/**
 * The mapper: splits a workload into PE jobs. The golden cycle model and the stimulus both
 * come from this one list, so the two sides can only disagree about what the hardware does.
 *
 * A job loads a list of stationary (A) and streamed (B) vectors and accumulates every valid
 * product of every (B, A) pair into the accumulators of one output tile; the last job of a
 * tile drains it. Each layer mode is lowered into the PE's affine job registers:
 *
 *   mode   | A (stationary)         | B (streamed)         | output coordinate
 *   fwd    | X[n,c] (h,w)           | W[k,c] (k,r,s)       | (k, (h-r+p)/u, (w-s+p)/u); stride phases must match (tag)
 *   bwd    | dY[n,k] (y*u, x*u)     | W[k,c] (c,R-1-r,S-1-s) | (c, y*u+r-p, x*u+s-p)  (flipped kernel)
 *   wgrad  | X[n,c..] (c,h+p,w+p)   | dY[n,k..] (k,y*u,x*u) | (k, c, h-y*u+p, w-x*u+p)  (channels interleaved)
 *   matmul | A[:,k] (m)             | B[k,:] (n)           | (m, n); packed: several k a job, matched by tag
 */
import { type HwConfig, derive } from '../generator/config.ts';
import { WorkloadError } from '../generator/errors.ts';
import { outSize } from './reference.ts';
import { type Element, type Vector, sortElements, toVectors, checkFits } from './format.ts';
import type { Workload } from './workload.ts';
import type { Tensor } from './tensor.ts';

export interface JobDesc {
  nA: number; nB: number;
  signA: number; signB: number; matchEn: number; drain: number; winTag: number;
  offY: number; offX: number; limY: number; limX: number;
  strideAC: number; strideBC: number; offAddr: number; drainRows: number;
}
export interface Job { desc: JobDesc; a: Vector[]; b: Vector[]; tile: number }

/** One output tile: accumulator address -> flat index of the output tensor. */
export interface Tile { count: number; nc: number; limY: number; limX: number; origin: number[]; /** A-side channels (wgrad) */ nca?: number }

export interface Mapping { jobs: Job[]; tiles: Tile[]; outShape: number[]; outIndex: (tile: Tile, addr: number) => number }

interface Geometry {
  signA: number; signB: number; matchEn: number; offY: number; offX: number;
  /** Accumulator address step per unit of A's and B's channel coordinate. */
  strideAC: number; strideBC: number;
  winTag?: number;
}

/** Tile a (C x Y x X) output block to fit `cap` accumulators and the coordinate limits. */
function tileDims(C: number, Y: number, X: number, cap: number, maxY: number, maxX: number, maxC: number) {
  let ty = Math.min(Y, maxY);
  let tx = Math.min(X, maxX);
  if (ty * tx > cap) {
    tx = Math.min(tx, cap);
    ty = Math.min(ty, Math.floor(cap / tx));
  }
  const tc = Math.max(1, Math.min(C, maxC, Math.floor(cap / (ty * tx))));
  return { tc, ty, tx };
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function mapWorkload(w: Workload, t: Record<string, Tensor>, cfg: HwConfig): Mapping {
  const d = derive(cfg);
  const cap = cfg.banks * cfg.bankDepth;
  const coordLim = 2 ** cfg.coordWidth;
  const chanLim = 2 ** cfg.chanWidth;
  const jobs: Job[] = [];
  const tiles: Tile[] = [];
  const addrMod = 2 ** d.addrWidth;

  /** Emit the jobs of one tile: one per (reduction step, A chunk, B chunk); the last drains. */
  const emitTile = (tile: Tile, geo: Geometry, steps: { a: Element[]; b: Element[] }[]) => {
    const index = tiles.length;
    tiles.push(tile);
    const first = jobs.length;
    const offAddr = (((geo.offY * tile.limX + geo.offX) % addrMod) + addrMod) % addrMod;
    for (const step of steps) {
      if (step.a.length === 0 || step.b.length === 0) continue; // no product: a driver skips it
      checkFits(step.a, cfg, 'stationary operand');
      checkFits(step.b, cfg, 'streamed operand');
      const av = toVectors(step.a, cfg.I);
      const bv = toVectors(step.b, cfg.F);
      for (let ai = 0; ai < av.length; ai += cfg.aDepth) {
        for (let bi = 0; bi < bv.length; bi += cfg.bDepth) {
          const a = av.slice(ai, ai + cfg.aDepth);
          const b = bv.slice(bi, bi + cfg.bDepth);
          jobs.push({ desc: descFor(a.length, b.length, 0), a, b, tile: index });
        }
      }
    }
    if (jobs.length === first) jobs.push({ desc: descFor(0, 0, 0), a: [], b: [], tile: index });
    const last = jobs[jobs.length - 1];
    last.desc.drain = 1;
    last.desc.drainRows = ceilDiv(tile.count, cfg.banks);

    function descFor(nA: number, nB: number, drain: number): JobDesc {
      return {
        nA, nB, signA: geo.signA, signB: geo.signB, matchEn: geo.matchEn, drain, winTag: geo.winTag ?? 0,
        offY: geo.offY, offX: geo.offX, limY: tile.limY, limX: tile.limX,
        strideAC: geo.strideAC % addrMod, strideBC: geo.strideBC % addrMod, offAddr, drainRows: 0,
      };
    }
  };

  if (w.kind === 'matmul') {
    const A = t.a, B = t.b;
    const { M, K, N } = w;
    const packed = w.mapping === 'packed';
    const { ty: Mt, tx: Nt } = tileDims(1, M, N, cap, coordLim, coordLim, 1);
    const group = packed ? Math.min(K, 2 ** cfg.tagWidth, chanLim) : 1;
    for (let m0 = 0; m0 < M; m0 += Mt) {
      for (let n0 = 0; n0 < N; n0 += Nt) {
        const mt = Math.min(Mt, M - m0), nt = Math.min(Nt, N - n0);
        const steps: { a: Element[]; b: Element[] }[] = [];
        for (let k0 = 0; k0 < K; k0 += group) {
          const a: Element[] = [], b: Element[] = [];
          for (let k = k0; k < Math.min(K, k0 + group); k++) {
            const tag = k - k0;
            for (let m = m0; m < m0 + mt; m++) { const v = A.data[m * K + k]; if (v) a.push({ val: v, g: tag, c: tag, y: m - m0, x: 0 }); }
            for (let n = n0; n < n0 + nt; n++) { const v = B.data[k * N + n]; if (v) b.push({ val: v, g: tag, c: tag, y: 0, x: n - n0 }); }
          }
          steps.push({ a: sortElements(a, 'cyx'), b: sortElements(b, 'cyx') });
        }
        emitTile({ count: mt * nt, nc: 1, limY: mt, limX: nt, origin: [m0, n0] },
          { signA: 0, signB: 0, matchEn: packed ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: 0, winTag: packed ? 1 : 0 }, steps);
      }
    }
    return { jobs, tiles, outShape: [M, N], outIndex: (tile, addr) => {
      const y = Math.floor(addr / tile.limX), x = addr % tile.limX;
      return (tile.origin[0] + y) * N + tile.origin[1] + x;
    } };
  }

  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const tag = (ry: number, rx: number) => ry * u + rx;
  if (u > 1 && u * u > 2 ** cfg.tagWidth) throw new WorkloadError(`stride ${u} needs ${u * u} stride phases as match tags; tagWidth=${cfg.tagWidth} holds ${2 ** cfg.tagWidth}; raise tagWidth`);

  if (w.phase === 'fwd') {
    const X = t.activations, Wt = t.weights;
    const haloY = Math.floor((R - 1) / u), haloX = Math.floor((S - 1) / u);
    // A tile of one output row/column needs coordinates 0..halo; without them no tile fits (and tiling would not advance).
    if (haloY >= coordLim || haloX >= coordLim) throw new WorkloadError(`filter R=${R} S=${S} at stride ${u} needs coordinates up to ${Math.max(haloY, haloX)}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
    const { tc: Kt, ty: Pt, tx: Qt } = tileDims(K, P, Q, cap, coordLim - haloY, coordLim - haloX, chanLim);
    for (let n = 0; n < N; n++) for (let k0 = 0; k0 < K; k0 += Kt) for (let y0 = 0; y0 < P; y0 += Pt) for (let x0 = 0; x0 < Q; x0 += Qt) {
      const kt = Math.min(Kt, K - k0), pt = Math.min(Pt, P - y0), qt = Math.min(Qt, Q - x0);
      const steps = [];
      for (let c = 0; c < C; c++) {
        const a: Element[] = [];
        const hLo = Math.max(0, y0 * u - p), hHi = Math.min(H - 1, (y0 + pt - 1) * u - p + R - 1);
        const wLo = Math.max(0, x0 * u - p), wHi = Math.min(W - 1, (x0 + qt - 1) * u - p + S - 1);
        for (let h = hLo; h <= hHi; h++) for (let x = wLo; x <= wHi; x++) {
          const v = X.data[((n * C + c) * H + h) * W + x];
          if (!v) continue;
          const hh = h + p - y0 * u, ww = x + p - x0 * u;
          a.push({ val: v, g: u > 1 ? tag(hh % u, ww % u) : 0, c: 0, y: Math.floor(hh / u), x: Math.floor(ww / u) });
        }
        const b: Element[] = [];
        for (let k = k0; k < k0 + kt; k++) for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
          const v = Wt.data[((k * C + c) * R + r) * S + s];
          if (v) b.push({ val: v, g: u > 1 ? tag(r % u, s % u) : 0, c: k - k0, y: Math.floor(r / u), x: Math.floor(s / u) });
        }
        steps.push({ a: sortElements(a, 'yxc'), b: sortElements(b, 'yxc') });
      }
      emitTile({ count: kt * pt * qt, nc: kt, limY: pt, limX: qt, origin: [n, k0, y0, x0] },
        { signA: 0, signB: 1, matchEn: u > 1 ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: pt * qt }, steps);
    }
    return { jobs, tiles, outShape: [N, K, P, Q], outIndex: convOut([N, K, P, Q]) };
  }

  if (w.phase === 'bwd') {
    const dY = t.gradients, Wt = t.weights;
    // Weight taps carry y=r, x=s: a tile of one output row/column needs coordinates 0..R-1 and 0..S-1.
    if (R > coordLim || S > coordLim) throw new WorkloadError(`filter R=${R} S=${S} needs coordinates up to ${Math.max(R, S) - 1}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
    const { tc: Ct, ty: Ht, tx: Wd } = tileDims(C, H, W, cap, coordLim - R + 1, coordLim - S + 1, chanLim);
    for (let n = 0; n < N; n++) for (let c0 = 0; c0 < C; c0 += Ct) for (let h0 = 0; h0 < H; h0 += Ht) for (let w0 = 0; w0 < W; w0 += Wd) {
      const ct = Math.min(Ct, C - c0), ht = Math.min(Ht, H - h0), wt = Math.min(Wd, W - w0);
      const baseY = h0 + p - R + 1, baseX = w0 + p - S + 1;
      const steps = [];
      for (let k = 0; k < K; k++) {
        const a: Element[] = [];
        for (let y = Math.max(0, Math.ceil(baseY / u)); y < P && y * u <= h0 + ht - 1 + p; y++) {
          for (let x = Math.max(0, Math.ceil(baseX / u)); x < Q && x * u <= w0 + wt - 1 + p; x++) {
            const v = dY.data[((n * K + k) * P + y) * Q + x];
            if (v) a.push({ val: v, g: 0, c: 0, y: y * u - baseY, x: x * u - baseX });
          }
        }
        const b: Element[] = [];
        for (let c = c0; c < c0 + ct; c++) for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
          const v = Wt.data[((k * C + c) * R + r) * S + s];
          // The kernel enters flipped (R-1-r, S-1-s), so the output row is A.y - B.y as in
          // the other modes and the A rows a B-vector needs grow as B advances.
          if (v) b.push({ val: v, g: 0, c: c - c0, y: R - 1 - r, x: S - 1 - s });
        }
        steps.push({ a: sortElements(a, 'yxc'), b: sortElements(b, 'yxc') });
      }
      emitTile({ count: ct * ht * wt, nc: ct, limY: ht, limX: wt, origin: [n, c0, h0, w0] },
        { signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: 0, strideBC: ht * wt }, steps);
    }
    return { jobs, tiles, outShape: [N, C, H, W], outIndex: convOut([N, C, H, W]) };
  }

  // wgrad: the output is K x C x R x S. A tile interleaves Cg input channels in A and Kg
  // output channels in B, both sorted by (row, column, channel): every vector then covers
  // few spatial positions, which is what lets a pair-level range test anticipate RCPs.
  const X = t.activations, dY = t.gradients;
  if (R * S > cap) throw new WorkloadError(`wgrad output of one channel pair (R*S = ${R * S}) does not fit the accumulators (banks*bankDepth = ${cap}); raise bankDepth`);
  const Kg = Math.max(1, Math.min(K, chanLim, 16, Math.floor(cap / (R * S))));
  const Cg = Math.max(1, Math.min(C, chanLim, Math.floor(cap / (Kg * R * S))));
  for (let c0 = 0; c0 < C; c0 += Cg) for (let k0 = 0; k0 < K; k0 += Kg) {
    const ct = Math.min(Cg, C - c0), kt = Math.min(Kg, K - k0);
    const steps = [];
    for (let n = 0; n < N; n++) {
      const a: Element[] = [];
      for (let c = c0; c < c0 + ct; c++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) {
        const v = X.data[((n * C + c) * H + h) * W + x];
        if (v) a.push({ val: v, g: 0, c: c - c0, y: h + p, x: x + p });
      }
      const b: Element[] = [];
      for (let k = k0; k < k0 + kt; k++) for (let y = 0; y < P; y++) for (let x = 0; x < Q; x++) {
        const v = dY.data[((n * K + k) * P + y) * Q + x];
        if (v) b.push({ val: v, g: 0, c: k - k0, y: y * u, x: x * u });
      }
      steps.push({ a: sortElements(a, 'yxc'), b: sortElements(b, 'yxc') });
    }
    emitTile({ count: kt * ct * R * S, nc: kt, nca: ct, limY: R, limX: S, origin: [k0, c0] },
      { signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: R * S, strideBC: ct * R * S }, steps);
  }
  return { jobs, tiles, outShape: [K, C, R, S], outIndex: (tile, addr) => {
    const ct = tile.nca!;
    const kk = Math.floor(addr / (ct * R * S)), cc = Math.floor(addr / (R * S)) % ct, rs = addr % (R * S);
    return ((tile.origin[0] + kk) * C + tile.origin[1] + cc) * R * S + rs;
  } };
}

/** fwd and bwd tiles: origin (n, channel, y, x) into an N x Ch x Y x X output. */
function convOut(shape: number[]) {
  const [, Ch, Y, X] = shape;
  return (tile: Tile, addr: number) => {
    const per = tile.limY * tile.limX;
    const cc = Math.floor(addr / per), rem = addr % per;
    const y = Math.floor(rem / tile.limX), x = rem % tile.limX;
    const [n, c0, y0, x0] = tile.origin;
    return ((n * Ch + c0 + cc) * Y + y0 + y) * X + x0 + x;
  };
}
