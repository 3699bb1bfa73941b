/**
 * Cycle-exact model of one PE (af_pe): COMPUTE of a loaded job, stepped cycle by cycle
 * through the same three stages as the RTL: the sequencer (af_seq), stage M (operands read,
 * multiply, coordinates) and stage X (af_xbar), where a pair stays max(1, most valid products
 * in one bank) cycles. The array around it (barrier, drains, reduction) is golden/model/array.ts.
 */
import type { HwConfig } from '../../generator/config.ts';
import { zeroCounters } from '../../generator/counters.ts';
import { AccArith, type AccVec } from './arith.ts';
import type { Job } from '../mapping/mapper.ts';
import { pairProducts } from './coord.ts';
import { schedule, type Grant } from './xbar.ts';
import { Seq } from './seq.ts';
import { boxOf } from './range.ts';


/** pe: the PE (for a drain reduced across a group of PEs: the group's first PE, whose port carries the sum). */
export type Txn =
  | { kind: 'issue'; cycle: number; job: number; pe: number; b: number; a: number }
  | { kind: 'acc'; cycle: number; job: number; pe: number; bank: number; row: number; sum: bigint }
  | { kind: 'drain'; cycle: number; job: number; pe: number; reduced: boolean; row: number; data: bigint[] };

interface InX { b: number; a: number; grants: Grant[]; m: number; step: number }

/** One PE: its accumulators, counters and sequencer. */
export class PeModel {
  readonly acc: AccVec;
  readonly c = zeroCounters();
  readonly seq: Seq;
  constructor(readonly cfg: HwConfig, readonly arith: AccArith, readonly index: number, readonly emit?: (t: Txn) => void) {
    this.acc = arith.alloc(cfg.banks * cfg.bankDepth); // index = row*banks + bank = address
    this.seq = new Seq(cfg.ant, cfg.antLookahead);
  }

  /** COMPUTE of a loaded job the engine starts in cycle `start`; returns the first cycle after COMPUTE. */
  compute(job: Job, start: number, j: number): number {
    const { cfg, c, seq, emit, arith, acc } = this;
    const d = job.desc;
    const ant = cfg.ant !== 'off';
    let cyc = start + 1;
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
          emit?.({ kind: 'acc', cycle: cyc, job: j, pe: this.index, bank: g.bank, row: g.row, sum: arith.get(acc, g.addr) });
        }
        if (!xLast) c.stalls++;
      }
      // compute_done: the crossbar's last writes happen in this cycle, the next leaves COMPUTE.
      if (!seq.active && !inM && xLast) break;
      const st = mReady ? seq.step() : undefined;
      if (st) {
        c.visited += st.visited;
        c.skipped += st.skipped;
        if (st.issue) emit?.({ kind: 'issue', cycle: cyc, job: j, pe: this.index, b: st.issue.b, a: st.issue.a });
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

  /** Read and clear accumulator row r (all banks); merged: it goes into the group's adder tree. */
  drainRow(r: number, merged = false): bigint[] {
    this.c.drained++;
    if (merged) this.c.merged++;
    const row: bigint[] = [];
    for (let b = 0; b < this.cfg.banks; b++) {
      const addr = r * this.cfg.banks + b;
      row.push(this.arith.get(this.acc, addr));
      this.arith.set(this.acc, addr, 0n);
    }
    return row;
  }
}

const KIND_RANK = { issue: 0, acc: 1, drain: 2 } as const;
/** Canonical order of transactions: by cycle, then kind, then PE, then bank. */
export function txnOrder(a: Txn, b: Txn): number {
  return a.cycle - b.cycle || KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.pe - b.pe || (a.kind === 'acc' && b.kind === 'acc' ? a.bank - b.bank : 0);
}
