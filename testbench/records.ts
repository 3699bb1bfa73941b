/**
 * Transaction records: what the compare needs, written by the simulator itself (the Verilator
 * harness, harness.ts, and Icarus's af_tb, icarus.ts) only when something happens, one binary
 * file per PE port (rec<p>.bin), read back here as a stream of the golden model's Txn records.
 *
 * A record is a run of little-endian 32-bit words; its kind decides its length:
 *   issue  [cycle, head, b, a]                      a pair left the sequencer (mon_issue)
 *   acc    [cycle, head, row, sum ...]              an accumulator write (mon_acc_*), head's aux = bank
 *   drain  [cycle, head, row, data ...]             a drained row (out_*), head's aux = reduced
 * head = kind | aux << 8. A value of accWidth bits takes accWords words, least significant
 * first (two's complement, sign-extended by the reader); a drain carries banks values.
 * The layout is written once, here: the C++ and Verilog writers are generated from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { SimulationError } from '../generator/errors.ts';
import type { Txn } from '../golden/model/pe.ts';

export const RECORD_KIND = { issue: 1, acc: 2, drain: 3 } as const;
export const HEAD_AUX_SHIFT = 8;

export interface RecordShape { accWords: number; banks: number; words: { issue: number; acc: number; drain: number } }

export function recordShape(cfg: HwConfig): RecordShape {
  const accWords = Math.ceil(cfg.accWidth / 32);
  return { accWords, banks: cfg.banks, words: { issue: 4, acc: 3 + accWords, drain: 3 + cfg.banks * accWords } };
}

export const recordFile = (dir: string, p: number) => path.join(dir, `rec${p}.bin`);

/** Words of the largest record: the reader keeps at least this much in its window. */
const maxWords = (s: RecordShape) => Math.max(s.words.issue, s.words.acc, s.words.drain);

/**
 * One PE port's records, read in chunks (never the whole file): peek() and next() give them in
 * the order the simulator wrote them, which is cycle order.
 */
