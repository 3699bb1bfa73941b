/**
 * wgrad dW: X[n,c..] (c, h+p, w+p) stationary, dY[n,k..] (k, y*u, x*u) streamed, output
 * (k, c, h-y*u+p, w-x*u+p). The output is K x C x R x S: small, and the reduction (rows of dY)
 * large. A tile interleaves Cg input channels in A and Kg output channels in B, both sorted by
 * (row, column, channel): every vector then covers few spatial positions, which is what lets a
 * pair-level range test anticipate RCPs. Each PE takes a band of dY rows (and the X rows they
 * reach), all PEs accumulate the same dW tile, and the partial sums are reduced as they drain.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type Geometry, type JobEmitter, type Mapping, type Step, type Tile, ceilDiv } from './jobs.ts';

export function mapWgrad(w: ConvWorkload, t: Record<string, Tensor>, _cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { cap, chanLim, pes } = em;
  const X = t.activations, dY = t.gradients;
  if (R * S > cap) throw new WorkloadError(`wgrad output of one channel pair (R*S = ${R * S}) does not fit the accumulators (banks*bankDepth = ${cap}); raise bankDepth`);
  const Kg = Math.max(1, Math.min(K, chanLim, 16, Math.floor(cap / (R * S))));
  const Cg = Math.max(1, Math.min(C, chanLim, Math.floor(cap / (Kg * R * S))));
  const band = ceilDiv(P, pes);
  em.setTotal(ceilDiv(C, Cg) * ceilDiv(K, Kg));
  for (let c0 = 0; c0 < C; c0 += Cg) for (let k0 = 0; k0 < K; k0 += Kg) {
    if (!em.take()) continue;
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
    em.emitGroup([tile], Array.from({ length: pes }, () => geo), steps, true);
  }
  return em.finish([K, C, R, S], (tile, addr) => {
    const ct = tile.nca!;
    const kk = Math.floor(addr / (ct * R * S)), cc = Math.floor(addr / (R * S)) % ct, rs = addr % (R * S);
    return ((tile.origin[0] + kk) * C + tile.origin[1] + cc) * R * S + rs;
  });
}
