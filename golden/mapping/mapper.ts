/**
 * The mapper: splits a workload into array jobs, one PE job per PE. The golden cycle model
 * and the stimulus both come from this one list, so the two sides can only disagree about
 * what the hardware does.
 *
 * A PE job loads a list of stationary (A) and streamed (B) vectors and accumulates every valid
 * product of every (B, A) pair into the accumulators of one output tile; the last job of a
 * tile drains it. All PEs start an array job together (the barrier), so load imbalance costs
 * cycles. Each layer mode has its mapper, which decides the tiles and what each PE loads, and
 * lowers the mode into the PE's affine job registers (generator/layout.ts); all of them emit
 * jobs through one JobEmitter (jobs.ts):
 *
 *   mode   | A (stationary)         | B (streamed)         | output coordinate                   | file
 *   fwd    | X[n,c] (h,w)           | W[k,c] (k,r,s)       | (k, (h-r+p)/u, (w-s+p)/u); stride phases must match (tag) | fwd.ts
 *   bwd    | dY[n,k] (y*u, x*u)     | W[k,c] (c,R-1-r,S-1-s) | (c, y*u+r-p, x*u+s-p)  (flipped kernel) | bwd.ts
 *   wgrad  | X[n,c..] (c,h+p,w+p)   | dY[n,k..] (k,y*u,x*u) | (k, c, h-y*u+p, w-x*u+p)  (channels interleaved) | wgrad.ts
 *   matmul | A[:,k] (m)             | B[k,:] (n)           | (m, n); packed: several k a job, matched by tag | matmul.ts
 *
 * How work is spread over the PEs: fwd, bwd and matmul use SCNN's planar tiling (each PE owns
 * a spatial output tile, the streamed operand is broadcast); wgrad gives each PE a band of dY
 * rows, all PEs accumulate the same dW tile and the partial sums are reduced as they drain.
 */
import type { HwConfig } from '../../generator/config.ts';
import type { Workload } from '../workload/workload.ts';
import type { Tensor } from '../workload/tensor.ts';
import { JobEmitter, type MapOptions, type Mapping } from './jobs.ts';
import { checkStrideTags } from './conv.ts';
import { mapFwd } from './fwd.ts';
import { mapBwd } from './bwd.ts';
import { mapWgrad } from './wgrad.ts';
import { mapMatmul } from './matmul.ts';

export type { JobDesc, Job, ArrayJob, Tile, Mapping, MapOptions } from './jobs.ts';

const CONV_MAPPERS = { fwd: mapFwd, bwd: mapBwd, wgrad: mapWgrad };

export function mapWorkload(w: Workload, t: Record<string, Tensor>, cfg: HwConfig, opts: MapOptions = {}): Mapping {
  const em = new JobEmitter(cfg, opts);
  if (w.kind === 'matmul') return mapMatmul(w, t, cfg, em);
  checkStrideTags(w, cfg);
  return CONV_MAPPERS[w.phase](w, t, cfg, em);
}
