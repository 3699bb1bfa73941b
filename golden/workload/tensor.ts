/** Dense row-major (C order) tensors. */
import { Rng, seedFor } from './rng.ts';

/** Operand tensor: signed integers of up to 32 bits. */
export interface Tensor { shape: number[]; data: Int32Array }

/** Result tensor: accumulators of `width` bits (int64 storage above 32 bits). */
export interface AccTensor { shape: number[]; data: Int32Array | BigInt64Array; width: number }

export interface CompareResult {
  equal: boolean;
  mismatches: number;
  /** First differing element in row-major order (absent when the shapes differ). */
  first?: { index: number[]; expected: bigint; actual: bigint };
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function strides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
  return st;
}

export function zeros(shape: number[]): Tensor {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`zeros: bad shape [${shape}]`);
  }
  return { shape: [...shape], data: new Int32Array(size(shape)) };
}

/** Multi-index of a row-major linear offset. */
export function unravel(shape: readonly number[], offset: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) { idx[i] = offset % shape[i]; offset = Math.floor(offset / shape[i]); }
  return idx;
}

function offsetOf(shape: readonly number[], idx: number[]): number {
  if (idx.length !== shape.length) throw new Error(`at: ${idx.length} indices for a rank-${shape.length} tensor`);
  let off = 0;
  for (let i = 0; i < shape.length; i++) {
    const k = idx[i];
    if (!Number.isInteger(k) || k < 0 || k >= shape[i]) throw new Error(`at: index [${idx}] out of range for shape [${shape}]`);
    off = off * shape[i] + k;
  }
  return off;
}

/** Element at a multi-index: number for operands, bigint for results. */
export function at(t: AccTensor, ...idx: number[]): bigint;
export function at(t: Tensor, ...idx: number[]): number;
export function at(t: Tensor | AccTensor, ...idx: number[]): number | bigint {
  const v = t.data[offsetOf(t.shape, idx)];
  return 'width' in t ? BigInt(v) : v;
}

/** Element-wise comparison; `a` is the expected tensor, `b` the actual one. */
export function tensorEquals(a: AccTensor | Tensor, b: AccTensor | Tensor): CompareResult {
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!sameShape) return { equal: false, mismatches: Math.max(size(a.shape), size(b.shape)) };
  let mismatches = 0;
  let first: CompareResult['first'];
  const n = size(a.shape);
  for (let i = 0; i < n; i++) {
    const x = a.data[i], y = b.data[i];
    if (x == y) continue; // loose equality compares number with bigint by value
    if (mismatches++ === 0) first = { index: unravel(a.shape, i), expected: BigInt(x), actual: BigInt(y) };
  }
  return first ? { equal: false, mismatches, first } : { equal: true, mismatches: 0 };
}

/** The K x N matrix of a 2-D tensor, or the (C*R*S) x K_out im2col matrix of a 4-D (K_out, C, R, S) conv weight. */
export function toGemm(shape: readonly number[], v: Float64Array): { K: number; N: number; data: Float64Array } {
  if (shape.length === 2) return { K: shape[0], N: shape[1], data: v };
  const [ko, c, r, s] = shape, crs = c * r * s;
  const out = new Float64Array(v.length);
  for (let k = 0; k < ko; k++) for (let j = 0; j < crs; j++) out[j * ko + k] = v[k * crs + j];
  return { K: crs, N: ko, data: out };
}

/** A K x N mask back in the tensor's layout (inverse of toGemm). */
export function fromGemmMask(shape: readonly number[], mask: Uint8Array): Uint8Array {
  if (shape.length === 2) return mask;
  const [ko, c, r, s] = shape, crs = c * r * s;
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < ko; k++) for (let j = 0; j < crs; j++) out[k * crs + j] = mask[j * ko + k];
  return out;
}

/** Standard-normal float32 K x N matrix from a seed (Box-Muller over golden/workload/rng.ts). */
export function randomMatrix(K: number, N: number, seed: number): Float32Array {
  const rng = new Rng(seedFor(seed, 'prune'));
  const out = new Float32Array(K * N);
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.next(), u2 = rng.next();
    const rad = Math.sqrt(-2 * Math.log(u1));
    out[i] = rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = rad * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
