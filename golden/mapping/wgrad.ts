/**
 * wgrad dW: X[n,c..] (c, h+p, w+p) stationary, dY[n,k..] (k, y*u, x*u) streamed, output
 * (k, c, h-y*u+p, w-x*u+p). The output is K x C x R x S: small, and the reduction (the planes)
 * large. A tile interleaves Cg input channels in A and Kg output channels in B, both sorted by
 * (row, column, channel): every vector then covers few spatial positions, which is what lets a
 * pair-level range test anticipate RCPs.
 * SCNN's dataflow with dY as the filter: the dW tiles are spread over PE groups; with at least
 * as many tiles as PEs each PE accumulates whole tiles on its own, so no partial sum crosses
 * PEs; with fewer, each tile gets a group of G PEs (a power of two) that split X into planar
 * bands while the tile's dY is broadcast to all of them in full, and reduce their partial sums
 * as they drain. The mapper does not pair X bands with the dY rows they can reach: that would
 * be anticipating RCPs in software, and it is what ANT's hardware is measured against.
 */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { outSize } from '../reference/reference.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type Geometry, type JobEmitter, type Mapping, type Step, type Tile, ceilDiv } from './jobs.ts';

export function mapWgrad(w: ConvWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = w;
  const { P, Q } = outSize(w);
  const { cap, chanLim, pes } = em;
  const X = t.activations, dY = t.gradients;
  if (R * S > cap) throw new WorkloadError(`wgrad output of one channel pair (R*S = ${R * S}) does not fit the accumulators (banks*bankDepth = ${cap}); raise bankDepth`);
  const Kg = Math.max(1, Math.min(K, chanLim, 16, Math.floor(cap / (R * S))));
  const Cg = Math.max(1, Math.min(C, chanLim, Math.floor(cap / (Kg * R * S))));
  const specs: { c0: number; k0: number }[] = [];
  for (let c0 = 0; c0 < C; c0 += Cg) for (let k0 = 0; k0 < K; k0 += Kg) specs.push({ c0, k0 });
  const G = specs.length >= pes ? 1 : 2 ** Math.floor(Math.log2(Math.floor(pes / specs.length)));
  const groups = Math.floor(pes / G);
  // Tile i goes to PE group i mod groups. A sampled model (a whole-network estimate) runs its
  // sample of tiles back to back on group 0 instead: a group's cycles are then those of
  // sample tiles, where the layer gives it ceil(tiles / groups).
  const sampled = em.sampled(specs.length, G);
  em.setTotal(specs.length, G);
  const bandH = ceilDiv(H, G);
  let done = 0;
  for (let i = 0; i < specs.length; i++) {
    if (!em.take()) continue;
    const g = sampled ? 0 : i % groups;
    done++;
    const { c0, k0 } = specs[i];
    const ct = Math.min(Cg, C - c0), kt = Math.min(Kg, K - k0);
    const tile: Tile = { count: kt * ct * R * S, nc: kt, nca: ct, limY: R, limX: S, origin: [k0, c0] };
    const geo: Geometry = { signA: 0, signB: 1, matchEn: 0, offY: 0, offX: 0, strideAC: R * S, strideBC: ct * R * S };
    const steps: Step[] = [];
    for (let n = 0; n < N; n++) {
      const a = Array.from({ length: G }, (_, m) => {
        const al: Element[] = [];
        for (let c = c0; c < c0 + ct; c++) for (let h = m * bandH; h < Math.min(H, (m + 1) * bandH); h++) for (let x = 0; x < W; x++) {
          const v = X.data[((n * C + c) * H + h) * W + x];
          if (v) al.push({ val: v, g: 0, c: c - c0, y: h + p, x: x + p });
        }
        return sortElements(al, 'yxc');
      });
      const b: Element[] = [];
      for (let k = k0; k < k0 + kt; k++) for (let y = 0; y < P; y++) for (let x = 0; x < Q; x++) {
        const v = dY.data[((n * K + k) * P + y) * Q + x];
        if (v) b.push({ val: v, g: 0, c: k - k0, y: y * u, x: x * u });
      }
      steps.push({ a, b: sortElements(b, 'yxc') });
    }
    em.emitGroup(g * G, Array.from({ length: G }, () => tile), Array.from({ length: G }, () => geo), steps, true);
  }
  if (sampled) em.cycleScale = ceilDiv(specs.length, groups) / Math.max(1, done);
  return em.finish([K, C, R, S], (tile, addr) => {
    const ct = tile.nca!;
    const kk = Math.floor(addr / (ct * R * S)), cc = Math.floor(addr / (R * S)) % ct, rs = addr % (R * S);
    return ((tile.origin[0] + kk) * C + tile.origin[1] + cc) * R * S + rs;
  }, { bcast: true, reduce: G > 1, group: G });
}
