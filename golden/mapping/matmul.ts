/**
 * matmul C = A x B: A[:,k] (m) stationary, B[k,:] (n) streamed, output (m, n). Each PE owns an
 * M x N output tile and B is broadcast. perk: one contraction index k a job; packed: up to
 * 2^tagWidth indices a job, matched by tag (pairs of different k are RCPs that ANT's window
 * along tags removes).
 */
import type { HwConfig } from '../../generator/config.ts';
import type { MatmulWorkload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { type Element, sortElements } from './format.ts';
import { type Geometry, type JobEmitter, type Mapping, type Step, type Tile, ceilDiv, tileDims } from './jobs.ts';

export function mapMatmul(w: MatmulWorkload, t: Record<string, Tensor>, cfg: HwConfig, em: JobEmitter): Mapping {
  const A = t.a, B = t.b;
  const { M, K, N } = w;
  const packed = w.mapping === 'packed';
  const { ty: Mt, tx: Nt } = tileDims(1, M, N, em.cap, em.coordLim, em.coordLim, 1, em.pes);
  const group = packed ? Math.min(K, 2 ** cfg.tagWidth, em.chanLim) : 1;
  const geo: Geometry = { signA: 0, signB: 0, matchEn: packed ? 1 : 0, offY: 0, offX: 0, strideAC: 0, strideBC: 0, winTag: packed ? 1 : 0 };
  em.setTotal(ceilDiv(N, Nt) * ceilDiv(ceilDiv(M, Mt), em.pes), em.pes);
  for (let n0 = 0; n0 < N; n0 += Nt) {
    const nt = Math.min(Nt, N - n0);
    const mTiles: Tile[] = [];
    for (let m0 = 0; m0 < M; m0 += Mt) mTiles.push({ count: Math.min(Mt, M - m0) * nt, nc: 1, limY: Math.min(Mt, M - m0), limX: nt, origin: [m0, n0] });
    for (const grp of em.groupsOf(mTiles)) {
      if (!em.take()) continue;
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
      // Every PE is a member of the broadcast group, with or without a tile.
      const members = Array.from({ length: em.pes }, (_, i) => grp[i] ?? null);
      em.emitGroup(0, members, members.map(() => geo), steps);
    }
  }
  return em.finish([M, N], (tile, addr) => {
    const y = Math.floor(addr / tile.limX), x = addr % tile.limX;
    return (tile.origin[0] + y) * N + tile.origin[1] + x;
  }, { bcast: true, reduce: false, group: em.pes });
}
