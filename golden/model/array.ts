/**
 * Cycle-exact model of af_array around its PEs (golden/model/pe.ts). It follows the RTL's
 * schedule, not its gates (the schedule itself is golden/model/schedule.ts, shared with the
 * counters-only model):
 *   INIT: bankDepth cycles (every PE clears one accumulator row a cycle).
 *   Per PE job: the loader takes the descriptor (IDLE, 1 cycle) and loads max(nA, nB, 1)
 *   cycles into a free operand slot, while the engine may still compute or drain the job
 *   before; the engine starts it when free and COMPUTEs until the sequencer is done and the
 *   pipeline empty; a PE whose job drains then WAITs one cycle for its drain grant (a reduced
 *   drain: until every PE of its group waits) and drains drainRows rows on its own port (a
 *   reduced drain: the group's sum on its first PE's port).
 *   PEs run decoupled; broadcast jobs are taken by every PE in the same cycle.
 */
import type { HwConfig } from '../../generator/config.ts';
import { sumCounters, type Counters } from '../../generator/counters.ts';
import { AccArith } from './arith.ts';
import type { Mapping } from '../mapping/mapper.ts';
import { PeModel, txnOrder, type Txn } from './pe.ts';
import { groupLead, scheduleArray, sumSplits, type TimeSplit } from './schedule.ts';

export interface ArrayRun {
  /** Summed over PEs; cycles is the array's. */
  counters: Counters;
  perPe: Counters[];
  /** Drained values per tile: tile index -> values by accumulator address. */
  drained: Map<number, bigint[]>;
  trace?: Txn[];
  /** First cycle of each array job (its IDLE cycle), for attributing a divergence. */
  jobStart: number[];
  /** Where the PEs' cycles went, summed over PEs (PE-cycles; they add up to cycles x pes). */
  time: TimeSplit;
}

export interface ArrayOptions {
  /** Keep every transaction, sorted (run.trace): small runs and tests. */
  trace?: boolean;
  /** Hand each transaction over as it is made, without keeping it: for each PE (a reduced
   * drain counts as its group's first PE's) they come in cycle order. */
  onTxn?: (t: Txn) => void;
}

export function runArray(cfg: HwConfig, mapping: Mapping, opts: ArrayOptions = {}): ArrayRun {
  const arith = new AccArith(cfg.accWidth);
  const trace: Txn[] | undefined = opts.trace ? [] : undefined;
  const emit = trace && opts.onTxn ? (t: Txn) => { trace.push(t); opts.onTxn!(t); } : trace ? (t: Txn) => trace.push(t) : opts.onTxn;
  const pes = Array.from({ length: mapping.pes }, (_, p) => new PeModel(cfg, arith, p, emit));
  const drained = new Map<number, bigint[]>();
  const jobStart: number[] = [];

  const record = (tile: number, rows: bigint[][]) => drained.set(tile, rows.flat());
  const sched = scheduleArray(mapping, cfg.bankDepth, {
    compute: (p, job, at, j) => pes[p].compute(job, at, j),
    started: (j, _p, at) => { if (jobStart.length === j) jobStart.push(at); else jobStart[j] = Math.min(jobStart[j], at); },
    drain: (j, from, reduced, grant) => {
      const aj = mapping.arrayJobs[j];
      const rowsN = aj.pe[from[0]].desc.drainRows;
      const rows: bigint[][] = [];
      for (let r = 0; r < rowsN; r++) {
        const parts = from.map((p) => pes[p].drainRow(r, reduced && p !== groupLead(aj, p, mapping.pes)));
        const row = reduced ? parts[0].map((_, b) => parts.reduce((acc, part) => BigInt.asIntN(cfg.accWidth, acc + part[b]), 0n)) : parts[0];
        rows.push(row);
        emit?.({ kind: 'drain', cycle: grant + 1 + r, job: j, pe: from[0], reduced, row: r, data: row });
      }
      record(aj.pe[from[0]].tile, rows);
    },
  });
  const t = sched.cycles;
  const perPe = pes.map((pe) => ({ ...pe.c, cycles: t }));
  const counters = sumCounters(perPe, t);
  if (trace) trace.sort(txnOrder);
  return { counters, perPe, drained, trace, jobStart, time: sumSplits(sched.perPe) };
}

