/**
 * Two's-complement accumulator arithmetic, matching the RTL: operands are signed
 * integers of up to 32 bits, products are full 64-bit, and every accumulation
 * wraps at the accumulator width (8..64 bits).
 */

/** Storage for a vector of accumulators: int32 up to 32 bits, int64 above. */
export type AccVec = Int32Array | BigInt64Array;

export function wrapSigned(x: bigint, width: number): bigint {
  return BigInt.asIntN(width, x);
}

/** True when x is an integer representable in `width` signed bits. */
export function fitsSigned(x: number, width: number): boolean {
  const half = 2 ** (width - 1);
  return Number.isInteger(x) && x >= -half && x <= half - 1;
}

/** numpy dtype of a result tensor: int32 when the accumulator fits, else int64. */
export function dtypeForWidth(width: number): 'i4' | 'i8' {
  return width <= 32 ? 'i4' : 'i8';
}

export class AccArith {
  /** Shift that sign-extends bit (width-1) of an int32 (fast path only). */
  private readonly sh: number;
  private readonly fast: boolean;

  constructor(readonly width: number) {
    if (!Number.isInteger(width) || width < 8 || width > 64) {
      throw new Error(`AccArith: width ${width} out of range 8..64`);
    }
    this.fast = width <= 32;
    this.sh = 32 - width;
  }

  alloc(n: number): AccVec {
    return this.fast ? new Int32Array(n) : new BigInt64Array(n);
  }

  /** vec[i] = wrap(vec[i] + a*b). */
  mac(vec: AccVec, i: number, a: number, b: number): void {
    if (this.fast) {
      // Everything is exact mod 2^32 (Math.imul gives the low 32 product bits,
      // `| 0` the low 32 sum bits), and width <= 32, so truncating afterwards
      // is the same as wrapping the exact value.
      const v = vec as Int32Array;
      const s = (v[i] + Math.imul(a, b)) | 0;
      v[i] = (s << this.sh) >> this.sh;
    } else {
      const v = vec as BigInt64Array;
      v[i] = BigInt.asIntN(this.width, v[i] + BigInt(a) * BigInt(b));
    }
  }

  get(vec: AccVec, i: number): bigint {
    return BigInt(vec[i]);
  }

  set(vec: AccVec, i: number, v: bigint): void {
    const w = BigInt.asIntN(this.width, v);
    if (this.fast) (vec as Int32Array)[i] = Number(w);
    else (vec as BigInt64Array)[i] = w;
  }

  add(vec: AccVec, i: number, v: bigint): void {
    this.set(vec, i, this.get(vec, i) + v);
  }
}
