/**
 * Cycle-exact model of af_array around its PEs (golden/model/pe.ts). It follows the RTL's
 * schedule, not its gates:
 *   INIT: bankDepth cycles (every PE clears one accumulator row a cycle).
 *   Per array job (all PEs start together, the barrier): IDLE 1 cycle (descriptors taken),
 *   LOAD max(nA, nB, 1), COMPUTE until the PE's sequencer is done and its pipeline empty; a PE
 *   whose job drains then WAITs for the drain grant: reduced jobs drain when every PE waits,
 *   all together, summed; others drain one PE at a time, lowest index first. A drain takes
 *   drainRows cycles after the grant. The next array job starts when every PE is idle.
 */
import type { HwConfig } from '../../generator/config.ts';
import { sumCounters, type Counters } from '../../generator/counters.ts';
import { AccArith } from './arith.ts';
import type { Mapping } from '../mapping/mapper.ts';
import { PeModel, txnOrder, type Txn } from './pe.ts';

export interface ArrayRun {
  /** Summed over PEs; cycles is the array's. */
  counters: Counters;
  perPe: Counters[];
  /** Drained values per tile: tile index -> values by accumulator address. */
  drained: Map<number, bigint[]>;
  trace?: Txn[];
  /** First cycle of each array job (its IDLE cycle), for attributing a divergence. */
  jobStart: number[];
}

export interface ArrayOptions { trace?: boolean }

export function runArray(cfg: HwConfig, mapping: Mapping, opts: ArrayOptions = {}): ArrayRun {
  const arith = new AccArith(cfg.accWidth);
  const trace: Txn[] | undefined = opts.trace ? [] : undefined;
  const pes = Array.from({ length: mapping.pes }, (_, p) => new PeModel(cfg, arith, p, trace));
  const drained = new Map<number, bigint[]>();
  const jobStart: number[] = [];
  let t = cfg.bankDepth; // INIT clears one row per cycle

  mapping.arrayJobs.forEach((aj, j) => {
    jobStart.push(t);
    const ends = aj.pe.map((job, p) => pes[p].compute(job, t, j));
    const idleAt = [...ends];
    const drainers = aj.pe.map((job, p) => (job.desc.drain && job.desc.drainRows > 0 ? p : -1)).filter((p) => p >= 0);
    const record = (tile: number, rows: bigint[][]) => drained.set(tile, rows.flat());
    if (aj.reduce && drainers.length) {
      // Every PE waits from its end cycle; the grant comes when all wait.
      const g = Math.max(...drainers.map((p) => ends[p]));
      const rowsN = aj.pe[drainers[0]].desc.drainRows;
      const rows: bigint[][] = [];
      for (let r = 0; r < rowsN; r++) {
        const parts = drainers.map((p) => pes[p].drainRow(r));
        const sum = parts[0].map((_, b) => parts.reduce((acc, part) => BigInt.asIntN(cfg.accWidth, acc + part[b]), 0n));
        rows.push(sum);
        trace?.push({ kind: 'drain', cycle: g + 1 + r, job: j, pe: -1, row: r, data: sum });
      }
      record(aj.pe[drainers[0]].tile, rows);
      for (const p of drainers) idleAt[p] = g + 1 + rowsN;
    } else {
      const pending = [...drainers];
      let cyc = Math.min(...pending.map((p) => ends[p]));
      while (pending.length) {
        const waiting = pending.filter((p) => ends[p] <= cyc);
        if (!waiting.length) {
          cyc = Math.min(...pending.map((p) => ends[p]));
          continue;
        }
        const p = Math.min(...waiting);
        pending.splice(pending.indexOf(p), 1);
        const rowsN = aj.pe[p].desc.drainRows;
        const rows: bigint[][] = [];
        for (let r = 0; r < rowsN; r++) {
          const row = pes[p].drainRow(r);
          rows.push(row);
          trace?.push({ kind: 'drain', cycle: cyc + 1 + r, job: j, pe: p, row: r, data: row });
        }
        record(aj.pe[p].tile, rows);
        idleAt[p] = cyc + 1 + rowsN;
        cyc = idleAt[p];
      }
    }
    t = Math.max(...idleAt);
  });
  const perPe = pes.map((pe) => ({ ...pe.c, cycles: t }));
  const counters = sumCounters(perPe, t);
  if (trace) trace.sort(txnOrder);
  return { counters, perPe, drained, trace, jobStart };
}

