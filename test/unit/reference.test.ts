import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { dump } from 'npyjs';
import { AccArith, dtypeForWidth, fitsSigned, wrapSigned } from '../../golden/model/arith.ts';
import { at, size, strides, tensorEquals, zeros, type AccTensor, type Tensor } from '../../golden/workload/tensor.ts';
import { convBwd, convFwd, convWgrad, matmul, outSize, type ConvGeom } from '../../golden/reference/reference.ts';
import { readNpyTensor, writeNpyAtomic } from '../../golden/workload/npy.ts';
import { TensorFileError } from '../../generator/errors.ts';

/** Small deterministic PRNG (mulberry32), uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randInt = (rng: () => number, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/** Sparse signed values of `dataWidth` bits, with occasional extremes of that width. */
function randTensor(rng: () => number, shape: number[], dataWidth: number, density = 0.5): Tensor {
  const t = zeros(shape);
  const lo = -(2 ** (dataWidth - 1)), hi = 2 ** (dataWidth - 1) - 1;
  for (let i = 0; i < t.data.length; i++) {
    if (rng() >= density) continue;
    const u = rng();
    t.data[i] = u < 0.05 ? lo : u < 0.1 ? hi : randInt(rng, lo, hi);
  }
  return t;
}

/** Expected result tensor from exact BigInt sums, wrapped once at the end. */
function accTensor(shape: number[], exact: bigint[], width: number): AccTensor {
  const arith = new AccArith(width);
  const data = arith.alloc(exact.length);
  exact.forEach((v, i) => arith.set(data, i, v));
  return { shape, data, width };
}

// ---- Independent brute-force formulations (im2col lowering and gathering) ----

/** im2col: rows (n,y,x), columns (c,r,s); padded positions are 0. */
function lower(X: Tensor, g: ConvGeom): { rows: number; cols: number; L: bigint[] } {
  const { P, Q } = outSize(g);
  const rows = g.N * P * Q, cols = g.C * g.R * g.S;
  const L: bigint[] = new Array(rows * cols).fill(0n);
  for (let n = 0; n < g.N; n++) for (let y = 0; y < P; y++) for (let x = 0; x < Q; x++) {
    const row = (n * P + y) * Q + x;
    for (let c = 0; c < g.C; c++) for (let r = 0; r < g.R; r++) for (let s = 0; s < g.S; s++) {
      const h = y * g.stride + r - g.pad, w = x * g.stride + s - g.pad;
      if (h >= 0 && h < g.H && w >= 0 && w < g.W) L[row * cols + (c * g.R + r) * g.S + s] = BigInt(at(X, n, c, h, w));
    }
  }
  return { rows, cols, L };
}

/** Y = lower(X) · W^T, reshaped from (n,y,x)×k to N,K,P,Q. */
function bruteFwd(X: Tensor, Wt: Tensor, g: ConvGeom): bigint[] {
  const { P, Q } = outSize(g);
  const { rows, cols, L } = lower(X, g);
  const Y: bigint[] = new Array(g.N * g.K * P * Q).fill(0n);
  for (let row = 0; row < rows; row++) {
    const n = Math.floor(row / (P * Q)), yx = row % (P * Q);
    for (let k = 0; k < g.K; k++) {
      let acc = 0n;
      for (let j = 0; j < cols; j++) acc += L[row * cols + j] * BigInt(Wt.data[k * cols + j]);
      Y[(n * g.K + k) * P * Q + yx] = acc;
    }
  }
  return Y;
}

/** dX gathered per input position: the taps (r,s) and outputs (y,x) with y*u + r - p = h. */
function bruteBwd(dY: Tensor, Wt: Tensor, g: ConvGeom): bigint[] {
  const { P, Q } = outSize(g);
  const dX: bigint[] = [];
  for (let n = 0; n < g.N; n++) for (let c = 0; c < g.C; c++) for (let h = 0; h < g.H; h++) for (let w = 0; w < g.W; w++) {
    let acc = 0n;
    for (let k = 0; k < g.K; k++) for (let r = 0; r < g.R; r++) for (let s = 0; s < g.S; s++) {
      const ty = h + g.pad - r, tx = w + g.pad - s;
      if (ty % g.stride !== 0 || tx % g.stride !== 0) continue;
      const y = ty / g.stride, x = tx / g.stride;
      if (y < 0 || y >= P || x < 0 || x >= Q) continue;
      acc += BigInt(at(Wt, k, c, r, s)) * BigInt(at(dY, n, k, y, x));
    }
    dX.push(acc);
  }
  return dX;
}

