/**
 * fwd Y = W * X: X[n,c] (h,w) stationary, W[k,c] (k,r,s) streamed, output
 * (k, (h-r+p)/u, (w-s+p)/u); at stride u > 1 the stride phases must match (tag). SCNN's planar
 * tiling: each PE owns a spatial output tile (its X is the input tile plus halo, so no partial
 * sums cross PEs) and the weights are broadcast; one reduction step per input channel.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type JobEmitter, type Mapping, type Step, type Tile, ceilDiv, tileDims } from './jobs.ts';
import { convOut } from './conv.ts';

export function mapFwd(w: ConvWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { coordLim } = em;
  const tag = (ry: number, rx: number) => ry * u + rx;
  const X = t.activations, Wt = t.weights;
  const haloY = Math.floor((R - 1) / u), haloX = Math.floor((S - 1) / u);
  // A tile of one output row/column needs coordinates 0..halo; without them no tile fits (and tiling would not advance).
  if (haloY >= coordLim || haloX >= coordLim) throw new WorkloadError(`filter R=${R} S=${S} at stride ${u} needs coordinates up to ${Math.max(haloY, haloX)}; coordWidth=${cfg.coordWidth} holds 0..${coordLim - 1}; raise coordWidth`);
  const { tc: Kt, ty: Pt, tx: Qt } = tileDims(K, P, Q, em.cap, coordLim - haloY, coordLim - haloX, em.chanLim, em.pes);
  em.setTotal(N * ceilDiv(K, Kt) * ceilDiv(ceilDiv(P, Pt) * ceilDiv(Q, Qt), em.pes));
  for (let n = 0; n < N; n++) for (let k0 = 0; k0 < K; k0 += Kt) {
    const kt = Math.min(Kt, K - k0);
    const plane: Tile[] = [];
    for (let y0 = 0; y0 < P; y0 += Pt) for (let x0 = 0; x0 < Q; x0 += Qt) {
      const pt = Math.min(Pt, P - y0), qt = Math.min(Qt, Q - x0);
      plane.push({ count: kt * pt * qt, nc: kt, limY: pt, limX: qt, origin: [n, k0, y0, x0] });
    }
    for (const grp of em.groupsOf(plane)) {
      if (!em.take()) continue;
      const steps: Step[] = [];
      for (let c = 0; c < C; c++) {
        // Each PE's input tile plus halo, in coordinates relative to its output tile.
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
      em.emitGroup(grp, grp.map((tl) => ({ signA: 0, signB: 1, matchEn: u > 1 ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: tl.limY * tl.limX })), steps, false);
    }
  }
  return em.finish([N, K, P, Q], convOut([N, K, P, Q]));
}