export class RecordStream {
  private fd: number;
  private buf: Buffer;
  private words: Uint32Array;
  private have = 0; // bytes in buf
  private at = 0; // word index of the next record
  private eof = false;
  private ahead: Txn | undefined;
  private readonly width: bigint;
  constructor(readonly file: string, readonly pe: number, readonly cfg: HwConfig, readonly shape = recordShape(cfg), chunkBytes = 1 << 20) {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new SimulationError(`the simulator wrote no transaction records for PE ${pe} (${file}): ${(e as Error).message}`);
    }
    const bytes = Math.max(chunkBytes, maxWords(shape) * 8) & ~3;
    this.buf = Buffer.alloc(bytes);
    this.words = new Uint32Array(this.buf.buffer, this.buf.byteOffset, bytes / 4);
    this.width = BigInt(cfg.accWidth);
  }

  peek(): Txn | undefined {
    if (!this.ahead) this.ahead = this.decode();
    return this.ahead;
  }

  next(): Txn | undefined {
    const t = this.peek();
    this.ahead = undefined;
    return t;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** The next drained row, stepping over the other records without decoding them. */
  nextDrain(): Extract<Txn, { kind: 'drain' }> | undefined {
    for (;;) {
      if (this.ahead) {
        const t = this.next()!;
        if (t.kind === 'drain') return t;
        continue;
      }
      if (!this.fill(2)) return this.next() as undefined;
      const kind = this.words[this.at + 1] & 0xff;
      if (kind === RECORD_KIND.drain) return this.next() as Extract<Txn, { kind: 'drain' }>;
      const size = kind === RECORD_KIND.issue ? this.shape.words.issue : kind === RECORD_KIND.acc ? this.shape.words.acc : 0;
      if (!size || !this.fill(size)) return this.next() as undefined; // decode() names the damage
      this.at += size;
    }
  }

  /** Make at least n words available from `at`; false at a clean end of file. */
  private fill(n: number): boolean {
    if ((this.have >> 2) - this.at >= n) return true;
    // Move the unread tail to the front, then read until n words are there or the file ends.
    const tail = this.have - this.at * 4;
    this.buf.copy(this.buf, 0, this.at * 4, this.have);
    this.have = tail;
    this.at = 0;
    while (!this.eof && this.have < n * 4) {
      const got = fs.readSync(this.fd, this.buf, this.have, this.buf.length - this.have, null);
      if (got === 0) this.eof = true;
      this.have += got;
    }
    return this.have >= n * 4;
  }

  private value(at: number): bigint {
    let v = 0n;
    for (let k = this.shape.accWords - 1; k >= 0; k--) v = (v << 32n) | BigInt(this.words[at + k]);
    return BigInt.asIntN(Number(this.width), v);
  }

  private decode(): Txn | undefined {
    if (!this.fill(2)) {
      if (this.have - this.at * 4 !== 0) this.damaged('it ends inside a record');
      return undefined;
    }
    const w = this.words, at = this.at;
    const cycle = w[at], head = w[at + 1], kind = head & 0xff, aux = head >>> HEAD_AUX_SHIFT;
    const { words, accWords } = this.shape;
    const size = kind === RECORD_KIND.issue ? words.issue : kind === RECORD_KIND.acc ? words.acc : kind === RECORD_KIND.drain ? words.drain : 0;
    if (!size) this.damaged(`an unknown record kind ${kind} at cycle ${cycle}`);
    if (!this.fill(size)) this.damaged('it ends inside a record');
    const a = this.at;
    this.at += size;
    const pe = this.pe;
    if (kind === RECORD_KIND.issue) return { kind: 'issue', cycle, job: -1, pe, b: w[a + 2], a: w[a + 3] };
    if (kind === RECORD_KIND.acc) return { kind: 'acc', cycle, job: -1, pe, bank: aux, row: w[a + 2], sum: this.value(a + 3) };
    const data = Array.from({ length: this.shape.banks }, (_, b) => this.value(a + 3 + b * accWords));
    return { kind: 'drain', cycle, job: -1, pe, reduced: aux === 1, row: w[a + 2], data };
  }

  private damaged(why: string): never {
    throw new SimulationError(`the transaction records ${this.file} are damaged: ${why}`);
  }
}

/** Every record of every PE port, in the canonical order (small runs and tests only: it is all in memory). */
export function readAllRecords(cfg: HwConfig, dir: string): Txn[] {
  const all: Txn[] = [];
  for (let p = 0; p < cfg.pes; p++) {
    const s = new RecordStream(recordFile(dir, p), p, cfg);
    try {
      for (let t = s.next(); t; t = s.next()) all.push(t);
    } finally {
      s.close();
    }
  }
  return all;
}

/** Order of a cycle's records in a PE's file: the issue, the writes by bank, the drain. */
const rankOf = (t: Txn) => (t.kind === 'issue' ? -1 : t.kind === 'acc' ? t.bank : 1 << 30);

/** The raw accWidth bits of v as accWords words, least significant first; returns the next index. */
function putValue(b: Uint32Array, at: number, v: bigint, width: number, accWords: number): number {
  const u = BigInt.asUintN(width, v);
  if (accWords === 1) { b[at] = Number(u); return at + 1; }
  for (let k = 0; k < accWords; k++) b[at + k] = Number((u >> BigInt(32 * k)) & 0xffffffffn);
  return at + accWords;
}

/**
 * Writes transactions in the simulator's record format, one file per PE port, so that a run
 * that matches writes byte-identical files. Transactions arrive per PE in cycle order (the
 * golden model's onTxn); a cycle's are put in the harness's order (issue, writes by bank,
 * drain) before they are encoded. Memory: one cycle and one write buffer per PE.
 */
