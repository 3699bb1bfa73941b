/**
 * fwd Y = W * X: X[n,c] (h,w) stationary, W[k,c] (k,r,s) streamed, output
 * (k, (h-r+p)/u, (w-s+p)/u); at stride u > 1 the stride phases must match (tag).
 * SCNN's planar tiling with output halos, over PE groups (jobs.ts planarPlan): each PE owns a
 * planar tile of the input; its accumulators cover every output that tile reaches - its core
 * outputs plus a halo of
 * ceil((R-1)/u) rows above and ceil((S-1)/u) columns left - so at stride 1 every product is
 * valid (RCPs only at the layer's borders). Neighbouring tiles' halo partial sums add when the
 * drained tiles are assembled (SCNN exchanges them between PEs). The weights of a group's
 * slice of output channels are broadcast to its members; one reduction step per input
 * channel, where a group's PEs synchronize as SCNN's do.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type JobEmitter, type Mapping, type Step, type Tile, density, planarPlan } from './jobs.ts';
import { convOut, emitPlanar } from './conv.ts';

export function mapFwd(w: ConvWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { coordLim } = em;
  const tag = (ry: number, rx: number) => ry * u + rx;
  const X = t.activations, Wt = t.weights;
  const haloY = Math.ceil((R - 1) / u), haloX = Math.ceil((S - 1) / u);
  // A tile of one core output needs output coordinates 0..halo (and its inputs up to halo+1).
  if (2 * haloY + 1 >= coordLim || 2 * haloX + 1 >= coordLim) throw new WorkloadError(`filter R=${R} S=${S} at stride ${u} needs coordinates up to ${2 * Math.max(haloY, haloX) + 1}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
  // Core tiles are chosen in output positions: core rows [y0, y0+ty) own the input rows
  // [y0*u - p, (y0+ty)*u - p); their accumulators start haloY rows above.
  const plan = planarPlan({
    C: K, Y: P, X: Q, cap: em.cap, maxY: coordLim - 2 * haloY - 1, maxX: coordLim - 2 * haloX - 1, maxC: em.chanLim, pes: em.pes,
    ext: (ty, tx) => Math.min(P, ty + haloY) * Math.min(Q, tx + haloX),
    steps: C, aPerPos: u * u * density(X), bPerChan: R * S * density(Wt), F: cfg.F, I: cfg.I, banks: cfg.banks,
  });
  const { ty: Pt, tx: Qt } = plan;
  // Inputs past these reach no output.
  const hMax = Math.min(H - 1, (P - 1) * u - p + R - 1), wMax = Math.min(W - 1, (Q - 1) * u - p + S - 1);
  const tilesOf = (n: number, k0: number, kt: number): Tile[] => {
    const tiles: Tile[] = [];
    for (let y0 = 0; y0 < P; y0 += Pt) for (let x0 = 0; x0 < Q; x0 += Qt) {
      const oy = Math.max(0, y0 - haloY), ox = Math.max(0, x0 - haloX);
      const pt = Math.min(P, y0 + Pt) - oy, qt = Math.min(Q, x0 + Qt) - ox;
      // Clamped to the input plane: with padding, a tile's rows or columns can lie past it.
      const input = [y0 === 0 ? 0 : y0 * u - p, y0 + Pt >= P ? hMax : Math.min(hMax, (y0 + Pt) * u - p - 1),
        x0 === 0 ? 0 : x0 * u - p, x0 + Qt >= Q ? wMax : Math.min(wMax, (x0 + Qt) * u - p - 1)];
      tiles.push({ count: kt * pt * qt, nc: kt, limY: pt, limX: qt, origin: [n, k0, oy, ox], input });
    }
    return tiles;
  };
  const stepsOf = (n: number, k0: number, kt: number, grp: Tile[]): Step[] => {
    const steps: Step[] = [];
    for (let c = 0; c < C; c++) {
      // Each PE's own input tile, in coordinates relative to its accumulators' corner.
      const a = grp.map((tl) => {
        const [, , oy, ox] = tl.origin;
        const [hLo, hHi, wLo, wHi] = tl.input!;
        const list: Element[] = [];
        for (let h = Math.max(0, hLo); h <= hHi; h++) for (let x = Math.max(0, wLo); x <= wHi; x++) {
          const v = X.data[((n * C + c) * H + h) * W + x];
          const hh = h + p - oy * u, ww = x + p - ox * u;
          if (!v || hh < 0 || ww < 0) continue; // negative: the input reaches no output of the layer
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
    return steps;
  };
  emitPlanar(em, plan, N, K, tilesOf, stepsOf, (tl) => ({ signA: 0, signB: 1, matchEn: u > 1 ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX }));
  return em.finish([N, K, P, Q], convOut([N, K, P, Q]), { bcast: true, reduce: false, group: plan.G });
}
