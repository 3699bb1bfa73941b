/**
 * The mapper: splits a workload into array jobs, one PE job per PE. The golden cycle model
 * and the stimulus both come from this one list, so the two sides can only disagree about
 * what the hardware does.
 *
 * A PE job loads a list of stationary (A) and streamed (B) vectors and accumulates every valid
 * product of every (B, A) pair into the accumulators of one output tile; the last job of a
 * tile drains it. All PEs start an array job together (the barrier), so load imbalance costs
 * cycles. How work is spread over the PEs:
 *   fwd, bwd, matmul: SCNN's planar tiling - each PE owns a different spatial output tile (its
 *     stationary operand is the input tile plus halo, so no partial sums cross PEs) and the
 *     streamed operand (weights, or B) is broadcast to every PE;
 *   wgrad: the output (dW) is small and the reduction (rows of dY) large, so each PE takes a
 *     band of dY rows and the X rows they touch, all PEs accumulate the same dW tile, and the
 *     partial sums are reduced (summed across PEs) as they drain.
 * Each layer mode is lowered into the PE's affine job registers:
 *
 *   mode   | A (stationary)         | B (streamed)         | output coordinate
 *   fwd    | X[n,c] (h,w)           | W[k,c] (k,r,s)       | (k, (h-r+p)/u, (w-s+p)/u); stride phases must match (tag)
 *   bwd    | dY[n,k] (y*u, x*u)     | W[k,c] (c,R-1-r,S-1-s) | (c, y*u+r-p, x*u+s-p)  (flipped kernel)
 *   wgrad  | X[n,c..] (c,h+p,w+p)   | dY[n,k..] (k,y*u,x*u) | (k, c, h-y*u+p, w-x*u+p)  (channels interleaved)
 *   matmul | A[:,k] (m)             | B[k,:] (n)           | (m, n); packed: several k a job, matched by tag
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import { type Element, type Vector, sortElements, toVectors, checkFits } from './format.ts';
import type { Workload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';

export interface JobDesc {
  nA: number; nB: number;
  signA: number; signB: number; matchEn: number; drain: number; winTag: number;
  offY: number; offX: number; limY: number; limX: number;
  strideAC: number; strideBC: number; offAddr: number; drainRows: number;
}
/** One PE's job; tile -1 when the PE has no output tile in this group. */
export interface Job { desc: JobDesc; a: Vector[]; b: Vector[]; tile: number }
/** One job per PE, started together. bcast: every PE loads the same B vectors from one stream. reduce: drains are summed across PEs. */
export interface ArrayJob { pe: Job[]; bcast: boolean; reduce: boolean }

/** One output tile: accumulator address -> flat index of the output tensor. */
export interface Tile { count: number; nc: number; limY: number; limX: number; origin: number[]; /** A-side channels (wgrad) */ nca?: number }

export interface Mapping {
  pes: number; arrayJobs: ArrayJob[]; tiles: Tile[]; outShape: number[]; outIndex: (tile: Tile, addr: number) => number;
  /** Tile groups (one array-job sequence each) in the layer, and how many were mapped (see MapOptions.sample). */
  groups: { total: number; mapped: number };
}

/**
 * sample: map only this many tile groups, evenly spaced over the layer (all when the layer has
 * no more). Groups of a layer are statistically alike, so whole-network models simulate a
 * sample and scale by groups.total / groups.mapped; cosimulation always maps everything.
 */
export interface MapOptions { sample?: number }

interface Geometry {
  signA: number; signB: number; matchEn: number; offY: number; offX: number;
  /** Accumulator address step per unit of A's and B's channel coordinate. */
  strideAC: number; strideBC: number;
  winTag?: number;
}

/** A reduction step of a group: each PE's stationary elements, and B shared (broadcast) or per PE. */
interface Step { a: Element[][]; b: Element[] | Element[][] }

/**
 * Tile a (C x Y x X) output block to fit `cap` accumulators and the coordinate limits, with
 * at least `pes` spatial tiles where the plane allows, so every PE gets one.
 */
