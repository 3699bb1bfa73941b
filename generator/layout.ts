/**
 * Bit layouts of the PE's input streams, the single source of truth for both the Verilog
 * unpacking (generator) and the stimulus packing (testbench). Fields are packed LSB first.
 * The field names are const tuples, so the golden model's types (JobDesc, Element) are derived
 * from them; the widths are computed from the config.
 */
import { type HwConfig, derive, clog2 } from './config.ts';

export interface Field<N extends string = string> { name: N; width: number; signed: boolean; doc: string }
export interface Layout<N extends string = string> { fields: Field<N>[]; width: number; offsets: Record<string, number> }
/** A field without its name: what a layout states per name. */
type FieldSpec = Omit<Field, 'name'>;

/** Lay out the fields in the order of `names` (LSB first). */
function layoutOf<N extends string>(names: readonly N[], specs: Record<N, FieldSpec>): Layout<N> {
  const fields = names.map((name) => ({ name, ...specs[name] }));
  const offsets: Record<string, number> = {};
  let at = 0;
  for (const f of fields) {
    offsets[f.name] = at;
    at += f.width;
  }
  return { fields, width: at, offsets };
}

/** The job descriptor's fields, LSB first. */
export const JOB_FIELDS = [
  'nA', 'nB', 'signA', 'signB', 'matchEn', 'drain', 'winTag',
  'offY', 'offX', 'limY', 'limX', 'strideAC', 'strideBC', 'offAddr', 'drainRows',
] as const;
export type JobFieldName = (typeof JOB_FIELDS)[number];

/** What af_array reads of a PE's job word, above the PE's descriptor (LSB first). */
export const ARRAY_FIELDS = ['bcast', 'reduce', 'groupLog'] as const;
export type ArrayFieldName = (typeof ARRAY_FIELDS)[number];

/** One lane's fields, LSB first. */
export const LANE_FIELDS = ['val', 'x', 'y', 'c', 'g', 'lv'] as const;
export type LaneFieldName = (typeof LANE_FIELDS)[number];

/**
 * The job descriptor. The PE has no notion of fwd/bwd/wgrad/matmul: the mapper lowers a
 * layer mode into these affine registers, so one build serves every mode.
 *   oy = (signA ? -A.y : A.y) + (signB ? -B.y : B.y) + offY, likewise ox
 *   valid = laneA & laneB & 0 <= oy < limY & 0 <= ox < limX & (!matchEn | A.g == B.g)
 *   addr = A.c*strideAC + B.c*strideBC + (+/-)(A.y*limX + A.x) + (+/-)(B.y*limX + B.x) + offAddr   (mod 2^addrWidth)
 * which equals the linear accumulator address c*limY*limX + oy*limX + ox of every valid product.
 */
export function jobLayout(cfg: HwConfig): Layout<JobFieldName> {
  const d = derive(cfg);
  return layoutOf(JOB_FIELDS, {
    nA: { width: d.aCountWidth, signed: false, doc: 'A vectors to load' },
    nB: { width: d.bCountWidth, signed: false, doc: 'B vectors to load' },
    signA: { width: 1, signed: false, doc: 'negate A.y, A.x (and the A spatial address term)' },
    signB: { width: 1, signed: false, doc: 'negate B.y, B.x (and the B spatial address term)' },
    matchEn: { width: 1, signed: false, doc: 'require A.g == B.g (stride phase, packed contraction index)' },
    drain: { width: 1, signed: false, doc: 'drain (and clear) the accumulators after this job' },
    winTag: { width: 1, signed: false, doc: 'ANT window along match tags (packed matmul) instead of rows' },
    offY: { width: d.ocWidth, signed: true, doc: 'output row offset' },
    offX: { width: d.ocWidth, signed: true, doc: 'output column offset' },
    limY: { width: cfg.coordWidth + 1, signed: false, doc: 'output tile rows' },
    limX: { width: cfg.coordWidth + 1, signed: false, doc: 'output tile columns' },
    strideAC: { width: d.addrWidth, signed: false, doc: 'address step per A channel' },
    strideBC: { width: d.addrWidth, signed: false, doc: 'address step per B channel' },
    offAddr: { width: d.addrWidth, signed: false, doc: 'offY*limX + offX modulo 2^addrWidth' },
    drainRows: { width: clog2(cfg.bankDepth + 1), signed: false, doc: 'accumulator rows to drain' },
  });
}

/** One lane of an operand vector. */
export function laneLayout(cfg: HwConfig): Layout<LaneFieldName> {
  return layoutOf(LANE_FIELDS, {
    val: { width: cfg.dataWidth, signed: true, doc: 'non-zero value' },
    x: { width: cfg.coordWidth, signed: false, doc: 'column coordinate' },
    y: { width: cfg.coordWidth, signed: false, doc: 'row coordinate' },
    c: { width: cfg.chanWidth, signed: false, doc: 'channel coordinate' },
    g: { width: cfg.tagWidth, signed: false, doc: 'match tag' },
    lv: { width: 1, signed: false, doc: 'lane holds an element' },
  });
}

/** Pack named field values (bigint or number) into one bigint, LSB first. */
export function pack<N extends string>(layout: Layout<N>, values: Partial<Record<N, number | bigint>>): bigint {
  let word = 0n;
  for (const f of layout.fields) {
    const v = BigInt(values[f.name] ?? 0n);
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

/**
 * The array's fields of a PE's job word, {groupLog, reduce, bcast} above the PE's descriptor
 * (af_array passes the low jobLayout(cfg).width bits on to the PE).
 */
export function arrayJobLayout(cfg: HwConfig): Layout<ArrayFieldName> {
  return layoutOf(ARRAY_FIELDS, {
    bcast: { width: 1, signed: false, doc: 'B comes from stream 0, in lockstep: every PE takes the job in the same cycle' },
    reduce: { width: 1, signed: false, doc: 'the drain is summed over an aligned group of PEs, on the group\'s first port' },
    groupLog: { width: Math.max(1, clog2(clog2(cfg.pes) + 1)), signed: false, doc: 'log2 of the reduction group\'s PEs' },
  });
}
