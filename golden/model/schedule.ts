/**
 * The array's schedule around its PEs (af_array), shared by the cycle-stepped model (array.ts)
 * and the counters-only model (fastpe.ts). Each PE has its own job stream and its loader takes
 * the next job when it is idle, so PEs run decoupled; they meet only where data requires:
 *   - broadcast jobs (the first PE's B stream feeds its aligned group of `group` PEs in
 *     lockstep): the group's members take the job in the same cycle, when all their loaders
 *     are idle (SCNN: the PEs synchronize per input-channel group);
 *   - reduced drains: the PEs of one aligned group (`group` PEs) drain together, summed, when
 *     all of them wait.
 * A PE with no job in a row (idle), or whose job in a non-broadcast array job has nothing to
 * load and nothing to drain, takes no descriptor at all. Every other drain starts the cycle after the PE enters WAIT, on the
 * PE's own output port.
 */
import type { ArrayJob, Job, Mapping } from '../mapping/jobs.ts';

/** Does a PE take a descriptor for this job? */
export const takesJob = (aj: ArrayJob, job: Job): boolean =>
  !job.idle && (aj.bcast || job.desc.nA > 0 || job.desc.nB > 0 || (job.desc.drain === 1 && job.desc.drainRows > 0));

/** PEs in each aligned group of an array job (broadcast and reduction meet in these). */
export const groupSize = (aj: ArrayJob, pes: number): number => Math.min(pes, aj.group ?? pes);
/** The group's first PE: its B stream feeds a broadcast group, its port carries a reduced drain. */
export const groupLead = (aj: ArrayJob, p: number, pes: number): number => p - (p % groupSize(aj, pes));

export interface ScheduleHooks {
  /** PE p's engine starts job (array job j), loaded, in cycle `start`; returns the first cycle after COMPUTE. */
  compute(p: number, job: Job, start: number, j: number): number;
  /** Drain rows of the PEs in `from` (summed when reduced), starting the cycle after `grant`. */
  drain?(j: number, from: number[], reduced: boolean, grant: number): void;
  /** PE p took array job j's descriptor in cycle t (for attributing a divergence). */
  started?(j: number, p: number, t: number): void;
}

/**
 * Where one PE's cycles went, seen from its engine; the fields add up to the array's cycles.
 * compute includes the crossbar's bank-conflict stalls (counted apart by the counters).
 */
export interface TimeSplit {
  /** INIT: clearing the accumulators after reset. */
  init: number;
  /** The engine waiting for its next job's operands: loading not hidden behind computing. */
  load: number;
  compute: number;
  /** WAIT and DRAIN: draining the accumulators (and the cross-PE reduction). */
  drain: number;
  /** Waiting for other PEs: the broadcast barrier, a reduction group's grant. */
  sync: number;
  /** Done before the array: idle until the slowest PE finishes. */
  tail: number;
}
export const TIME_PARTS = ['init', 'load', 'compute', 'drain', 'sync', 'tail'] as const;
export const zeroSplit = (): TimeSplit => ({ init: 0, load: 0, compute: 0, drain: 0, sync: 0, tail: 0 });

export interface Schedule { cycles: number; perPe: TimeSplit[] }

/** Each part as a share of the whole (the parts of a split add up to 1). */
export function timeShares(t: TimeSplit): TimeSplit {
  const total = TIME_PARTS.reduce((a, k) => a + t[k], 0) || 1;
  const out = zeroSplit();
  for (const k of TIME_PARTS) out[k] = t[k] / total;
  return out;
}

/** PE-cycles per part, summed over PEs. */
export function sumSplits(splits: TimeSplit[]): TimeSplit {
  const sum = zeroSplit();
  for (const s of splits) for (const k of TIME_PARTS) sum[k] += s[k];
  return sum;
}

/**
 * Each PE is two machines (generator/pe.ts): a loader, which takes a descriptor in its IDLE
 * cycle t and loads max(nA, nB, 1) cycles into one of two operand slots, and an engine, which
 * starts a loaded job in the cycle it is free (the last cycle of INIT, of a COMPUTE without a
 * drain, of a DRAIN, or IDLE) and computes from the cycle after. The loader is IDLE again the
 * cycle after its job starts, so it loads the next job while this one computes and drains.
 */
export function scheduleArray(mapping: Mapping, initCycles: number, hooks: ScheduleHooks): Schedule {
  const N = mapping.pes;
  /** First cycle each loader may take a descriptor. */
  const ldFree = new Array<number>(N).fill(0);
  /** First cycle each engine may start a loaded job. */
  const engFree = new Array<number>(N).fill(initCycles - 1);
  const split = Array.from({ length: N }, () => ({ ...zeroSplit(), init: initCycles }));
  mapping.arrayJobs.forEach((aj, j) => {
    // A broadcast job is taken by its group's members together, when all their loaders are idle.
    const g = groupSize(aj, N);
    const takes = aj.pe.map((job, p) => (takesJob(aj, job) ? ldFree[p] : -1));
    if (aj.bcast) {
      for (let g0 = 0; g0 < N; g0 += g) {
        let t = -1;
        for (let q = g0; q < Math.min(N, g0 + g); q++) if (takes[q] > t) t = takes[q];
        for (let q = g0; q < Math.min(N, g0 + g); q++) if (takes[q] >= 0) takes[q] = t;
      }
    }
    const ends = new Array<number>(N).fill(-1);
    aj.pe.forEach((job, p) => {
      if (takes[p] < 0) return;
      const t = takes[p];
      hooks.started?.(j, p, t);
      const start = Math.max(t + Math.max(job.desc.nA, job.desc.nB, 1), engFree[p]);
      ends[p] = hooks.compute(p, job, start, j);
      // The engine idles from engFree + 1 until it computes (start + 1): waiting at the
      // broadcast barrier while the loader could have taken the job, then for the load.
      const gap = start - engFree[p];
      const barrier = Math.max(0, t - Math.max(ldFree[p], engFree[p] + 1));
      split[p].sync += barrier;
      split[p].load += gap - barrier;
      split[p].compute += ends[p] - start - 1;
      ldFree[p] = start + 1;
      engFree[p] = ends[p] - 1;
    });
    const drains = (p: number) => ends[p] >= 0 && aj.pe[p].desc.drain === 1 && aj.pe[p].desc.drainRows > 0;
    const drained = (p: number, grant: number) => {
      split[p].sync += grant - ends[p];
      split[p].drain += 1 + aj.pe[p].desc.drainRows;
      engFree[p] = grant + aj.pe[p].desc.drainRows;
    };
    if (aj.reduce) {
      for (let g0 = 0; g0 < N; g0 += g) {
        const members = Array.from({ length: g }, (_, i) => g0 + i).filter(drains);
        if (!members.length) continue;
        const grant = Math.max(...members.map((p) => ends[p]));
        hooks.drain?.(j, members, true, grant);
        for (const p of members) drained(p, grant);
      }
    } else {
      for (let p = 0; p < N; p++) {
        if (!drains(p)) continue;
        hooks.drain?.(j, [p], false, ends[p]);
        drained(p, ends[p]);
      }
    }
  });
  // A PE is done (idle) the cycle after its engine's last busy cycle.
  const done = engFree.map((f) => f + 1);
  const cycles = Math.max(...done);
  for (let p = 0; p < N; p++) split[p].tail = cycles - done[p];
  return { cycles, perPe: split };
}
