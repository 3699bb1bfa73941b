/**
 * The one compare path: whatever simulator ran, its transactions, counters, cycle count and
 * assembled outputs are checked here against the golden model and the functional reference.
 * Exactness everywhere: no tolerance on cycles, counters or values.
 */
import type { HwConfig } from '../generator/config.ts';
import { COUNTER_NAMES, type Counters } from '../generator/counters.ts';
import { type Txn } from '../golden/model/pe.ts';
import type { Mapping } from '../golden/mapping/mapper.ts';
import { groupLead, takesJob } from '../golden/model/schedule.ts';
import type { AccTensor } from '../golden/workload/tensor.ts';
import { unravel } from '../golden/workload/tensor.ts';

export interface Divergence { cycle: number; signal: string; expected: string; actual: string; job: number }

export interface TraceCompare { events: number; mismatches: number; first?: Divergence }

function keyOf(t: Txn): string {
  return t.kind === 'acc' ? `${t.cycle}|acc|${t.pe}|${t.bank}` : `${t.cycle}|${t.kind}|${t.pe}`;
}
function describe(t: Txn | undefined): string {
  if (!t) return 'nothing';
  if (t.kind === 'issue') return `pair (b=${t.b}, a=${t.a})`;
  if (t.kind === 'acc') return `row ${t.row} sum ${t.sum}`;
  return `${t.reduced ? 'reduced ' : ''}row ${t.row} [${t.data.join(', ')}]`;
}
function signalOf(t: Txn): string {
  if (t.kind === 'issue') return `PE ${t.pe} mon_issue (mon_issue_b, mon_issue_a)`;
  if (t.kind === 'acc') return `PE ${t.pe} mon_acc_we/row/sum bank ${t.bank}`;
  return `PE ${t.pe} out_valid/out_reduced/out_row/out_data`;
}
function same(a: Txn, b: Txn): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'issue' && b.kind === 'issue') return a.a === b.a && a.b === b.b;
  if (a.kind === 'acc' && b.kind === 'acc') return a.row === b.row && a.sum === b.sum;
  if (a.kind === 'drain' && b.kind === 'drain') return a.reduced === b.reduced && a.row === b.row && a.data.every((v, i) => v === b.data[i]);
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

/** Per PE; mismatched names the counters as 'pe<p>.<name>'. */
export interface CounterCompare { rtl: Counters[]; golden: Counters[]; mismatched: string[] }

export function compareCounters(rtl: Counters[], golden: Counters[], counterWidth: number): CounterCompare {
  // The RTL's counters wrap at counterWidth bits; compare the golden count the same way.
  const wrap = (v: number) => Number(BigInt.asUintN(counterWidth, BigInt(v)));
  const mismatched = golden.flatMap((g, p) => COUNTER_NAMES.filter((n) => rtl[p]?.[n] !== wrap(g[n])).map((n) => `pe${p}.${n}`));
  return { rtl, golden, mismatched };
}

/** Which PE's port carries PE p's drain in this array job: p, or its reduction group's first PE. */
const drainPort = (aj: Mapping['arrayJobs'][number], p: number) => (aj.reduce ? groupLead(aj, p, aj.pe.length) : p);

/** Each port's drains, in order: the tile of every row it will carry. */
function drainQueues(mapping: Mapping): Map<number, number[]> {
  const queues = new Map<number, number[]>();
  for (const aj of mapping.arrayJobs) {
    aj.pe.forEach((job, p) => {
      if (!takesJob(aj, job) || !job.desc.drain || drainPort(aj, p) !== p) return;
      if (!queues.has(p)) queues.set(p, []);
      for (let r = 0; r < job.desc.drainRows; r++) queues.get(p)!.push(job.tile);
    });
  }
  return queues;
}

/**
 * Put drained rows back into the output tensor. Each port's drains come in the order of its
 * PE's draining jobs; tiles that overlap at output halos add their partial sums.
 */
export function assembleOutput(cfg: HwConfig, mapping: Mapping, rows: { pe: number; reduced: boolean; row: number; data: bigint[] }[], width: number): AccTensor {
  const n = mapping.outShape.reduce((a, b) => a * b, 1);
  const data = width <= 32 ? new Int32Array(n) : new BigInt64Array(n);
  const queues = drainQueues(mapping);
  const taken = new Map<number, number>();
  for (const row of rows) {
    const k = taken.get(row.pe) ?? 0;
    taken.set(row.pe, k + 1);
    const tileIdx = queues.get(row.pe)?.[k];
    if (tileIdx === undefined || tileIdx < 0) continue;
    const tile = mapping.tiles[tileIdx];
    for (let b = 0; b < cfg.banks; b++) {
      const addr = row.row * cfg.banks + b;
      if (addr >= tile.count) continue;
      const idx = mapping.outIndex(tile, addr);
      if (data instanceof Int32Array) data[idx] = Number(BigInt.asIntN(width, BigInt(data[idx]) + row.data[b]));
      else data[idx] = BigInt.asIntN(width, (data[idx] as bigint) + row.data[b]);
    }
  }
  return { shape: mapping.outShape, data, width };
}

/** How many rows the RTL must drain for this mapping. */
export function expectedDrainRows(mapping: Mapping): number {
  let rows = 0;
  for (const q of drainQueues(mapping).values()) rows += q.length;
  return rows;
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
