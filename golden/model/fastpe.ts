/**
 * The same cycle model as golden/model/pe.ts, counters only, fast enough for whole networks. It is
 * exact, not an approximation (the tests hold it equal to pe.ts, which the RTL is held equal
 * to), because it only skips work whose outcome is known:
 *   - a pair whose bounding boxes cannot meet a valid output has no valid product, costs one
 *     crossbar cycle and needs no product computed; only range-feasible pairs are multiplied
 *     out (on typed arrays, to count valid products and bank conflicts);
 *   - range-feasible pairs are found by walking each B-vector's window of A-vectors (sorted
 *     operands), not by testing every pair;
 *   - the pipeline is timed per event (an issued pair, or a run of sequencer bubbles) with the
 *     same ready/valid rules as the RTL, instead of cycle by cycle; the baseline has no
 *     bubbles, so its compute time is closed form.
 */
import type { HwConfig } from '../../generator/config.ts';
import type { Job, Mapping } from '../mapping/mapper.ts';
import { type Counters, zeroCounters, sumCounters } from '../../generator/counters.ts';
import { type Box, boxOf, feasible, below, above, windowLow } from './range.ts';
import { Seq } from './seq.ts';
import { groupLead, scheduleArray, sumSplits, type TimeSplit } from './schedule.ts';

/** A job's vectors as flat typed arrays (lane l of vector v at v*lanes + l). */
interface Packed { n: number; len: Int32Array; y: Int32Array; x: Int32Array; c: Int32Array; g: Int32Array; box: Box[]; lanes: number }

// Broadcast jobs hand the same B vector list to every member of a group: pack it once.
const packedCache = new WeakMap<Job['a'], Packed>();
function packVectors(vs: Job['a'], lanes: number): Packed {
  const hit = packedCache.get(vs);
  if (hit && hit.lanes === lanes) return hit;
  const p = packFresh(vs, lanes);
  packedCache.set(vs, p);
  return p;
}

function packFresh(vs: Job['a'], lanes: number): Packed {
  const n = vs.length;
  const p: Packed = { n, lanes, len: new Int32Array(n), y: new Int32Array(n * lanes), x: new Int32Array(n * lanes), c: new Int32Array(n * lanes), g: new Int32Array(n * lanes), box: new Array(n) };
  vs.forEach((v, i) => {
    p.len[i] = v.length;
    p.box[i] = boxOf(v);
    v.forEach((e, l) => { const k = i * lanes + l; p.y[k] = e.y; p.x[k] = e.x; p.c[k] = e.c; p.g[k] = e.g; });
  });
  return p;
}

/** Valid products of a pair and its crossbar cycles (max products in one bank, at least 1). */
function pairCost(job: Job, A: Packed, B: Packed, b: number, a: number, banks: number, hist: Int32Array): { valid: number; m: number } {
  const d = job.desc;
  const sa = d.signA ? -1 : 1, sb = d.signB ? -1 : 1;
  const na = A.len[a], nb = B.len[b];
  let valid = 0, m = 1;
  const touched: number[] = [];
  for (let f = 0; f < nb; f++) {
    const kb = b * B.lanes + f;
    const by = sb * B.y[kb] + d.offY, bx = sb * B.x[kb] + d.offX, bc = B.c[kb] * d.strideBC;
    for (let i = 0; i < na; i++) {
      const ka = a * A.lanes + i;
      if (d.matchEn && A.g[ka] !== B.g[kb]) continue;
      const oy = sa * A.y[ka] + by;
      if (oy < 0 || oy >= d.limY) continue;
      const ox = sa * A.x[ka] + bx;
      if (ox < 0 || ox >= d.limX) continue;
      valid++;
      const bank = (bc + A.c[ka] * d.strideAC + oy * d.limX + ox) % banks;
      if (hist[bank] === 0) touched.push(bank);
      const h = ++hist[bank];
      if (h > m) m = h;
    }
  }
  for (const t of touched) hist[t] = 0;
  return { valid, m };
}

/** Pipeline timing by events: issues (with their crossbar cost) and runs of bubbles. */
class Pipe {
  t: number;
  mCost = 0; // cost of the pair in stage M, 0 when empty
  xEnd = -1; // last cycle of the pair in stage X (X is free from xEnd on)
  constructor(start: number) { this.t = start; }
  private readyAt(): number { return this.mCost ? Math.max(this.t, this.xEnd) : this.t; }
  /** The sequencer acts at the first cycle M can take a pair; M's pair moves on to X then. */
  private act(): number {
    const at = this.readyAt();
    if (this.mCost) {
      this.xEnd = at + this.mCost;
      this.mCost = 0;
    }
    return at;
  }
  issue(m: number): void {
    this.t = this.act() + 1;
    this.mCost = m;
  }
  bubbles(k: number): void {
    if (k <= 0) return;
    this.t = this.act() + k;
  }
  /** The cycle in which compute_done holds. */
  done(): number {
    if (this.mCost) {
      const at = Math.max(this.t, this.xEnd);
      this.xEnd = at + this.mCost;
      this.mCost = 0;
      return this.xEnd;
    }
    return Math.max(this.t, this.xEnd);
  }
}

