/**
 * bwd dX: dY[n,k] (y*u, x*u) stationary, W[k,c] (c, R-1-r, S-1-s) streamed (the flipped
 * kernel), output (c, y*u+r-p, x*u+s-p). Tiled like fwd: each PE owns a spatial tile of dX (its
 * dY covers the tile plus halo) and the weights are broadcast; one reduction step per output
 * channel k of the forward layer.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type JobEmitter, type Mapping, type Step, type Tile, ceilDiv, tileDims } from './jobs.ts';
import { convOut } from './conv.ts';

export function mapBwd(w: ConvWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { coordLim } = em;
  const dY = t.gradients, Wt = t.weights;
  // Weight taps carry y=r, x=s: a tile of one output row/column needs coordinates 0..R-1 and 0..S-1.
  if (R > coordLim || S > coordLim) throw new WorkloadError(`filter R=${R} S=${S} needs coordinates up to ${Math.max(R, S) - 1}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
  const { tc: Ct, ty: Ht, tx: Wd } = tileDims(C, H, W, em.cap, coordLim - R + 1, coordLim - S + 1, em.chanLim, em.pes);
  em.setTotal(N * ceilDiv(C, Ct) * ceilDiv(ceilDiv(H, Ht) * ceilDiv(W, Wd), em.pes));
  for (let n = 0; n < N; n++) for (let c0 = 0; c0 < C; c0 += Ct) {
    const ct = Math.min(Ct, C - c0);
    const plane: Tile[] = [];
    for (let h0 = 0; h0 < H; h0 += Ht) for (let w0 = 0; w0 < W; w0 += Wd) {
      const ht = Math.min(Ht, H - h0), wt = Math.min(Wd, W - w0);
      plane.push({ count: ct * ht * wt, nc: ct, limY: ht, limX: wt, origin: [n, c0, h0, w0] });
    }
    for (const grp of em.groupsOf(plane)) {
      if (!em.take()) continue;
      const steps: Step[] = [];
      for (let k = 0; k < K; k++) {
        // Each PE's dY rows and columns that reach its dX tile, relative to the tile's corner.
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
      em.emitGroup(grp, grp.map((tl) => ({ signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX })), steps, false);
    }
  }
  return em.finish([N, C, H, W], convOut([N, C, H, W]));
}
