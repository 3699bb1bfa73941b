/**
 * Cycle-exact model of af_pe. It follows the RTL's schedule, not its gates:
 *   INIT bankDepth cycles; per job: IDLE 1 (descriptor taken), LOAD max(nA, nB, 1),
 *   COMPUTE 2 + sum over pairs of crossbar cycles (1 if the job has no pair),
 *   DRAIN drainRows (when the job drains). The run ends on the IDLE cycle with no job left.
 * Pair k is issued at x_k - 2 for k = 0 and x_{k-1} - 1 after, and occupies the crossbar
 * from x_k = start + 2 + sum_{j<k} m_j for m_k cycles, where m_k is its bank-conflict cost.
 */
import type { HwConfig } from '../generator/config.ts';
import { AccArith } from './arith.ts';
import type { Job, Mapping } from './mapper.ts';
import { pairProducts } from './coord.ts';
import { schedule } from './xbar.ts';

export interface Counters { cycles: number; pairs: number; products: number; valid: number; rcps: number; stalls: number }
export const COUNTER_NAMES: (keyof Counters)[] = ['cycles', 'pairs', 'products', 'valid', 'rcps', 'stalls'];

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

export function runPe(cfg: HwConfig, mapping: Mapping, opts: PeOptions = {}): PeRun {
  const { banks, bankDepth, I } = cfg;
  const arith = new AccArith(cfg.accWidth);
  const acc = arith.alloc(banks * bankDepth); // index = row*banks + bank = address
  const trace: Txn[] | undefined = opts.trace ? [] : undefined;
  const c: Counters = { cycles: 0, pairs: 0, products: 0, valid: 0, rcps: 0, stalls: 0 };
  const drained = new Map<number, bigint[]>();
  const jobStart: number[] = [];
  let t = bankDepth; // INIT clears one row per cycle

  mapping.jobs.forEach((job: Job, j: number) => {
    const d = job.desc;
    jobStart.push(t);
    const tc = t + 1 + Math.max(d.nA, d.nB, 1);
    let x = tc + 2;
    let issue = tc;
    const pairs = d.nA * d.nB;
    for (let bi = 0; bi < d.nB; bi++) {
      for (let ai = 0; ai < d.nA; ai++) {
        trace?.push({ kind: 'issue', cycle: issue, job: j, b: bi, a: ai });
        const pp = pairProducts(d, job.b[bi], job.a[ai], I);
        const { cycles: m, grants } = schedule(pp.validP, pp.validAddr, banks);
        c.pairs++;
        c.products += pp.lanes;
        c.valid += pp.validP.length;
        c.rcps += pp.lanes - pp.validP.length;
        c.stalls += m - 1;
        for (const g of grants) {
          const f = Math.floor(g.p / I), i = g.p % I;
          arith.mac(acc, g.addr, job.a[ai][i].val, job.b[bi][f].val);
          trace?.push({ kind: 'acc', cycle: x + g.step, job: j, bank: g.bank, row: g.row, sum: arith.get(acc, g.addr) });
        }
        issue = x - 1;
        x += m;
      }
    }
    t = pairs > 0 ? x : tc + 1;
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
