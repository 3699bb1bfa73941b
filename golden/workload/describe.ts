/** A workload in one line, for reports and logs. */
import type { Workload } from './workload.ts';

export function describeWorkload(w: Workload): string {
  if (w.kind === 'matmul') return `matmul M=${w.M} K=${w.K} N=${w.N} (${w.mapping ?? 'perk'})`;
  return `${w.phase} N=${w.N} C=${w.C} K=${w.K} H=${w.H} W=${w.W} R=${w.R} S=${w.S} stride=${w.stride} pad=${w.pad}`;
}
