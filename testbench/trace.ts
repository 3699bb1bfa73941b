/**
 * VCD -> transactions: reads the PE's trace port from a waveform and turns each cycle into
 * the same transaction records the golden model predicts (pair issues, accumulator writes,
 * drained rows), plus the counters' final values.
 */
import type { HwConfig } from '../generator/config.ts';
import { derive } from '../generator/config.ts';
import { COUNTER_NAMES, txnOrder, type Counters, type Txn } from '../golden/pe.ts';
import { sampleVcd } from './vcd.ts';

export interface ObservedTrace { txns: Txn[]; counters: Counters; cycles: number; xSeen: string[] }

const field = (word: bigint, lo: number, width: number) => (word >> BigInt(lo)) & ((1n << BigInt(width)) - 1n);
const signed = (v: bigint, width: number) => BigInt.asIntN(width, v);

export async function readTrace(cfg: HwConfig, vcdFile: string, scope = 'TOP'): Promise<ObservedTrace> {
  const d = derive(cfg);
  const names = ['mon_issue', 'mon_issue_a', 'mon_issue_b', 'mon_acc_we', 'mon_acc_row', 'mon_acc_sum', 'out_valid', 'out_row', 'out_data',
    ...COUNTER_NAMES.map((c) => `perf_${c}`)];
  const txns: Txn[] = [];
  let last: bigint[] = [];
  const res = await sampleVcd(vcdFile, {
    signals: names.map((n) => `${scope}.${n}`),
    onCycle: (cycle, v) => {
      last = v;
      const [issue, ia, ib, we, row, sum, ov, orow, odata] = v;
      if (issue) txns.push({ kind: 'issue', cycle, job: -1, b: Number(ib), a: Number(ia) });
      if (we) {
        for (let b = 0; b < cfg.banks; b++) {
          if ((we >> BigInt(b)) & 1n) {
            txns.push({ kind: 'acc', cycle, job: -1, bank: b, row: Number(field(row, b * d.rowWidth, d.rowWidth)),
              sum: signed(field(sum, b * cfg.accWidth, cfg.accWidth), cfg.accWidth) });
          }
        }
      }
      if (ov) {
        const data = Array.from({ length: cfg.banks }, (_, b) => signed(field(odata, b * cfg.accWidth, cfg.accWidth), cfg.accWidth));
        txns.push({ kind: 'drain', cycle, job: -1, row: Number(orow), data });
      }
    },
  });
  const counters = Object.fromEntries(COUNTER_NAMES.map((c, k) => [c, Number(last[9 + k] ?? 0n)])) as unknown as Counters;
  txns.sort(txnOrder);
  return { txns, counters, cycles: res.cycles - 1, xSeen: res.xSeen };
}