/** Range-feasible A-vectors of B-vector b, ascending (a window walk over sorted A). */
function feasibleOf(job: Job, A: Packed, B: Packed, b: number, start: number): { list: number[]; ws: number; wsFound: boolean } {
  const d = job.desc, bb = B.box[b];
  const list: number[] = [];
  let a = start;
  while (a < A.n && below(d, bb, A.box[a])) a++;
  const ws = a, wsFound = a < A.n;
  for (; a < A.n && !above(d, bb, A.box[a]); a++) if (feasible(d, bb, A.box[a])) list.push(a);
  return { list, ws, wsFound };
}

/** COMPUTE of one PE job the engine starts in cycle `start`; returns the first cycle after COMPUTE. */
function computeJob(cfg: HwConfig, job: Job, start: number, c: Counters, hist: Int32Array): number {
  const d = job.desc;
  const tc = start + 1;
  if (d.nA === 0 || d.nB === 0) return tc + 1;
  const A = packVectors(job.a, cfg.I), B = packVectors(job.b, cfg.F);
  const L = cfg.antLookahead;
  const cost = (b: number, a: number) => {
    const r = pairCost(job, A, B, b, a, cfg.banks, hist);
    c.valid += r.valid;
    c.rcps += A.len[a] * B.len[b] - r.valid;
    c.stalls += r.m - 1;
    return r.m;
  };
  const lanesA = A.len.reduce((s, v) => s + v, 0);

  if (cfg.ant === 'off') {
    // Every pair, no bubbles: 2 + (sum of crossbar cycles) cycles; infeasible pairs cost 1.
    let extra = 0, start = 0, lowPrev = -Infinity;
    for (let b = 0; b < B.n; b++) {
      const low = windowLow(d, B.box[b]);
      const { list, ws } = feasibleOf(job, A, B, b, low >= lowPrev ? start : 0);
      start = ws;
      lowPrev = low;
      c.rcps += B.len[b] * lanesA; // every product, minus the valid ones counted in cost()
      for (const a of list) {
        c.rcps -= A.len[a] * B.len[b];
        extra += cost(b, a) - 1;
      }
    }
    const pairs = A.n * B.n;
    c.pairs += pairs;
    c.products += lanesA * B.len.reduce((s, v) => s + v, 0);
    c.visited += pairs;
    return tc + 2 + pairs + extra;
  }

  const pipe = new Pipe(tc);
  const issue = (b: number, a: number) => {
    c.pairs++;
    c.products += A.len[a] * B.len[b];
    pipe.issue(feasible(d, B.box[b], A.box[a]) ? cost(b, a) : (c.rcps += A.len[a] * B.len[b], 1));
  };

  if (cfg.ant === 'filter') {
    // Each cycle looks at L candidates: a run of r infeasible ones before an issue costs
    // floor(r / L) bubble cycles, and the issue's cycle covers the rest.
    let start = 0, lowPrev = -Infinity;
    for (let b = 0; b < B.n; b++) {
      const low = windowLow(d, B.box[b]);
      const { list, ws } = feasibleOf(job, A, B, b, low >= lowPrev ? start : 0);
      start = ws;
      lowPrev = low;
      let s = 0;
      for (const a of list) {
        pipe.bubbles(Math.floor((a - s) / L));
        issue(b, a);
        s = a + 1;
      }
      if (s < A.n) pipe.bubbles(Math.ceil((A.n - s) / L));
      c.visited += A.n;
      c.skipped += A.n - list.length;
    }
    return pipe.done() + 1;
  }

  // window: the sequencer itself (it only visits each window), events into the pipe.
  const seq = new Seq('window', L);
  seq.start(d, A.box, B.box);
  let bubbles = 0;
  while (seq.active) {
    const st = seq.step();
    c.visited += st.visited;
    c.skipped += st.skipped;
    if (st.issue) {
      pipe.bubbles(bubbles);
      bubbles = 0;
      issue(st.issue.b, st.issue.a);
    } else {
      bubbles++;
    }
  }
  pipe.bubbles(bubbles);
  return pipe.done() + 1;
}

/** time: where the PEs' cycles went, summed over PEs (see schedule.ts). */
export interface FastRun { counters: Counters; perPe: Counters[]; time: TimeSplit; timePerPe: TimeSplit[] }

/** Counters and cycles of a mapping, equal to runArray's. */
export function fastRun(cfg: HwConfig, mapping: Mapping): FastRun {
  const perPe = Array.from({ length: mapping.pes }, zeroCounters);
  const hist = new Int32Array(cfg.banks);
  const sched = scheduleArray(mapping, cfg.bankDepth, {
    compute: (p, job, at) => computeJob(cfg, job, at, perPe[p], hist),
    // Every member of a reduced drain reads out the rows of its group's first PE's job, as runArray does.
    drain: (j, from, reduced) => {
      const aj = mapping.arrayJobs[j], rows = aj.pe[from[0]].desc.drainRows;
      for (const p of from) {
        perPe[p].drained += rows;
        if (reduced && p !== groupLead(aj, p, mapping.pes)) perPe[p].merged += rows;
      }
    },
  });
  const t = sched.cycles;
  for (const c of perPe) {
    c.cycles = t;
    // Every RCP lane of an issued pair is isolated when gating is on.
    c.gated = cfg.gating === 'lanes' ? c.rcps : 0;
  }
  return { counters: sumCounters(perPe, t), perPe, time: sumSplits(sched.perPe), timePerPe: sched.perPe };
}
