/**
 * Model of af_range, ANT's indices-range unit. Each loaded vector is summarised by the
 * bounding box of its elements' coordinates (rows, columns, match tags). From two boxes and
 * the job registers it tells, with a few subtract-and-compare operations:
 *   feasible: the pair can produce a valid output (else every product is an RCP);
 *   below / above: the A-vector lies entirely before / after the B-vector's window along the
 *   A operand's sort key (rows, or tags for packed matmul), which the window sequencer uses.
 */
import type { Vector } from '../mapping/format.ts';
import type { JobDesc } from '../mapping/jobs.ts';

export interface Box { ymin: number; ymax: number; xmin: number; xmax: number; gmin: number; gmax: number }

export function boxOf(v: Vector): Box {
  const b: Box = { ymin: Infinity, ymax: -Infinity, xmin: Infinity, xmax: -Infinity, gmin: Infinity, gmax: -Infinity };
  for (const e of v) {
    b.ymin = Math.min(b.ymin, e.y); b.ymax = Math.max(b.ymax, e.y);
    b.xmin = Math.min(b.xmin, e.x); b.xmax = Math.max(b.xmax, e.x);
    b.gmin = Math.min(b.gmin, e.g); b.gmax = Math.max(b.gmax, e.g);
  }
  return b;
}

/** Range of a signed term: [min, max] of (sign ? -v : v) over [lo, hi]. */
const term = (neg: number, lo: number, hi: number): [number, number] => (neg ? [-hi, -lo] : [lo, hi]);

/*
 * af_range compares the A box against thresholds derived once per B-vector (a.ymax >= -(byh +
 * offY) and so on); that is the same test as the sums below. A job whose stationary
 * coordinates enter negated (signA, which no mode emits) is never range-tested: every pair is
 * feasible and nothing is before or after a window.
 */
export function feasible(d: JobDesc, b: Box, a: Box): boolean {
  if (d.signA) return true;
  const [byl, byh] = term(d.signB, b.ymin, b.ymax), [bxl, bxh] = term(d.signB, b.xmin, b.xmax);
  const okY = a.ymax + byh + d.offY >= 0 && a.ymin + byl + d.offY <= d.limY - 1;
  const okX = a.xmax + bxh + d.offX >= 0 && a.xmin + bxl + d.offX <= d.limX - 1;
  const okG = !d.matchEn || (a.gmin <= b.gmax && b.gmin <= a.gmax);
  return okY && okX && okG;
}

/** Window threshold of a B-vector: A-vectors whose key maximum is below it are before the window. */
export function windowLow(d: JobDesc, b: Box): number {
  if (d.winTag) return b.gmin;
  const [, byh] = term(d.signB, b.ymin, b.ymax);
  return -(byh + d.offY);
}

export function below(d: JobDesc, b: Box, a: Box): boolean {
  if (d.signA) return false;
  return (d.winTag ? a.gmax : a.ymax) < windowLow(d, b);
}

export function above(d: JobDesc, b: Box, a: Box): boolean {
  if (d.signA) return false;
  if (d.winTag) return a.gmin > b.gmax;
  const [byl] = term(d.signB, b.ymin, b.ymax);
  return a.ymin + byl + d.offY > d.limY - 1;
}