export class RecordWriter {
  readonly files: string[];
  private fds: number[];
  private bufs: Uint32Array[];
  private fill: number[];
  private pending: Txn[][];
  private readonly shape: RecordShape;
  private readonly maxRecord: number;
  private readonly accWidth: number;
  count = 0;

  constructor(readonly cfg: HwConfig, dir: string, chunkWords = 1 << 16) {
    this.shape = recordShape(cfg);
    this.maxRecord = maxWords(this.shape);
    this.accWidth = cfg.accWidth;
    this.files = Array.from({ length: cfg.pes }, (_, p) => recordFile(dir, p));
    this.fds = this.files.map((f) => fs.openSync(f, 'w'));
    this.bufs = this.files.map(() => new Uint32Array(Math.max(chunkWords, maxWords(this.shape) * 2)));
    this.fill = this.files.map(() => 0);
    this.pending = this.files.map(() => []);
  }

  readonly write = (t: Txn): void => {
    const q = this.pending[t.pe];
    if (q.length && q[0].cycle !== t.cycle) this.flushCycle(t.pe);
    q.push(t);
    this.count++;
  };

  close(): void {
    this.pending.forEach((_, p) => this.flushCycle(p));
    this.fds.forEach((fd, p) => {
      this.flushBuf(p);
      fs.closeSync(fd);
    });
  }

  private flushCycle(p: number): void {
    const q = this.pending[p];
    if (!q.length) return;
    // The harness's order: the issue, the writes by bank, the drain (a few records: insertion sort).
    for (let i = 1; i < q.length; i++) {
      const t = q[i], r = rankOf(t);
      let j = i - 1;
      while (j >= 0 && rankOf(q[j]) > r) { q[j + 1] = q[j]; j--; }
      q[j + 1] = t;
    }
    for (const t of q) this.encode(p, t);
    q.length = 0;
  }

  private encode(p: number, t: Txn): void {
    const { words, accWords } = this.shape;
    if (this.fill[p] + this.maxRecord > this.bufs[p].length) this.flushBuf(p);
    const b = this.bufs[p], w = this.accWidth;
    let at = this.fill[p];
    b[at++] = t.cycle;
    if (t.kind === 'issue') {
      b[at++] = RECORD_KIND.issue; b[at++] = t.b; b[at++] = t.a;
    } else if (t.kind === 'acc') {
      b[at++] = RECORD_KIND.acc | (t.bank << HEAD_AUX_SHIFT); b[at++] = t.row;
      at = putValue(b, at, t.sum, w, accWords);
    } else {
      b[at++] = RECORD_KIND.drain | ((t.reduced ? 1 : 0) << HEAD_AUX_SHIFT); b[at++] = t.row;
      for (const v of t.data) at = putValue(b, at, v, w, accWords);
    }
    if (at - this.fill[p] !== words[t.kind]) throw new Error(`record of kind ${t.kind} took ${at - this.fill[p]} words, not ${words[t.kind]}`);
    this.fill[p] = at;
  }

  private flushBuf(p: number): void {
    if (!this.fill[p]) return;
    const b = this.bufs[p];
    fs.writeSync(this.fds[p], new Uint8Array(b.buffer, b.byteOffset, this.fill[p] * 4));
    this.fill[p] = 0;
  }
}

/** Are two files byte-identical? Read in chunks, never whole. */
export function sameBytes(a: string, b: string, chunkBytes = 1 << 20): boolean {
  if (fs.statSync(a).size !== fs.statSync(b).size) return false;
  const fa = fs.openSync(a, 'r'), fb = fs.openSync(b, 'r');
  try {
    const ba = Buffer.alloc(chunkBytes), bb = Buffer.alloc(chunkBytes);
    for (;;) {
      const na = fs.readSync(fa, ba, 0, chunkBytes, null), nb = fs.readSync(fb, bb, 0, chunkBytes, null);
      if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      if (na === 0) return true;
    }
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}