function tileDims(C: number, Y: number, X: number, cap: number, maxY: number, maxX: number, maxC: number, pes = 1) {
  let ty = Math.min(Y, maxY);
  let tx = Math.min(X, maxX);
  if (ty * tx > cap) {
    tx = Math.min(tx, cap);
    ty = Math.min(ty, Math.floor(cap / tx));
  }
  const gx = Math.ceil(X / tx);
  if (Math.ceil(Y / ty) * gx < pes) ty = Math.max(1, Math.ceil(Y / Math.ceil(pes / gx)));
  if (Math.ceil(Y / ty) * Math.ceil(X / tx) < pes) tx = Math.max(1, Math.ceil(X / Math.ceil(pes / Math.ceil(Y / ty))));
  const tc = Math.max(1, Math.min(C, maxC, Math.floor(cap / (ty * tx))));
  return { tc, ty, tx };
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** Split a list into chunks of at most n (at least one chunk, possibly empty). */
function chunks<T>(list: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out.length ? out : [[]];
}

export function mapWorkload(w: Workload, t: Record<string, Tensor>, cfg: HwConfig, opts: MapOptions = {}): Mapping {
  const d = derive(cfg);
  const pes = cfg.pes;
  const cap = cfg.banks * cfg.bankDepth;
  const coordLim = 2 ** cfg.coordWidth;
  const chanLim = 2 ** cfg.chanWidth;
  const arrayJobs: ArrayJob[] = [];
  const tiles: Tile[] = [];
  const addrMod = 2 ** d.addrWidth;

  const descFor = (tile: Tile | null, geo: Geometry, nA: number, nB: number): JobDesc => {
    const limY = tile?.limY ?? 1, limX = tile?.limX ?? 1;
    return {
      nA, nB, signA: geo.signA, signB: geo.signB, matchEn: geo.matchEn, drain: 0, winTag: geo.winTag ?? 0,
      offY: geo.offY, offX: geo.offX, limY, limX,
      strideAC: geo.strideAC % addrMod, strideBC: geo.strideBC % addrMod,
      offAddr: (((geo.offY * limX + geo.offX) % addrMod) + addrMod) % addrMod, drainRows: 0,
    };
  };

  /**
   * Emit the array jobs of one group. bcast: tiles[p] is PE p's own tile (or null) and B is
   * shared; reduce: every PE accumulates the one tile tiles[0] and B is per PE.
   */
  const emitGroup = (groupTiles: (Tile | null)[], geos: Geometry[], steps: Step[], reduce: boolean) => {
    const index = reduce ? [tiles.push(groupTiles[0]!) - 1] : groupTiles.map((tl) => (tl ? tiles.push(tl) - 1 : -1));
    const tileOf = (p: number) => (reduce ? groupTiles[0] : groupTiles[p] ?? null);
    const tileIdx = (p: number) => (reduce ? index[0] : index[p] ?? -1);
    const job = (p: number, a: Vector[], b: Vector[]): Job => ({ desc: descFor(tileOf(p), geos[p] ?? geos[0], a.length, b.length), a, b, tile: tileIdx(p) });
    const first = arrayJobs.length;
    for (const step of steps) {
      step.a.forEach((list) => checkFits(list, cfg, 'stationary operand'));
      const av = step.a.map((list) => toVectors(list, cfg.I));
      if (!reduce) {
        const bList = step.b as Element[];
        if (bList.length === 0 || av.every((v) => v.length === 0)) continue; // no product: a driver skips it
        checkFits(bList, cfg, 'streamed operand');
        const bv = toVectors(bList, cfg.F);
        const aChunks = Array.from({ length: pes }, (_, p) => chunks(av[p] ?? [], cfg.aDepth));
        const nA = Math.max(...aChunks.map((c) => c.length));
        for (const b of chunks(bv, cfg.bDepth)) {
          for (let ci = 0; ci < nA; ci++) {
            arrayJobs.push({ bcast: true, reduce: false, pe: Array.from({ length: pes }, (_, p) => job(p, aChunks[p][ci] ?? [], b)) });
          }
        }
      } else {
        const perPe = Array.from({ length: pes }, (_, p) => {
          const bList = (step.b as Element[][])[p] ?? [];
          if (!av[p]?.length || !bList.length) return [] as [Vector[], Vector[]][];
          checkFits(bList, cfg, 'streamed operand');
          const bv = toVectors(bList, cfg.F);
          const out: [Vector[], Vector[]][] = [];
          for (const a of chunks(av[p], cfg.aDepth)) for (const b of chunks(bv, cfg.bDepth)) out.push([a, b]);
          return out;
        });
        const n = Math.max(...perPe.map((l) => l.length));
        for (let i = 0; i < n; i++) {
          arrayJobs.push({ bcast: false, reduce: false, pe: perPe.map((l, p) => (l[i] ? job(p, l[i][0], l[i][1]) : job(p, [], []))) });
        }
      }
    }
    if (arrayJobs.length === first) arrayJobs.push({ bcast: false, reduce: false, pe: Array.from({ length: pes }, (_, p) => job(p, [], [])) });
    const last = arrayJobs[arrayJobs.length - 1];
    last.reduce = reduce;
    last.pe.forEach((j, p) => {
      const tl = tileOf(p);
      if (tl) {
        j.desc.drain = 1;
        j.desc.drainRows = ceilDiv(tl.count, cfg.banks);
      }
    });
  };

  // Sampling: groups are numbered in emission order; `take` says whether to map group gi.
  let gi = 0, total = 0, mapped = 0;
  const chosen = new Set<number>();
  const setTotal = (n: number) => {
    total = n;
    const s = Math.min(n, opts.sample ?? n);
    // The middle of each of s equal strata: edge tiles are not over-represented.
    for (let k = 0; k < s; k++) chosen.add(Math.floor(((k + 0.5) * n) / s));
  };
  const take = () => {
    const ok = chosen.has(gi++);
    if (ok) mapped++;
    return ok;
  };
  const groups = () => ({ total, mapped });

  /** Group a list of tiles into sets of `pes` (the last set may have idle PEs). */
  const groupsOf = <T>(list: T[]): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < list.length; i += pes) out.push(list.slice(i, i + pes));
    return out;
  };

  if (w.kind === 'matmul') {
    const A = t.a, B = t.b;
    const { M, K, N } = w;
    const packed = w.mapping === 'packed';
    const { ty: Mt, tx: Nt } = tileDims(1, M, N, cap, coordLim, coordLim, 1, pes);
    const group = packed ? Math.min(K, 2 ** cfg.tagWidth, chanLim) : 1;
    const geo: Geometry = { signA: 0, signB: 0, matchEn: packed ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: 0, winTag: packed ? 1 : 0 };
    setTotal(ceilDiv(N, Nt) * ceilDiv(ceilDiv(M, Mt), pes));
    for (let n0 = 0; n0 < N; n0 += Nt) {
      const nt = Math.min(Nt, N - n0);
      const mTiles: Tile[] = [];
      for (let m0 = 0; m0 < M; m0 += Mt) mTiles.push({ count: Math.min(Mt, M - m0) * nt, nc: 1, limY: Math.min(Mt, M - m0), limX: nt, origin: [m0, n0] });
      for (const grp of groupsOf(mTiles)) {
        if (!take()) continue;
        const steps: Step[] = [];
        for (let k0 = 0; k0 < K; k0 += group) {
          const kEnd = Math.min(K, k0 + group);
          // A column k meets only B row k: when that row is empty in this output tile (whole
          // pruned rows, as tile-wise sparsity makes them), the column is never loaded.
          const rowUsed = new Uint8Array(kEnd - k0);
          for (let k = k0; k < kEnd; k++) for (let n = n0; n < n0 + nt && !rowUsed[k - k0]; n++) if (B.data[k * N + n]) rowUsed[k - k0] = 1;
          const a = grp.map((tl) => {
            const list: Element[] = [];
            for (let k = k0; k < kEnd; k++) if (rowUsed[k - k0]) for (let m = tl.origin[0]; m < tl.origin[0] + tl.limY; m++) {
              const v = A.data[m * K + k];
              if (v) list.push({ val: v, g: k - k0, c: k - k0, y: m - tl.origin[0], x: 0 });
            }
            return sortElements(list, 'cyx');
          });
          const b: Element[] = [];
          for (let k = k0; k < kEnd; k++) for (let n = n0; n < n0 + nt; n++) { const v = B.data[k * N + n]; if (v) b.push({ val: v, g: k - k0, c: k - k0, y: 0, x: n - n0 }); }
          steps.push({ a, b: sortElements(b, 'cyx') });
        }
        emitGroup(grp, grp.map(() => geo), steps, false);
      }
    }
    return { pes, arrayJobs, tiles, groups: groups(), outShape: [M, N], outIndex: (tile, addr) => {
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
    const { tc: Kt, ty: Pt, tx: Qt } = tileDims(K, P, Q, cap, coordLim - haloY, coordLim - haloX, chanLim, pes);
    setTotal(N * ceilDiv(K, Kt) * ceilDiv(ceilDiv(P, Pt) * ceilDiv(Q, Qt), pes));
    for (let n = 0; n < N; n++) for (let k0 = 0; k0 < K; k0 += Kt) {
      const kt = Math.min(Kt, K - k0);
      const plane: Tile[] = [];
      for (let y0 = 0; y0 < P; y0 += Pt) for (let x0 = 0; x0 < Q; x0 += Qt) {
        const pt = Math.min(Pt, P - y0), qt = Math.min(Qt, Q - x0);
        plane.push({ count: kt * pt * qt, nc: kt, limY: pt, limX: qt, origin: [n, k0, y0, x0] });
      }
      for (const grp of groupsOf(plane)) {
        if (!take()) continue;
        const steps: Step[] = [];
        for (let c = 0; c < C; c++) {
          const a = grp.map((tl) => {
            const [, , y0, x0] = tl.origin;
            const list: Element[] = [];
            const hLo = Math.max(0, y0 * u - p), hHi = Math.min(H - 1, (y0 + tl.limY - 1) * u - p + R - 1);
            const wLo = Math.max(0, x0 * u - p), wHi = Math.min(W - 1, (x0 + tl.limX - 1) * u - p + S - 1);
            for (let h = hLo; h <= hHi; h++) for (let x = wLo; x <= wHi; x++) {
              const v = X.data[((n * C + c) * H + h) * W + x];
              if (!v) continue;
              const hh = h + p - y0 * u, ww = x + p - x0 * u;
              list.push({ val: v, g: u > 1 ? tag(hh % u, ww % u) : 0, c: 0, y: Math.floor(hh / u), x: Math.floor(ww / u) });
            }
            return sortElements(list, 'yxc');
          });
          const b: Element[] = [];
          for (let k = k0; k < k0 + kt; k++) for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
            const v = Wt.data[((k * C + c) * R + r) * S + s];
            if (v) b.push({ val: v, g: u > 1 ? tag(r % u, s % u) : 0, c: k - k0, y: Math.floor(r / u), x: Math.floor(s / u) });
          }
          steps.push({ a, b: sortElements(b, 'yxc') });
        }
        emitGroup(grp, grp.map((tl) => ({ signA: 0, signB: 1, matchEn: u > 1 ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX })), steps, false);
      }
    }
    return { pes, arrayJobs, tiles, groups: groups(), outShape: [N, K, P, Q], outIndex: convOut([N, K, P, Q]) };
  }

  if (w.phase === 'bwd') {
    const dY = t.gradients, Wt = t.weights;
    // Weight taps carry y=r, x=s: a tile of one output row/column needs coordinates 0..R-1 and 0..S-1.
    if (R > coordLim || S > coordLim) throw new WorkloadError(`filter R=${R} S=${S} needs coordinates up to ${Math.max(R, S) - 1}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
    const { tc: Ct, ty: Ht, tx: Wd } = tileDims(C, H, W, cap, coordLim - R + 1, coordLim - S + 1, chanLim, pes);
    setTotal(N * ceilDiv(C, Ct) * ceilDiv(ceilDiv(H, Ht) * ceilDiv(W, Wd), pes));
    for (let n = 0; n < N; n++) for (let c0 = 0; c0 < C; c0 += Ct) {
      const ct = Math.min(Ct, C - c0);
      const plane: Tile[] = [];
      for (let h0 = 0; h0 < H; h0 += Ht) for (let w0 = 0; w0 < W; w0 += Wd) {
        const ht = Math.min(Ht, H - h0), wt = Math.min(Wd, W - w0);
        plane.push({ count: ct * ht * wt, nc: ct, limY: ht, limX: wt, origin: [n, c0, h0, w0] });
      }
      for (const grp of groupsOf(plane)) {
        if (!take()) continue;
        const steps: Step[] = [];
        for (let k = 0; k < K; k++) {
          const a = grp.map((tl) => {
            const [, , h0, w0] = tl.origin;
            const baseY = h0 + p - R + 1, baseX = w0 + p - S + 1;
            const list: Element[] = [];
            for (let y = Math.max(0, Math.ceil(baseY / u)); y < P && y * u <= h0 + tl.limY - 1 + p; y++) {
              for (let x = Math.max(0, Math.ceil(baseX / u)); x < Q && x * u <= w0 + tl.limX - 1 + p; x++) {
                const v = dY.data[((n * K + k) * P + y) * Q + x];
                if (v) list.push({ val: v, g: 0, c: 0, y: y * u - baseY, x: x * u - baseX });
              }
            }
            return sortElements(list, 'yxc');
          });
          const b: Element[] = [];
          for (let c = c0; c < c0 + ct; c++) for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
            const v = Wt.data[((k * C + c) * R + r) * S + s];
            // The kernel enters flipped (R-1-r, S-1-s), so the output row is A.y - B.y as in
            // the other modes and the A rows a B-vector needs grow as B advances.
            if (v) b.push({ val: v, g: 0, c: c - c0, y: R - 1 - r, x: S - 1 - s });
          }
          steps.push({ a, b: sortElements(b, 'yxc') });
        }
        emitGroup(grp, grp.map((tl) => ({ signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX })), steps, false);
      }
    }
    return { pes, arrayJobs, tiles, groups: groups(), outShape: [N, C, H, W], outIndex: convOut([N, C, H, W]) };
  }

  // wgrad: the output is K x C x R x S. A tile interleaves Cg input channels in A and Kg
  // output channels in B, both sorted by (row, column, channel): every vector then covers
  // few spatial positions, which is what lets a pair-level range test anticipate RCPs.
  // Each PE takes a band of dY rows (and the X rows they reach); partial sums are reduced.
  const X = t.activations, dY = t.gradients;
  if (R * S > cap) throw new WorkloadError(`wgrad output of one channel pair (R*S = ${R * S}) does not fit the accumulators (banks*bankDepth = ${cap}); raise bankDepth`);
  const Kg = Math.max(1, Math.min(K, chanLim, 16, Math.floor(cap / (R * S))));
  const Cg = Math.max(1, Math.min(C, chanLim, Math.floor(cap / (Kg * R * S))));
  const band = ceilDiv(P, pes);
  setTotal(ceilDiv(C, Cg) * ceilDiv(K, Kg));
  for (let c0 = 0; c0 < C; c0 += Cg) for (let k0 = 0; k0 < K; k0 += Kg) {
    if (!take()) continue;
    const ct = Math.min(Cg, C - c0), kt = Math.min(Kg, K - k0);
    const tile: Tile = { count: kt * ct * R * S, nc: kt, nca: ct, limY: R, limX: S, origin: [k0, c0] };
    const steps: Step[] = [];
    for (let n = 0; n < N; n++) {
      const a: Element[][] = [], b: Element[][] = [];
      for (let pe = 0; pe < pes; pe++) {
        const y0 = pe * band, y1 = Math.min(P, y0 + band);
        const hLo = Math.max(0, y0 * u - p), hHi = Math.min(H - 1, (y1 - 1) * u - p + R - 1);
        const al: Element[] = [], bl: Element[] = [];
        if (y0 < y1) {
          for (let c = c0; c < c0 + ct; c++) for (let h = hLo; h <= hHi; h++) for (let x = 0; x < W; x++) {
            const v = X.data[((n * C + c) * H + h) * W + x];
            if (v) al.push({ val: v, g: 0, c: c - c0, y: h + p, x: x + p });
          }
          for (let k = k0; k < k0 + kt; k++) for (let y = y0; y < y1; y++) for (let x = 0; x < Q; x++) {
            const v = dY.data[((n * K + k) * P + y) * Q + x];
            if (v) bl.push({ val: v, g: 0, c: k - k0, y: y * u, x: x * u });
          }
        }
        a.push(sortElements(al, 'yxc'));
        b.push(sortElements(bl, 'yxc'));
      }
      steps.push({ a, b });
    }
    const geo: Geometry = { signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: R * S, strideBC: ct * R * S };
    emitGroup([tile], Array.from({ length: pes }, () => geo), steps, true);
  }
  return { pes, arrayJobs, tiles, groups: groups(), outShape: [K, C, R, S], outIndex: (tile, addr) => {
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
