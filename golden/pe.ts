/**
 * Cycle-exact model of af_pe. It follows the RTL's schedule, not its gates:
 *   INIT bankDepth cycles; per job: IDLE 1 (descriptor taken), LOAD max(nA, nB, 1),
 *   COMPUTE until the sequencer is done and the pipeline is empty, DRAIN drainRows (when the
 *   job drains). The run ends on the IDLE cycle with no job left.
 * COMPUTE is stepped cycle by cycle through the same three stages as the RTL: the sequencer
 * (af_seq), stage M (operands read, multiply, coordinates) and stage X (af_xbar), where a pair
 * stays max(1, most valid products in one bank) cycles.
 */
import type { HwConfig } from '../generator/config.ts';
import { AccArith } from './arith.ts';
import type { Job, Mapping } from './mapper.ts';
import { pairProducts } from './coord.ts';
import { schedule, type Grant } from './xbar.ts';
import { Seq } from './seq.ts';
import { boxOf } from './range.ts';

export interface Counters {
  cycles: number; pairs: number; products: number; valid: number; rcps: number; stalls: number;
  /** Pairs the sequencer examined, and those it rejected with the range test (ANT). */
  visited: number; skipped: number;
}
export const COUNTER_NAMES: (keyof Counters)[] = ['cycles', 'pairs', 'products', 'valid', 'rcps', 'stalls', 'visited', 'skipped'];

export type Txn =
  | { kind: 'issue'; cycle: number; job: number; b: number; a: number }
  | { kind: 'acc'; cycle: number; job: number; bank: number; row: number; sum: bigint }
  | { kind: 'drain'; cycle: number; job: number; row: number; data: bigint[] };

export interface PeRun {
  counters: Counters;
  /** Drained rows per tile: tile index -> values by accumulator address. */
  drained: Map<number, bigint[]>;
  trace?: Txn[];
  /** First cycle of each job (its IDLE cycle), for attributing a divergence. */
  jobStart: number[];
}

export interface PeOptions { trace?: boolean }

interface InX { b: number; a: number; grants: Grant[]; m: number; step: number }

export function runPe(cfg: HwConfig, mapping: Mapping, opts: PeOptions = {}): PeRun {
  const { banks, bankDepth, I } = cfg;
  const arith = new AccArith(cfg.accWidth);
  const acc = arith.alloc(banks * bankDepth); // index = row*banks + bank = address
  const trace: Txn[] | undefined = opts.trace ? [] : undefined;
  const c: Counters = { cycles: 0, pairs: 0, products: 0, valid: 0, rcps: 0, stalls: 0, visited: 0, skipped: 0 };
  const drained = new Map<number, bigint[]>();
  const jobStart: number[] = [];
  const seq = new Seq(cfg.ant, cfg.antLookahead);
  let t = bankDepth; // INIT clears one row per cycle

  mapping.jobs.forEach((job: Job, j: number) => {
    const d = job.desc;
    jobStart.push(t);
    let cyc = t + 1 + Math.max(d.nA, d.nB, 1);
    seq.start(d, cfg.ant === 'off' ? [] : job.a.map(boxOf), cfg.ant === 'off' ? [] : job.b.map(boxOf));
    let inM: { b: number; a: number } | undefined;
    let inX: InX | undefined;
    for (;;) {
      const xLast = !inX || inX.step === inX.m - 1;
      const mReady = !inM || xLast;
      if (inX) {
        for (const g of inX.grants) {
          if (g.step !== inX.step) continue;
          const f = Math.floor(g.p / I), i = g.p % I;
          arith.mac(acc, g.addr, job.a[inX.a][i].val, job.b[inX.b][f].val);
          trace?.push({ kind: 'acc', cycle: cyc, job: j, bank: g.bank, row: g.row, sum: arith.get(acc, g.addr) });
        }
        if (!xLast) c.stalls++;
      }
      // compute_done: the crossbar's last writes happen in this cycle, the next leaves COMPUTE.
      if (!seq.active && !inM && xLast) break;
      const st = mReady ? seq.step() : undefined;
      if (st) {
        c.visited += st.visited;
        c.skipped += st.skipped;
        if (st.issue) trace?.push({ kind: 'issue', cycle: cyc, job: j, b: st.issue.b, a: st.issue.a });
      }
      // Clock edge.
      if (inM && xLast) {
        const pp = pairProducts(d, job.b[inM.b], job.a[inM.a], I);
        const { cycles: m, grants } = schedule(pp.validP, pp.validAddr, banks);
        c.pairs++;
        c.products += pp.lanes;
        c.valid += pp.validP.length;
        c.rcps += pp.lanes - pp.validP.length;
        inX = { ...inM, grants, m, step: 0 };
        inM = undefined;
      } else if (inX) {
        if (xLast) inX = undefined;
        else inX.step++;
      }
      if (st?.issue) inM = st.issue;
      cyc++;
    }
    t = cyc + 1;
    if (d.drain && d.drainRows > 0) {
      const values: bigint[] = [];
      for (let r = 0; r < d.drainRows; r++) {
        const row: bigint[] = [];
        for (let b = 0; b < banks; b++) {
          const addr = r * banks + b;
          row.push(arith.get(acc, addr));
          values.push(arith.get(acc, addr));
          arith.set(acc, addr, 0n);
        }
        trace?.push({ kind: 'drain', cycle: t + r, job: j, row: r, data: row });
      }
      drained.set(job.tile, values);
      t += d.drainRows;
    }
  });
  c.cycles = t;
  if (trace) trace.sort(txnOrder);
  return { counters: c, drained, trace, jobStart };
}

const KIND_RANK = { issue: 0, acc: 1, drain: 2 } as const;
/** Canonical order of transactions: by cycle, then kind, then bank. */
export function txnOrder(a: Txn, b: Txn): number {
  return a.cycle - b.cycle || KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.kind === 'acc' && b.kind === 'acc' ? a.bank - b.bank : 0);
}
