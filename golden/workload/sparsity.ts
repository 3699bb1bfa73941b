/**
 * Where the non-zeros of a sparse-training operand fall. 'uniform': each element independently
 * (pruned weights, or an idealized activation). 'clustered': activations after ReLU (and the
 * gradients they gate) come in spatial blobs, so each (n, c) plane keeps its
 * round(density * H * W) largest values of a smooth random field (coarse noise upsampled
 * bilinearly, plus a little fine noise). Both are deterministic from the seed.
 */
import { Rng } from './rng.ts';

export type SparsityPattern = 'uniform' | 'clustered';
export const SPARSITY_PATTERNS: readonly SparsityPattern[] = ['uniform', 'clustered'];

/** Non-zero positions of a tensor whose last two axes are a spatial plane. */
export function sparsityMask(shape: number[], density: number, pattern: SparsityPattern, rng: Rng): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const mask = new Uint8Array(n);
  if (pattern === 'uniform' || shape.length < 2) {
    for (let i = 0; i < n; i++) mask[i] = rng.next() < density ? 1 : 0;
    return mask;
  }
  const H = shape[shape.length - 2], W = shape[shape.length - 1];
  const plane = H * W, keep = Math.round(density * plane);
  const gh = Math.max(2, Math.round(H / 4)), gw = Math.max(2, Math.round(W / 4));
  const coarse = new Float64Array(gh * gw);
  const field = new Float64Array(plane);
  const order = new Int32Array(plane);
  for (let base = 0; base < n; base += plane) {
    for (let i = 0; i < coarse.length; i++) coarse[i] = rng.next();
    for (let y = 0; y < H; y++) {
      const fy = (y / Math.max(1, H - 1)) * (gh - 1), y0 = Math.min(gh - 2, Math.floor(fy)), ty = fy - y0;
      for (let x = 0; x < W; x++) {
        const fx = (x / Math.max(1, W - 1)) * (gw - 1), x0 = Math.min(gw - 2, Math.floor(fx)), tx = fx - x0;
        const v = (1 - ty) * ((1 - tx) * coarse[y0 * gw + x0] + tx * coarse[y0 * gw + x0 + 1]) +
          ty * ((1 - tx) * coarse[(y0 + 1) * gw + x0] + tx * coarse[(y0 + 1) * gw + x0 + 1]);
        field[y * W + x] = v + 0.25 * rng.next();
      }
    }
    for (let i = 0; i < plane; i++) order[i] = i;
    const sorted = Array.from(order).sort((a, b) => field[b] - field[a] || a - b);
    for (let k = 0; k < keep; k++) mask[base + sorted[k]] = 1;
  }
  return mask;
}
