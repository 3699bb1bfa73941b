/**
 * Bit layouts of the PE's input streams, the single source of truth for both the Verilog
 * unpacking (generator) and the stimulus packing (testbench). Fields are packed LSB first.
 */
import { type HwConfig, derive, clog2 } from './config.ts';

export interface Field { name: string; width: number; signed: boolean; doc: string }
export interface Layout { fields: Field[]; width: number; offsets: Record<string, number> }

function layoutOf(fields: Field[]): Layout {
  const offsets: Record<string, number> = {};
  let at = 0;
  for (const f of fields) {
    offsets[f.name] = at;
    at += f.width;
  }
  return { fields, width: at, offsets };
}

/**
 * The job descriptor. The PE has no notion of fwd/bwd/wgrad/matmul: the mapper lowers a
 * layer mode into these affine registers, so one build serves every mode.
 *   oy = (signA ? -A.y : A.y) + (signB ? -B.y : B.y) + offY, likewise ox
 *   valid = laneA & laneB & 0 <= oy < limY & 0 <= ox < limX & (!matchEn | A.g == B.g)
 *   addr = A.c*strideAC + B.c*strideBC + (+/-)(A.y*limX + A.x) + (+/-)(B.y*limX + B.x) + offAddr   (mod 2^addrWidth)
 * which equals the linear accumulator address c*limY*limX + oy*limX + ox of every valid product.
 */
export function jobLayout(cfg: HwConfig): Layout {
  const d = derive(cfg);
  return layoutOf([
    { name: 'nA', width: d.aCountWidth, signed: false, doc: 'A vectors to load' },
    { name: 'nB', width: d.bCountWidth, signed: false, doc: 'B vectors to load' },
    { name: 'signA', width: 1, signed: false, doc: 'negate A.y, A.x (and the A spatial address term)' },
    { name: 'signB', width: 1, signed: false, doc: 'negate B.y, B.x (and the B spatial address term)' },
    { name: 'matchEn', width: 1, signed: false, doc: 'require A.g == B.g (stride phase, packed contraction index)' },
    { name: 'drain', width: 1, signed: false, doc: 'drain (and clear) the accumulators after this job' },
    { name: 'winTag', width: 1, signed: false, doc: 'ANT window along match tags (packed matmul) instead of rows' },
    { name: 'offY', width: d.ocWidth, signed: true, doc: 'output row offset' },
    { name: 'offX', width: d.ocWidth, signed: true, doc: 'output column offset' },
    { name: 'limY', width: cfg.coordWidth + 1, signed: false, doc: 'output tile rows' },
    { name: 'limX', width: cfg.coordWidth + 1, signed: false, doc: 'output tile columns' },
    { name: 'strideAC', width: d.addrWidth, signed: false, doc: 'address step per A channel' },
    { name: 'strideBC', width: d.addrWidth, signed: false, doc: 'address step per B channel' },
    { name: 'offAddr', width: d.addrWidth, signed: false, doc: 'offY*limX + offX modulo 2^addrWidth' },
    { name: 'drainRows', width: clog2(cfg.bankDepth + 1), signed: false, doc: 'accumulator rows to drain' },
  ]);
}

/** One lane of an operand vector. */
export function laneLayout(cfg: HwConfig): Layout {
  return layoutOf([
    { name: 'val', width: cfg.dataWidth, signed: true, doc: 'non-zero value' },
    { name: 'x', width: cfg.coordWidth, signed: false, doc: 'column coordinate' },
    { name: 'y', width: cfg.coordWidth, signed: false, doc: 'row coordinate' },
    { name: 'c', width: cfg.chanWidth, signed: false, doc: 'channel coordinate' },
    { name: 'g', width: cfg.tagWidth, signed: false, doc: 'match tag' },
    { name: 'lv', width: 1, signed: false, doc: 'lane holds an element' },
  ]);
}

/** Pack named field values (bigint or number) into one bigint, LSB first. */
export function pack(layout: Layout, values: Record<string, number | bigint>): bigint {
  let word = 0n;
  for (const f of layout.fields) {
    const v = BigInt(values[f.name] ?? 0);
    const lo = f.signed ? -(1n << BigInt(f.width - 1)) : 0n;
    const hi = f.signed ? (1n << BigInt(f.width - 1)) - 1n : (1n << BigInt(f.width)) - 1n;
    if (v < lo || v > hi) throw new RangeError(`field ${f.name}=${v} does not fit ${f.width} ${f.signed ? 'signed' : 'unsigned'} bits`);
    word |= BigInt.asUintN(f.width, v) << BigInt(layout.offsets[f.name]);
  }
  return word;
}

/** Does value v fit field f? */
export function fits(f: Field, v: number): boolean {
  return f.signed ? v >= -(2 ** (f.width - 1)) && v < 2 ** (f.width - 1) : v >= 0 && v < 2 ** f.width;
}
