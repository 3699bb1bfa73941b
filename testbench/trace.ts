/**
 * VCD -> transactions: reads the array's trace ports from a waveform and turns each cycle into
 * the same transaction records the golden model predicts (pair issues and accumulator writes
 * per PE, drained rows), plus the counters' final values per PE.
 */
import type { HwConfig } from '../generator/config.ts';
import { derive } from '../generator/config.ts';
import { COUNTER_NAMES, type Counters } from '../generator/counters.ts';
import { txnOrder, type Txn } from '../golden/model/pe.ts';
import { sampleVcd } from './vcd.ts';

export interface ObservedTrace { txns: Txn[]; perPe: Counters[]; cycles: number; xSeen: string[] }

const field = (word: bigint, lo: number, width: number) => (word >> BigInt(lo)) & ((1n << BigInt(width)) - 1n);
const signed = (v: bigint, width: number) => BigInt.asIntN(width, v);

export async function readTrace(cfg: HwConfig, vcdFile: string, scope = 'TOP'): Promise<ObservedTrace> {
  const d = derive(cfg);
  const N = cfg.pes, B = cfg.banks, acw = cfg.accWidth, rw = d.rowWidth;
  const names = ['mon_issue', 'mon_issue_a', 'mon_issue_b', 'mon_acc_we', 'mon_acc_row', 'mon_acc_sum',
    'out_valid', 'out_reduced', 'out_row', 'out_data', ...COUNTER_NAMES.map((c) => `perf_${c}`)];
  const txns: Txn[] = [];
  let last: bigint[] = [];
  const res = await sampleVcd(vcdFile, {
    signals: names.map((n) => `${scope}.${n}`),
    onCycle: (cycle, v) => {
      last = v;
      const [issue, ia, ib, we, row, sum, ov, ored, orow, odata] = v;
      for (let p = 0; p < N; p++) {
        if ((issue >> BigInt(p)) & 1n) {
          txns.push({ kind: 'issue', cycle, job: -1, pe: p, b: Number(field(ib, p * d.bIdxWidth, d.bIdxWidth)), a: Number(field(ia, p * d.aIdxWidth, d.aIdxWidth)) });
        }
      }
      if (we) {
        for (let k = 0; k < N * B; k++) {
          if ((we >> BigInt(k)) & 1n) {
            txns.push({ kind: 'acc', cycle, job: -1, pe: Math.floor(k / B), bank: k % B, row: Number(field(row, k * rw, rw)), sum: signed(field(sum, k * acw, acw), acw) });
          }
        }
      }
      if (ov) {
        for (let p = 0; p < N; p++) {
          if (!((ov >> BigInt(p)) & 1n)) continue;
          const data = Array.from({ length: B }, (_, b) => signed(field(odata, (p * B + b) * acw, acw), acw));
          txns.push({ kind: 'drain', cycle, job: -1, pe: p, reduced: ((ored >> BigInt(p)) & 1n) === 1n, row: Number(field(orow, p * rw, rw)), data });
        }
      }
    },
  });
  const perPe = Array.from({ length: N }, (_, p) => Object.fromEntries(COUNTER_NAMES.map((c, k) =>
    [c, Number(field(last[10 + k] ?? 0n, p * cfg.counterWidth, cfg.counterWidth))])) as unknown as Counters);
  txns.sort(txnOrder);
  return { txns, perPe, cycles: res.cycles - 1, xSeen: res.xSeen };
}
