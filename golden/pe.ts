/**
 * Cycle-exact model of af_array and its PEs (af_pe). It follows the RTL's schedule, not its
 * gates:
 *   INIT: bankDepth cycles (every PE clears one accumulator row a cycle).
 *   Per array job (all PEs start together, the barrier): IDLE 1 cycle (descriptors taken),
 *   LOAD max(nA, nB, 1), COMPUTE until the PE's sequencer is done and its pipeline empty; a PE
 *   whose job drains then WAITs for the drain grant: reduced jobs drain when every PE waits,
 *   all together, summed; others drain one PE at a time, lowest index first. A drain takes
 *   drainRows cycles after the grant. The next array job starts when every PE is idle.
 * COMPUTE is stepped cycle by cycle through the same three stages as the RTL: the sequencer
 * (af_seq), stage M (operands read, multiply, coordinates) and stage X (af_xbar), where a pair
 * stays max(1, most valid products in one bank) cycles.
 */
import type { HwConfig } from '../generator/config.ts';
import { AccArith, type AccVec } from './arith.ts';
import type { Job, Mapping } from './mapper.ts';
import { pairProducts } from './coord.ts';
import { schedule, type Grant } from './xbar.ts';
import { Seq } from './seq.ts';
import { boxOf } from './range.ts';

export interface Counters {
  cycles: number; pairs: number; products: number; valid: number; rcps: number; stalls: number;
  /** Pairs the sequencer examined, and those it rejected with the range test (ANT). */
  visited: number; skipped: number;
  /** Multiplier lanes with an RCP product that lane gating isolated (0 without gating). */
  gated: number;
}
export const COUNTER_NAMES: (keyof Counters)[] = ['cycles', 'pairs', 'products', 'valid', 'rcps', 'stalls', 'visited', 'skipped', 'gated'];
/** Counters summed over PEs, with the array's cycle count. */
export function sumCounters(perPe: Counters[], cycles: number): Counters {
  const sum = { ...zeroCounters(), cycles };
  for (const c of perPe) for (const n of COUNTER_NAMES) if (n !== 'cycles') sum[n] += c[n];
  return sum;
}
export const zeroCounters = (): Counters => ({ cycles: 0, pairs: 0, products: 0, valid: 0, rcps: 0, stalls: 0, visited: 0, skipped: 0, gated: 0 });

/** pe: the PE (-1 for a drain reduced across PEs). */
export type Txn =
  | { kind: 'issue'; cycle: number; job: number; pe: number; b: number; a: number }
  | { kind: 'acc'; cycle: number; job: number; pe: number; bank: number; row: number; sum: bigint }
  | { kind: 'drain'; cycle: number; job: number; pe: number; row: number; data: bigint[] };

export interface PeRun {
  /** Summed over PEs; cycles is the array's. */
  counters: Counters;
  perPe: Counters[];
  /** Drained values per tile: tile index -> values by accumulator address. */
  drained: Map<number, bigint[]>;
  trace?: Txn[];
  /** First cycle of each array job (its IDLE cycle), for attributing a divergence. */
  jobStart: number[];
}

export interface PeOptions { trace?: boolean }

interface InX { b: number; a: number; grants: Grant[]; m: number; step: number }

/** One PE: its accumulators, counters and sequencer. */
class PeModel {
  readonly acc: AccVec;
  readonly c = zeroCounters();
  readonly seq: Seq;
  constructor(readonly cfg: HwConfig, readonly arith: AccArith, readonly index: number, readonly trace?: Txn[]) {
    this.acc = arith.alloc(cfg.banks * cfg.bankDepth); // index = row*banks + bank = address
    this.seq = new Seq(cfg.ant, cfg.antLookahead);
  }

  /** LOAD and COMPUTE of a job taken at cycle t; returns the first cycle after COMPUTE. */
  compute(job: Job, t: number, j: number): number {
    const { cfg, c, seq, trace, arith, acc } = this;
    const d = job.desc;
    const ant = cfg.ant !== 'off';
    let cyc = t + 1 + Math.max(d.nA, d.nB, 1);
    seq.start(d, ant ? job.a.map(boxOf) : [], ant ? job.b.map(boxOf) : []);
    let inM: { b: number; a: number } | undefined;
    let inX: InX | undefined;
    for (;;) {
      const xLast = !inX || inX.step === inX.m - 1;
      const mReady = !inM || xLast;
      if (inX) {
        for (const g of inX.grants) {
          if (g.step !== inX.step) continue;
          const f = Math.floor(g.p / cfg.I), i = g.p % cfg.I;
          arith.mac(acc, g.addr, job.a[inX.a][i].val, job.b[inX.b][f].val);
          trace?.push({ kind: 'acc', cycle: cyc, job: j, pe: this.index, bank: g.bank, row: g.row, sum: arith.get(acc, g.addr) });
        }
        if (!xLast) c.stalls++;
      }
      // compute_done: the crossbar's last writes happen in this cycle, the next leaves COMPUTE.
      if (!seq.active && !inM && xLast) break;
      const st = mReady ? seq.step() : undefined;
      if (st) {
        c.visited += st.visited;
        c.skipped += st.skipped;
        if (st.issue) trace?.push({ kind: 'issue', cycle: cyc, job: j, pe: this.index, b: st.issue.b, a: st.issue.a });
      }
      // Clock edge.
      if (inM && xLast) {
        const pp = pairProducts(d, job.b[inM.b], job.a[inM.a], cfg.I);
        const { cycles: m, grants } = schedule(pp.validP, pp.validAddr, cfg.banks);
        c.pairs++;
        c.products += pp.lanes;
        c.valid += pp.validP.length;
        c.rcps += pp.lanes - pp.validP.length;
        if (cfg.gating === 'lanes') c.gated += pp.lanes - pp.validP.length;
        inX = { b: inM.b, a: inM.a, grants, m, step: 0 };
        inM = undefined;
      } else if (inX) {
        if (xLast) inX = undefined;
        else inX.step++;
      }
      if (st?.issue) inM = st.issue;
      cyc++;
    }
    return cyc + 1;
  }

  /** Read and clear accumulator row r (all banks). */
  drainRow(r: number): bigint[] {
    const row: bigint[] = [];
    for (let b = 0; b < this.cfg.banks; b++) {
      const addr = r * this.cfg.banks + b;
      row.push(this.arith.get(this.acc, addr));
      this.arith.set(this.acc, addr, 0n);
    }
    return row;
  }
}

export function runPe(cfg: HwConfig, mapping: Mapping, opts: PeOptions = {}): PeRun {
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

const KIND_RANK = { issue: 0, acc: 1, drain: 2 } as const;
/** Canonical order of transactions: by cycle, then kind, then PE, then bank. */
export function txnOrder(a: Txn, b: Txn): number {
  return a.cycle - b.cycle || KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.pe - b.pe || (a.kind === 'acc' && b.kind === 'acc' ? a.bank - b.bank : 0);
}
