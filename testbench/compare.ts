/**
 * The one compare path: whatever simulator ran, its transactions, counters, cycle count and
 * assembled outputs are checked here against the golden model and the functional reference.
 * Exactness everywhere: no tolerance on cycles, counters or values.
 */
import type { HwConfig } from '../generator/config.ts';
import { COUNTER_NAMES, type Counters, type Txn } from '../golden/pe.ts';
import type { Mapping } from '../golden/mapper.ts';
import type { AccTensor } from '../golden/tensor.ts';
import { unravel } from '../golden/tensor.ts';

export interface Divergence { cycle: number; signal: string; expected: string; actual: string; job: number }

export interface TraceCompare { events: number; mismatches: number; first?: Divergence }

function keyOf(t: Txn): string {
  return t.kind === 'acc' ? `${t.cycle}|acc|${t.bank}` : `${t.cycle}|${t.kind}`;
}
function describe(t: Txn | undefined): string {
  if (!t) return 'nothing';
  if (t.kind === 'issue') return `pair (b=${t.b}, a=${t.a})`;
  if (t.kind === 'acc') return `row ${t.row} sum ${t.sum}`;
  return `row ${t.row} [${t.data.join(', ')}]`;
}
function signalOf(t: Txn): string {
  if (t.kind === 'issue') return 'mon_issue (mon_issue_b, mon_issue_a)';
  if (t.kind === 'acc') return `mon_acc_we/row/sum bank ${t.bank}`;
  return 'out_valid/out_row/out_data';
}
function same(a: Txn, b: Txn): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'issue' && b.kind === 'issue') return a.a === b.a && a.b === b.b;
  if (a.kind === 'acc' && b.kind === 'acc') return a.row === b.row && a.sum === b.sum;
  if (a.kind === 'drain' && b.kind === 'drain') return a.row === b.row && a.data.every((v, i) => v === b.data[i]);
  return false;
}

/** Job that owns a cycle: the last job whose IDLE cycle is at or before it. */
export function jobAt(jobStart: number[], cycle: number): number {
  let lo = 0, hi = jobStart.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (jobStart[mid] <= cycle) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

export function compareTraces(expected: Txn[], actual: Txn[], jobStart: number[]): TraceCompare {
  const exp = new Map(expected.map((t) => [keyOf(t), t]));
  const act = new Map(actual.map((t) => [keyOf(t), t]));
  let mismatches = 0;
  let first: { cycle: number; e?: Txn; a?: Txn } | undefined;
  const note = (cycle: number, e?: Txn, a?: Txn) => {
    mismatches++;
    if (!first || cycle < first.cycle) first = { cycle, e, a };
  };
  for (const [k, e] of exp) {
    const a = act.get(k);
    if (!a || !same(e, a)) note(e.cycle, e, a);
  }
  for (const [k, a] of act) if (!exp.has(k)) note(a.cycle, undefined, a);
  return {
    events: expected.length,
    mismatches,
    ...(first ? { first: {
      cycle: first.cycle,
      signal: signalOf((first.e ?? first.a)!),
      expected: describe(first.e),
      actual: describe(first.a),
      job: jobAt(jobStart, first.cycle),
    } } : {}),
  };
}

export interface CounterCompare { rtl: Counters; golden: Counters; mismatched: (keyof Counters)[] }

export function compareCounters(rtl: Counters, golden: Counters, counterWidth: number): CounterCompare {
  // The RTL's counters wrap at counterWidth bits; compare the golden count the same way.
  const wrap = (v: number) => Number(BigInt.asUintN(counterWidth, BigInt(v)));
  return { rtl, golden, mismatched: COUNTER_NAMES.filter((n) => rtl[n] !== wrap(golden[n])) };
}

/** Put drained rows back into the output tensor: the i-th drain belongs to the i-th draining job's tile. */
export function assembleOutput(cfg: HwConfig, mapping: Mapping, rows: { row: number; data: bigint[] }[], width: number): AccTensor {
  const n = mapping.outShape.reduce((a, b) => a * b, 1);
  const data = width <= 32 ? new Int32Array(n) : new BigInt64Array(n);
  const drainJobs = mapping.jobs.filter((j) => j.desc.drain);
  let at = 0;
  for (const job of drainJobs) {
    const tile = mapping.tiles[job.tile];
    for (let r = 0; r < job.desc.drainRows && at < rows.length; r++, at++) {
      const { data: vals } = rows[at];
      for (let b = 0; b < cfg.banks; b++) {
        const addr = r * cfg.banks + b;
        if (addr >= tile.count) continue;
        const idx = mapping.outIndex(tile, addr);
        if (data instanceof Int32Array) data[idx] = Number(vals[b]);
        else data[idx] = vals[b];
      }
    }
  }
  return { shape: mapping.outShape, data, width };
}

export interface OutputCompare { compared: number; mismatches: number; first?: { index: number[]; expected: string; actual: string } }

export function compareOutputs(expected: AccTensor, actual: AccTensor): OutputCompare {
  let mismatches = 0;
  let first: OutputCompare['first'];
  for (let i = 0; i < expected.data.length; i++) {
    const e = BigInt(expected.data[i]), a = BigInt(actual.data[i]);
    if (e !== a) {
      mismatches++;
      if (!first) first = { index: unravel(expected.shape, i), expected: e.toString(), actual: a.toString() };
    }
  }
  return { compared: expected.data.length, mismatches, ...(first ? { first } : {}) };
}
