/** Deterministic random numbers: the same seed gives the same operands on every machine. */

/** mulberry32: small, fast, and good enough for drawing sparse operands. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** A per-tensor seed, so adding a tensor never changes the values of another. */
export function seedFor(seed: number, name: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}
