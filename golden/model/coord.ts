/**
 * Model of af_coord: for a (B-vector, A-vector) pair, which products are valid outputs and
 * where they accumulate. Product p = f*I + i, as in the RTL.
 */
import type { JobDesc } from '../mapping/jobs.ts';
import type { Vector } from '../mapping/format.ts';

export interface PairProducts {
  /** Products with both lanes occupied. */
  lanes: number;
  /** Indices p of the valid products, ascending, and their accumulator addresses. */
  validP: number[];
  validAddr: number[];
}

export function pairProducts(d: JobDesc, b: Vector, a: Vector, I: number): PairProducts {
  const sa = d.signA ? -1 : 1, sb = d.signB ? -1 : 1;
  const validP: number[] = [], validAddr: number[] = [];
  for (let f = 0; f < b.length; f++) {
    const eb = b[f];
    const by = sb * eb.y + d.offY, bx = sb * eb.x + d.offX;
    for (let i = 0; i < a.length; i++) {
      const ea = a[i];
      if (d.matchEn && ea.g !== eb.g) continue;
      const oy = sa * ea.y + by, ox = sa * ea.x + bx;
      if (oy < 0 || oy >= d.limY || ox < 0 || ox >= d.limX) continue;
      validP.push(f * I + i);
      validAddr.push((eb.c * d.strideBC + ea.c * d.strideAC) + oy * d.limX + ox);
    }
  }
  return { lanes: a.length * b.length, validP, validAddr };
}