/** dW = dY^T · lower(X), with dY viewed as (n,y,x)×k. */
function bruteWgrad(X: Tensor, dY: Tensor, g: ConvGeom): bigint[] {
  const { P, Q } = outSize(g);
  const { rows, cols, L } = lower(X, g);
  const dW: bigint[] = new Array(g.K * cols).fill(0n);
  for (let k = 0; k < g.K; k++) for (let j = 0; j < cols; j++) {
    let acc = 0n;
    for (let row = 0; row < rows; row++) {
      const n = Math.floor(row / (P * Q)), yx = row % (P * Q);
      acc += BigInt(dY.data[(n * g.K + k) * P * Q + yx]) * L[row * cols + j];
    }
    dW[k * cols + j] = acc;
  }
  return dW;
}

const dot = (a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>) => {
  let s = 0n;
  for (let i = 0; i < a.length; i++) s += BigInt(a[i]) * BigInt(b[i]);
  return s;
};

// -------------------------------------------------------------------------------

describe('arith', () => {
  const WIDTHS = [8, 16, 24, 31, 32, 33, 48, 64];
  const EXTREMES = [INT32_MIN, INT32_MAX, INT32_MIN + 1, -1, 0, 1];

  it.each(WIDTHS)('mac equals BigInt.asIntN(width, acc + a*b) at width %i', (width) => {
    const rng = mulberry32(width);
    const arith = new AccArith(width);
    const vec = arith.alloc(4);
    const model = [0n, 0n, 0n, 0n];
    const operand = () => (rng() < 0.3 ? pick(rng, EXTREMES) : randInt(rng, INT32_MIN, INT32_MAX));
    for (let step = 0; step < 3000; step++) {
      const i = step % 4, a = operand(), b = operand();
      if (step % 500 === 0) { // also start from arbitrary (wrapped) accumulator values
        const v = BigInt(randInt(rng, INT32_MIN, INT32_MAX)) << BigInt(randInt(rng, 0, 40));
        arith.set(vec, i, v);
        model[i] = BigInt.asIntN(width, v);
      }
      arith.mac(vec, i, a, b);
      model[i] = BigInt.asIntN(width, model[i] + BigInt(a) * BigInt(b));
      expect(arith.get(vec, i)).toBe(model[i]);
    }
    // Extremes explicitly: every pair, repeated to push the accumulator around.
    const v1 = arith.alloc(1);
    let m = 0n;
    for (const a of EXTREMES) for (const b of EXTREMES) for (let rep = 0; rep < 3; rep++) {
      arith.mac(v1, 0, a, b);
      m = BigInt.asIntN(width, m + BigInt(a) * BigInt(b));
      expect(arith.get(v1, 0)).toBe(m);
    }
    arith.add(v1, 0, 1n << 70n);
    expect(arith.get(v1, 0)).toBe(BigInt.asIntN(width, m + (1n << 70n)));
  });

  it('storage and helpers', () => {
    expect(new AccArith(32).alloc(2)).toBeInstanceOf(Int32Array);
    expect(new AccArith(33).alloc(2)).toBeInstanceOf(BigInt64Array);
    expect(dtypeForWidth(32)).toBe('i4');
    expect(dtypeForWidth(33)).toBe('i8');
    expect(wrapSigned(128n, 8)).toBe(-128n);
    expect(wrapSigned(-129n, 8)).toBe(127n);
    expect(fitsSigned(127, 8)).toBe(true);
    expect(fitsSigned(128, 8)).toBe(false);
    expect(fitsSigned(-128, 8)).toBe(true);
    expect(fitsSigned(-129, 8)).toBe(false);
    expect(fitsSigned(1.5, 8)).toBe(false);
    expect(fitsSigned(INT32_MIN, 32)).toBe(true);
    expect(() => new AccArith(7)).toThrow();
    expect(() => new AccArith(65)).toThrow();
  });
});

describe('tensor helpers', () => {
  it('size, strides, at, tensorEquals', () => {
    expect(size([2, 3, 4])).toBe(24);
    expect(size([])).toBe(1);
    expect(strides([2, 3, 4])).toEqual([12, 4, 1]);
    const t = zeros([2, 3]);
    t.data[5] = 7;
    expect(at(t, 1, 2)).toBe(7);
    expect(() => at(t, 2, 0)).toThrow();
    const a = accTensor([2, 2], [1n, 2n, 3n, 4n], 48);
    const b = accTensor([2, 2], [1n, 2n, 3n, 5n], 48);
    expect(at(a, 1, 1)).toBe(4n);
    expect(tensorEquals(a, a)).toEqual({ equal: true, mismatches: 0 });
    expect(tensorEquals(a, b)).toEqual({ equal: false, mismatches: 1, first: { index: [1, 1], expected: 4n, actual: 5n } });
    // int32 and int64 storage holding the same values compare equal
    expect(tensorEquals(accTensor([2, 2], [1n, 2n, 3n, 4n], 32), a).equal).toBe(true);
    expect(tensorEquals(a, accTensor([4], [1n, 2n, 3n, 4n], 48)).equal).toBe(false);
  });
});

