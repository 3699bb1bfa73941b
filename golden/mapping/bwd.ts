/**
 * bwd dX: dY[n,k] (y*u, x*u) stationary, W[k,c] (c, R-1-r, S-1-s) streamed (the flipped
 * kernel), output (c, y*u+r-p, x*u+s-p). Planar tiling with output halos, as fwd: each PE owns
 * a tile of dY and its accumulators cover every dX position those gradients reach (the core
 * rows plus R-u halo rows; tiles also reach up to where the next one starts), so no gradient
 * is loaded twice and products are valid but at the layer's borders; overlapping halo partial
 * sums add when the tiles are assembled. PE groups take slices of the dX channels, as in fwd
 * (jobs.ts planarPlan); a slice's weights are broadcast to its group; one reduction step per
 * output channel k of the forward layer.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type JobEmitter, type Mapping, type Step, type Tile, density, planarPlan } from './jobs.ts';
import { convOut, emitPlanar } from './conv.ts';

export function mapBwd(w: ConvWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { coordLim } = em;
  const dY = t.gradients, Wt = t.weights;
  // Weight taps carry y=R-1-r, x=S-1-s: coordinates up to R-1 and S-1.
  if (R > coordLim || S > coordLim) throw new WorkloadError(`filter R=${R} S=${S} needs coordinates up to ${Math.max(R, S) - 1}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
  // dX rows of a tile of dY rows [y0, y1): from y0*u - p (the first tile from 0) up to where
  // the next tile starts or its halo ends, whichever is later (the last tile up to H).
  const lo = (y0: number, Hx: number) => Math.max(0, Math.min(Hx, y0 * u - p));
  const hi = (y1: number, Y: number, Hx: number, Rx: number) => (y1 === Y ? Hx : Math.max(0, Math.min(Hx, Math.max((y1 - 1) * u - p + Rx, y1 * u - p))));
  const extent = (t: number, Y: number, Hx: number, Rx: number) => {
    let m = 0;
    for (let y0 = 0; y0 < Y; y0 += t) m = Math.max(m, hi(Math.min(Y, y0 + t), Y, Hx, Rx) - lo(y0, Hx));
    return m;
  };
  let maxTy = P, maxTx = Q;
  while (maxTy > 1 && extent(maxTy, P, H, R) + p > coordLim) maxTy--; // + p: the last tile's gradients may reach past H
  while (maxTx > 1 && extent(maxTx, Q, W, S) + p > coordLim) maxTx--;
  const plan = planarPlan({
    C, Y: P, X: Q, cap: em.cap, maxY: maxTy, maxX: maxTx, maxC: em.chanLim, pes: em.pes,
    ext: (ty, tx) => extent(ty, P, H, R) * extent(tx, Q, W, S),
    steps: K, aPerPos: density(dY), bPerChan: R * S * density(Wt), F: cfg.F, I: cfg.I, banks: cfg.banks,
  });
  const { ty: Pt, tx: Qt } = plan;
  const tilesOf = (n: number, c0: number, ct: number): Tile[] => {
    const tiles: Tile[] = [];
    for (let y0 = 0; y0 < P; y0 += Pt) for (let x0 = 0; x0 < Q; x0 += Qt) {
      const y1 = Math.min(P, y0 + Pt), x1 = Math.min(Q, x0 + Qt);
      const oh = lo(y0, H), ow = lo(x0, W);
      const ht = hi(y1, P, H, R) - oh, wt = hi(x1, Q, W, S) - ow;
      if (ht <= 0 || wt <= 0) continue; // these gradients reach no dX position
      tiles.push({ count: ct * ht * wt, nc: ct, limY: ht, limX: wt, origin: [n, c0, oh, ow], input: [y0, y1 - 1, x0, x1 - 1] });
    }
    return tiles;
  };
  const stepsOf = (n: number, c0: number, ct: number, grp: Tile[]): Step[] => {
    const steps: Step[] = [];
    for (let k = 0; k < K; k++) {
      const a = grp.map((tl) => {
        const [, , oh, ow] = tl.origin;
        const [yLo, yHi, xLo, xHi] = tl.input!;
        const list: Element[] = [];
        for (let y = yLo; y <= yHi; y++) for (let x = xLo; x <= xHi; x++) {
          const v = dY.data[((n * K + k) * P + y) * Q + x];
          // dX row h = y*u + r - p; with the kernel flipped (B.y = R-1-r), A.y - B.y = h - oh.
          const ay = y * u - p + R - 1 - oh, ax = x * u - p + S - 1 - ow;
          if (v && ay >= 0 && ax >= 0) list.push({ val: v, g: 0, c: 0, y: ay, x: ax }); // negative: reaches no dX position
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
    return steps;
  };
  emitPlanar(em, plan, N, C, tilesOf, stepsOf, (tl) => ({ signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX }));
  return em.finish([N, C, H, W], convOut([N, C, H, W]), { bcast: true, reduce: false, group: plan.G });
}
