/**
 * Dense functional reference for the three training convolutions and matmul.
 * Accumulation wraps at the accumulator width exactly like the hardware; since
 * wrapping is a ring homomorphism, the order of accumulation does not matter.
 * Zero operands are skipped: they contribute nothing.
 */
import { AccArith } from '../model/arith.ts';
import type { AccTensor, Tensor } from '../workload/tensor.ts';

export interface ConvGeom { N: number; C: number; K: number; H: number; W: number; R: number; S: number; stride: number; pad: number }

export function outSize(g: ConvGeom): { P: number; Q: number } {
  return {
    P: Math.floor((g.H + 2 * g.pad - g.R) / g.stride) + 1,
    Q: Math.floor((g.W + 2 * g.pad - g.S) / g.stride) + 1,
  };
}

function checkGeom(g: ConvGeom): { P: number; Q: number } {
  for (const k of ['N', 'C', 'K', 'H', 'W', 'R', 'S', 'stride'] as const) {
    if (!Number.isInteger(g[k]) || g[k] < 1) throw new Error(`reference: geometry ${k}=${g[k]} must be a positive integer`);
  }
  if (!Number.isInteger(g.pad) || g.pad < 0) throw new Error(`reference: geometry pad=${g.pad} must be a non-negative integer`);
  const o = outSize(g);
  if (o.P < 1 || o.Q < 1) throw new Error(`reference: empty output ${o.P}x${o.Q} for geometry ${JSON.stringify(g)}`);
  return o;
}

function checkShape(t: Tensor, want: number[], what: string): void {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new Error(`reference: ${what} has shape [${t.shape}], expected [${want}]`);
  }
  if (t.data.length !== want.reduce((a, b) => a * b, 1)) throw new Error(`reference: ${what} data length ${t.data.length} does not match shape`);
}

function result(shape: number[], arith: AccArith): AccTensor {
  return { shape, data: arith.alloc(shape.reduce((a, b) => a * b, 1)), width: arith.width };
}

/**
 * Every (input, output-gradient, weight) triple that one multiply-accumulate of the convolution
 * pairs, as flat indices into X (NCHW), Y or dY (NKPQ) and W (KCRS): input position
 * h = y*u + r - p, w = x*u + s - p inside the (unpadded) input. The three training
 * convolutions are the same triples, accumulated into a different one of the three tensors.
 */
function forEachTriple(g: ConvGeom, P: number, Q: number, fn: (xi: number, yi: number, wi: number) => void): void {
  const { N, C, K, H, W, R, S, stride: u, pad: p } = g;
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) {
    const xBase = (n * C + c) * H * W, yBase = (n * K + k) * P * Q, wBase = (k * C + c) * R * S;
    for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
      for (let y = 0; y < P; y++) {
        const h = y * u + r - p;
        if (h < 0 || h >= H) continue;
        for (let x = 0; x < Q; x++) {
          const w = x * u + s - p;
          if (w < 0 || w >= W) continue;
          fn(xBase + h * W + w, yBase + y * Q + x, wBase + r * S + s);
        }
      }
    }
  }
}

/** Forward: Y[n,k,y,x] += W[k,c,r,s] * X[n,c,h,w]. X is NCHW, Wt KCRS, Y NKPQ. */
export function convFwd(X: Tensor, Wt: Tensor, g: ConvGeom, arith: AccArith): AccTensor {
  const { P, Q } = checkGeom(g);
  checkShape(X, [g.N, g.C, g.H, g.W], 'convFwd input X');
  checkShape(Wt, [g.K, g.C, g.R, g.S], 'convFwd weights');
  const Y = result([g.N, g.K, P, Q], arith);
  forEachTriple(g, P, Q, (xi, yi, wi) => {
    const wv = Wt.data[wi], xv = X.data[xi];
    if (wv !== 0 && xv !== 0) arith.mac(Y.data, yi, wv, xv);
  });
  return Y;
}

/** Backward data: dX[n,c,h,w] += W[k,c,r,s] * dY[n,k,y,x]. dY is NKPQ, dX NCHW. */
export function convBwd(dY: Tensor, Wt: Tensor, g: ConvGeom, arith: AccArith): AccTensor {
  const { P, Q } = checkGeom(g);
  checkShape(dY, [g.N, g.K, P, Q], 'convBwd output gradient dY');
  checkShape(Wt, [g.K, g.C, g.R, g.S], 'convBwd weights');
  const dX = result([g.N, g.C, g.H, g.W], arith);
  forEachTriple(g, P, Q, (xi, yi, wi) => {
    const wv = Wt.data[wi], gv = dY.data[yi];
    if (wv !== 0 && gv !== 0) arith.mac(dX.data, xi, wv, gv);
  });
  return dX;
}

/** Weight gradient: dW[k,c,r,s] += X[n,c,h,w] * dY[n,k,y,x]. X is NCHW, dY NKPQ, dW KCRS. */
export function convWgrad(X: Tensor, dY: Tensor, g: ConvGeom, arith: AccArith): AccTensor {
  const { P, Q } = checkGeom(g);
  checkShape(X, [g.N, g.C, g.H, g.W], 'convWgrad input X');
  checkShape(dY, [g.N, g.K, P, Q], 'convWgrad output gradient dY');
  const dW = result([g.K, g.C, g.R, g.S], arith);
  forEachTriple(g, P, Q, (xi, yi, wi) => {
    const xv = X.data[xi], gv = dY.data[yi];
    if (xv !== 0 && gv !== 0) arith.mac(dW.data, wi, xv, gv);
  });
  return dW;
}

/** C[m,n] += A[m,k] * B[k,n]. */
export function matmul(A: Tensor, B: Tensor, arith: AccArith): AccTensor {
  if (A.shape.length !== 2 || B.shape.length !== 2) throw new Error(`reference: matmul needs 2-D operands, got [${A.shape}] and [${B.shape}]`);
  const [M, K] = A.shape;
  const N = B.shape[1];
  checkShape(A, [M, K], 'matmul A');
  checkShape(B, [K, N], 'matmul B');
  const Cm = result([M, N], arith);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) {
    const a = A.data[m * K + k];
    if (a === 0) continue;
    for (let n = 0; n < N; n++) {
      const b = B.data[k * N + n];
      if (b !== 0) arith.mac(Cm.data, m * N + n, a, b);
    }
  }
  return Cm;
}