describe('reference', () => {
  it('hand-computed forward example', () => {
    const X: Tensor = { shape: [1, 1, 3, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const Wt: Tensor = { shape: [1, 1, 2, 2], data: Int32Array.from([1, 0, 0, -1]) };
    const g: ConvGeom = { N: 1, C: 1, K: 1, H: 3, W: 3, R: 2, S: 2, stride: 1, pad: 0 };
    const Y = convFwd(X, Wt, g, new AccArith(32));
    expect(Y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(Y.data as Int32Array)).toEqual([-4, -4, -4, -4]);
    // pad 1, stride 2: only the last output's top-left tap lands inside the input
    const Y2 = convFwd(X, Wt, { ...g, pad: 1, stride: 2 }, new AccArith(32));
    expect(Y2.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(Y2.data as Int32Array)).toEqual([-1, -3, -7, 5 - 9]);
  });

  // accWidth -> operand width: narrow accumulators wrap a lot, 48 bits exercise the BigInt path.
  const CONFIGS: [number, number][] = [[32, 16], [12, 8], [48, 24]];

  it.each(CONFIGS)('conv fwd/bwd/wgrad match brute force (accWidth %i, %i-bit data)', (accWidth, dataWidth) => {
    const rng = mulberry32(1000 + accWidth);
    const arith = new AccArith(accWidth);
    let cases = 0, asym = 0;
    for (const stride of [1, 2, 3]) for (const pad of [0, 1, 2]) for (let rep = 0; rep < 3; rep++) {
      let g: ConvGeom;
      do {
        g = {
          N: randInt(rng, 1, 3), C: randInt(rng, 1, 4), K: randInt(rng, 1, 4),
          H: randInt(rng, 1, 9), W: randInt(rng, 1, 9),
          R: pick(rng, [1, 3, 5]), S: pick(rng, [1, 3, 5]), stride, pad,
        };
        if (rep === 0 && g.R === g.S) g.S = g.R === 5 ? 3 : g.R + 2; // make sure R != S shows up
      } while (outSize(g).P < 1 || outSize(g).Q < 1);
      const { P, Q } = outSize(g);
      const density = pick(rng, [0.2, 0.5, 0.9]);
      const X = randTensor(rng, [g.N, g.C, g.H, g.W], dataWidth, density);
      const Wt = randTensor(rng, [g.K, g.C, g.R, g.S], dataWidth, density);
      const dY = randTensor(rng, [g.N, g.K, P, Q], dataWidth, density);
      const ctx = JSON.stringify(g);

      const Y = convFwd(X, Wt, g, arith);
      expect(Y.shape, ctx).toEqual([g.N, g.K, P, Q]);
      expect(tensorEquals(accTensor(Y.shape, bruteFwd(X, Wt, g), accWidth), Y), ctx).toEqual({ equal: true, mismatches: 0 });

      const dX = convBwd(dY, Wt, g, arith);
      expect(dX.shape, ctx).toEqual([g.N, g.C, g.H, g.W]);
      expect(tensorEquals(accTensor(dX.shape, bruteBwd(dY, Wt, g), accWidth), dX), ctx).toEqual({ equal: true, mismatches: 0 });

      const dW = convWgrad(X, dY, g, arith);
      expect(dW.shape, ctx).toEqual([g.K, g.C, g.R, g.S]);
      expect(tensorEquals(accTensor(dW.shape, bruteWgrad(X, dY, g), accWidth), dW), ctx).toEqual({ equal: true, mismatches: 0 });

      cases++;
      if (g.R !== g.S) asym++;
    }
    expect(cases).toBe(27);
    expect(asym).toBeGreaterThan(0);
  });

  it('adjoint identity <fwd(X,W),dY> = <X,bwd(dY,W)> = <W,wgrad(X,dY)> without overflow', () => {
    const rng = mulberry32(7);
    const arith = new AccArith(64);
    for (let t = 0; t < 20; t++) {
      let g: ConvGeom;
      do {
        g = { N: randInt(rng, 1, 2), C: randInt(rng, 1, 3), K: randInt(rng, 1, 3), H: randInt(rng, 1, 8), W: randInt(rng, 1, 8),
          R: pick(rng, [1, 2, 3, 5]), S: pick(rng, [1, 3, 4]), stride: randInt(rng, 1, 3), pad: randInt(rng, 0, 2) };
      } while (outSize(g).P < 1 || outSize(g).Q < 1);
      const { P, Q } = outSize(g);
      const X = randTensor(rng, [g.N, g.C, g.H, g.W], 8), Wt = randTensor(rng, [g.K, g.C, g.R, g.S], 8), dY = randTensor(rng, [g.N, g.K, P, Q], 8);
      const lhs = dot(convFwd(X, Wt, g, arith).data, dY.data);
      expect(dot(X.data, convBwd(dY, Wt, g, arith).data)).toBe(lhs);
      expect(dot(Wt.data, convWgrad(X, dY, g, arith).data)).toBe(lhs);
    }
  });

  it.each(CONFIGS)('matmul matches brute force (accWidth %i, %i-bit data)', (accWidth, dataWidth) => {
    const rng = mulberry32(2000 + accWidth);
    const arith = new AccArith(accWidth);
    for (let t = 0; t < 15; t++) {
      const M = randInt(rng, 1, 9), K = randInt(rng, 1, 40), N = randInt(rng, 1, 9);
      const A = randTensor(rng, [M, K], dataWidth, 0.5), B = randTensor(rng, [K, N], dataWidth, 0.5);
      const exact: bigint[] = [];
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
        let acc = 0n;
        for (let k = 0; k < K; k++) acc += BigInt(at(A, m, k)) * BigInt(at(B, k, n));
        exact.push(acc);
      }
      const Cm = matmul(A, B, arith);
      expect(tensorEquals(accTensor([M, N], exact, accWidth), Cm)).toEqual({ equal: true, mismatches: 0 });
    }
  });

  it('rejects misuse with a plain Error', () => {
    const g: ConvGeom = { N: 1, C: 1, K: 1, H: 3, W: 3, R: 3, S: 3, stride: 1, pad: 0 };
    const arith = new AccArith(32);
    expect(() => convFwd(zeros([1, 1, 3, 4]), zeros([1, 1, 3, 3]), g, arith)).toThrow(/shape \[1,1,3,4\], expected \[1,1,3,3\]/);
    expect(() => convFwd(zeros([1, 1, 3, 3]), zeros([1, 1, 3, 3]), { ...g, R: 5 }, arith)).toThrow(/empty output/);
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]), arith)).toThrow(Error);
  });
});

