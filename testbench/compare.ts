/**
 * The one compare path: whatever simulator ran, its transactions, counters, cycle count and
 * assembled outputs are checked here against the golden model and the functional reference.
 * Exactness everywhere: no tolerance on cycles, counters or values.
 */
import type { HwConfig } from '../generator/config.ts';
import { COUNTER_NAMES, type Counters } from '../generator/counters.ts';
import { type Txn } from '../golden/model/pe.ts';
import { RecordStream, recordFile, sameBytes } from './records.ts';
import type { Mapping } from '../golden/mapping/mapper.ts';
import { groupLead, takesJob } from '../golden/model/schedule.ts';
import type { AccTensor } from '../golden/workload/tensor.ts';
import { unravel } from '../golden/workload/tensor.ts';

export interface Divergence { cycle: number; signal: string; expected: string; actual: string; job: number }

export interface TraceCompare { events: number; mismatches: number; first?: Divergence }

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

/** One cycle's transactions of one PE: golden against observed, matched by kind (and bank). */
function matchCycle(exp: Txn[], act: Txn[], note: (cycle: number, e?: Txn, a?: Txn) => void): void {
  const used = new Array<boolean>(act.length).fill(false);
  for (const e of exp) {
    const k = act.findIndex((a, i) => !used[i] && a.kind === e.kind && (e.kind !== 'acc' || (a.kind === 'acc' && a.bank === e.bank)));
    if (k < 0) { note(e.cycle, e, undefined); continue; }
    used[k] = true;
    if (!same(e, act[k])) note(e.cycle, e, act[k]);
  }
  act.forEach((a, i) => { if (!used[i]) note(a.cycle, undefined, a); });
}

/** A drained row as the simulator gave it (data by bank). */
export interface DrainedRow { pe: number; reduced: boolean; row: number; data: bigint[] }

/**
 * The streaming compare: golden transactions arrive one at a time (per PE in cycle order) and
 * are matched against the simulator's records of the same PE, a cycle at a time, so neither
 * side's whole trace is ever in memory.
 */
export class StreamCompare {
  private events = 0;
  private mismatches = 0;
  private first: { cycle: number; e?: Txn; a?: Txn } | undefined;
  private pending: Txn[][];

  /** streams[p]: PE port p's observed records; a PE left out is not compared. */
  constructor(private readonly streams: ({ peek(): Txn | undefined; next(): Txn | undefined } | undefined)[]) {
    this.pending = streams.map(() => []);
  }

  /** A golden transaction (bound; per PE in cycle order, as runArray's onTxn or a golden record file gives them). */
  readonly golden = (t: Txn): void => {
    if (!this.streams[t.pe]) return;
    const q = this.pending[t.pe];
    if (q.length && q[0].cycle !== t.cycle) {
      if (t.cycle < q[0].cycle) throw new Error(`golden transactions of PE ${t.pe} out of cycle order (${t.cycle} after ${q[0].cycle})`);
      this.flush(t.pe);
    }
    q.push(t);
    this.events++;
  };

  /** After the golden run: the remaining cycles, then whatever the simulator recorded beyond them. */
  finish(jobStart: number[], events = this.events): TraceCompare {
    this.streams.forEach((s, p) => {
      if (!s) return;
      this.flush(p);
      for (let a = this.take(p); a; a = this.take(p)) this.note(a.cycle, undefined, a);
    });
    const f = this.first;
    return {
      events,
      mismatches: this.mismatches,
      ...(f ? { first: { cycle: f.cycle, signal: signalOf((f.e ?? f.a)!), expected: describe(f.e), actual: describe(f.a), job: jobAt(jobStart, f.cycle) } } : {}),
    };
  }

  private take(p: number): Txn | undefined {
    return this.streams[p]!.next();
  }

  private flush(p: number): void {
    const q = this.pending[p];
    if (!q.length) return;
    const cycle = q[0].cycle, s = this.streams[p]!;
    // Recorded before this cycle and not matched by then: the golden model has nothing there.
    while (s.peek() && s.peek()!.cycle < cycle) this.note(s.peek()!.cycle, undefined, this.take(p));
    const act: Txn[] = [];
    while (s.peek() && s.peek()!.cycle === cycle) act.push(this.take(p)!);
    matchCycle(q, act, this.note);
    q.length = 0;
  }

  private readonly note = (cycle: number, e?: Txn, a?: Txn): void => {
    this.mismatches++;
    if (!this.first || cycle < this.first.cycle) this.first = { cycle, e, a };
  };
}

/**
 * Golden records (RecordWriter) against the simulator's: a PE whose files are byte-identical
 * matched in every transaction; only a PE whose files differ is decoded and matched a cycle at
 * a time, for the count and the first divergence.
 */
export function compareRecords(cfg: HwConfig, goldenDir: string, simDir: string, events: number, jobStart: number[]): TraceCompare {
  const differ = Array.from({ length: cfg.pes }, (_, p) => !sameBytes(recordFile(goldenDir, p), recordFile(simDir, p)));
  if (!differ.some(Boolean)) return { events, mismatches: 0 };
  const observed = differ.map((d, p) => (d ? new RecordStream(recordFile(simDir, p), p, cfg) : undefined));
  try {
    const cmp = new StreamCompare(observed);
    differ.forEach((d, p) => {
      if (!d) return;
      const golden = new RecordStream(recordFile(goldenDir, p), p, cfg);
      try {
        for (let t = golden.next(); t; t = golden.next()) cmp.golden(t);
      } finally {
        golden.close();
      }
    });
    return cmp.finish(jobStart, events);
  } finally {
    for (const s of observed) s?.close();
  }
}

/** The drained rows the simulator recorded, port by port in the order each port drained them. */
export function readDrains(cfg: HwConfig, dir: string): DrainedRow[] {
  const rows: DrainedRow[] = [];
  for (let p = 0; p < cfg.pes; p++) {
    const s = new RecordStream(recordFile(dir, p), p, cfg);
    try {
      for (let d = s.nextDrain(); d; d = s.nextDrain()) rows.push({ pe: d.pe, reduced: d.reduced, row: d.row, data: d.data });
    } finally {
      s.close();
    }
  }
  return rows;
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