describe('npy', () => {
  let dir = '';
  beforeAll(() => { dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'antforge-npy-')); });
  afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });
  const file = (name: string) => nodePath.join(dir, name);
  const writeRaw = (name: string, bytes: ArrayBuffer | Uint8Array | string) => {
    fs.writeFileSync(file(name), typeof bytes === 'string' ? bytes : new Uint8Array(bytes as ArrayBuffer));
    return file(name);
  };

  /** Expect a TensorFileError whose message names the file (and matches `re`). */
  function expectTensorError(path: string, opts: Parameters<typeof readNpyTensor>[1], re: RegExp): string {
    let err: unknown;
    try { readNpyTensor(path, opts); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TensorFileError);
    const msg = (err as Error).message;
    expect(msg).toContain(nodePath.basename(path));
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
    return msg;
  }

  it('round trips int32 and int64, atomically', () => {
    const t: Tensor = { shape: [2, 3, 4], data: Int32Array.from({ length: 24 }, (_, i) => (i - 12) * 150_000_000) };
    t.data[23] = INT32_MAX;
    t.data[0] = INT32_MIN;
    writeNpyAtomic(file('a.npy'), t);
    const back = readNpyTensor(file('a.npy'), { name: 'activations', shape: [2, 3, 4], dataWidth: 32 });
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    expect(fs.readFileSync(file('a.npy')).subarray(0, 64).toString('latin1')).toContain("'descr':'<i4'");

    const acc = accTensor([3, 2], [5n, -7n, 0n, BigInt(INT32_MIN), BigInt(INT32_MAX), 1n], 48);
    writeNpyAtomic(file('y.npy'), acc);
    expect(fs.readFileSync(file('y.npy')).subarray(0, 64).toString('latin1')).toContain("'descr':'<i8'");
    const back64 = readNpyTensor(file('y.npy'), { name: 'outputs', dataWidth: 32 });
    expect(back64.shape).toEqual([3, 2]);
    expect(Array.from(back64.data)).toEqual([5, -7, 0, INT32_MIN, INT32_MAX, 1]);
    // an int64 beyond the data width is rejected
    writeNpyAtomic(file('big.npy'), accTensor([2], [1n, 1n << 40n], 64));
    expectTensorError(file('big.npy'), { name: 'outputs', dataWidth: 32 }, /1099511627776 at \[1\].*allowed: -2147483648\.\.2147483647/);

    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('accepts small integer dtypes, integral floats and Fortran order', () => {
    const u8 = readNpyTensor(writeRaw('u8.npy', dump(Uint8Array.from([0, 5, 127]), [3])), { name: 'x', dataWidth: 8 });
    expect(Array.from(u8.data)).toEqual([0, 5, 127]);
    const i16 = readNpyTensor(writeRaw('i16.npy', dump(Int16Array.from([-300, 300]), [1, 2])), { name: 'x', dataWidth: 10 });
    expect(Array.from(i16.data)).toEqual([-300, 300]);
    const f = readNpyTensor(writeRaw('f.npy', dump(Float64Array.from([-3, 0, 4]), [3])), { name: 'x', dataWidth: 8 });
    expect(Array.from(f.data)).toEqual([-3, 0, 4]);

    // Column-major [[1,2,3],[4,5,6]] is stored as 1,4,2,5,3,6.
    const fort = Buffer.from(dump(Int32Array.from([1, 4, 2, 5, 3, 6]), [2, 3]));
    const pos = fort.indexOf("'fortran_order':False");
    fort.write("'fortran_order':True ", pos, 'latin1');
    const ft = readNpyTensor(writeRaw('fortran.npy', fort), { name: 'x', shape: [2, 3], dataWidth: 8 });
    expect(Array.from(ft.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('missing file', () => {
    expectTensorError(file('missing.npy'), { name: 'weights', dataWidth: 8 }, /not found.*weights/);
  });

  it('truncated file', () => {
    const full = new Uint8Array(dump(Int32Array.from({ length: 36 }, (_, i) => i), [4, 3, 3]));
    expectTensorError(writeRaw('trunc.npy', full.subarray(0, full.length - 6)), { name: 'weights', dataWidth: 8 }, /truncated.*needs 144 data bytes, the file has 138/);
    expectTensorError(writeRaw('trunc-header.npy', full.subarray(0, 30)), { name: 'weights', dataWidth: 8 }, /truncated/);
  });

  it('wrong shape', () => {
    const p = writeRaw('weights.npy', dump(new Int32Array(12), [3, 4]));
    const msg = expectTensorError(p, { name: 'weights', shape: [4, 3, 3, 3], axes: 'K,C,R,S', dataWidth: 8 }, /shape \[3,4\] does not match/);
    expect(msg).toBe(`${p}: shape [3,4] does not match the workload's weights shape [4,3,3,3] (K,C,R,S)`);
  });

  it('float with fractions', () => {
    const p = writeRaw('activations.npy', dump(Float32Array.from([1, 2.5, 3]), [3]));
    expectTensorError(p, { name: 'activations', dataWidth: 8 }, /dtype float32 has non-integer values.*first 2\.5 at \[1\].*allowed: integer dtypes/);
  });

  it('value out of range for dataWidth 8', () => {
    const p = writeRaw('range.npy', dump(Int32Array.from([1, -128, 300, -129]), [2, 2]));
    expectTensorError(p, { name: 'weights', dataWidth: 8 }, /2 value\(s\) .* do not fit in 8-bit signed data \(first 300 at \[1,0\]\); allowed: -128\.\.127/);
    expectTensorError(writeRaw('u1.npy', dump(Uint8Array.from([128]), [1])), { name: 'weights', dataWidth: 8 }, /first 128 at \[0\]/);
  });

  it('not an npy file, or an unsupported dtype', () => {
    expectTensorError(writeRaw('text.npy', 'hello, this is not numpy\n'), { name: 'weights', dataWidth: 8 }, /not an \.npy file/);
    expectTensorError(writeRaw('empty.npy', ''), { name: 'weights', dataWidth: 8 }, /not an \.npy file/);
    expectTensorError(writeRaw('c8.npy', dump(Float32Array.from([1, 0]), [1], { dtype: 'c8' })), { name: 'weights', dataWidth: 8 }, /dtype complex64 is not allowed.*allowed: integer dtypes/);
    fs.mkdirSync(file('dir.npy'));
    expectTensorError(file('dir.npy'), { name: 'weights', dataWidth: 8 }, /folder/);
  });
});
