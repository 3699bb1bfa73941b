/**
 * .npy I/O on top of npyjs. npyjs trusts the file (a truncated file can give a
 * short array or a RangeError), so the header and byte length are checked here
 * first and every failure becomes one TensorFileError naming file and tensor.
 */
import fs from 'node:fs';
import { parse, dump, float16ToFloat32 } from 'npyjs';
import { OutputError, TensorFileError } from '../../generator/errors.ts';
import { size, strides, unravel, type AccTensor, type Tensor } from './tensor.ts';
import { writeAtomic } from '../util/atomic.ts';

export interface ReadNpyOptions {
  /** Tensor name used in messages, e.g. 'weights'. */
  name: string;
  /** Expected shape; checked when given. */
  shape?: number[];
  /** Axis letters for the expected shape in messages, e.g. 'K,C,R,S'. */
  axes?: string;
  /** Every value must fit in this many signed bits (2..32). */
  dataWidth: number;
}

export const DTYPE_NAMES: Record<string, string> = {
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64', b1: 'bool', c8: 'complex64', c16: 'complex128',
};
const ALLOWED = 'allowed: integer dtypes (int8, int16, int32, int64, uint8, uint16; uint32/uint64 when the values fit) or integral floats';
const MAGIC = '\x93NUMPY';

const dtypeName = (code: string) => DTYPE_NAMES[code] ?? code;
const fmtShape = (s: number[]) => `[${s.join(',')}]`;

/** A typed array of any dtype npyjs reads (float16 may be kept as its uint16 bits). */
export type NpyStorage = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** An .npy file as stored: dtype code ('i4', 'f2', ...), shape, and the data in C order. */
export interface NpyRaw { shape: number[]; code: string; raw: NpyStorage }

/**
 * Read and check an .npy file of any integer or float dtype; the data comes back in C order.
 * Every failure is one TensorFileError naming the file, the tensor and what is allowed.
 */
export function readNpyRaw(path: string, name: string, opts: { allowed?: string; convertFloat16?: boolean } = {}): NpyRaw {
  const allowed = opts.allowed ?? ALLOWED;
  const fail = (what: string) => new TensorFileError(`${path}: ${what}`);
  let file: Buffer;
  try {
    file = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail(`file not found (the ${name} tensor is read from it)`);
    if (code === 'EISDIR') throw fail(`is a folder, not an .npy file with the ${name} tensor`);
    throw fail(`cannot read the ${name} tensor: ${(e as Error).message}`);
  }
  // Own the bytes: a Node Buffer may be a view into a shared pool.
  const buf = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const bytes = new Uint8Array(buf);

  // Preamble: magic, version, header length (uint16 in v1, uint32 in v2/v3).
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) {
    throw fail(`not an .npy file (no ${JSON.stringify(MAGIC)} magic); the ${name} tensor must be saved with numpy.save`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}.${bytes[7]} for the ${name} tensor; allowed: 1.x to 3.x`);
  const view = new DataView(buf);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw fail(`truncated .npy header for the ${name} tensor`);
  const dataOffset = headerStart + (major === 1 ? view.getUint16(8, true) : view.getUint32(8, true));
  if (bytes.length < dataOffset) throw fail(`truncated .npy header for the ${name} tensor (${bytes.length} bytes, header ends at ${dataOffset})`);

  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataOffset));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  if (!descr || !/'shape'\s*:\s*\(/.test(header) || !/'fortran_order'\s*:/.test(header)) {
    throw fail(`malformed .npy header for the ${name} tensor (needs descr, fortran_order and shape; structured dtypes are not supported)`);
  }
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  const code = m ? m[2] + m[3] : descr;
  if (!m || !['i', 'u', 'f'].includes(m[2]) || !DTYPE_NAMES[code]) throw fail(`dtype ${dtypeName(code)} is not allowed for the ${name} tensor; ${allowed}`);
  const itemSize = Number(m[3]);
  if (itemSize > 1 && m[1] !== '<') {
    throw fail(`byte order '${m[1]}' of dtype ${descr} is not supported for the ${name} tensor; allowed: little-endian ('<'), e.g. arr.astype('<${code}')`);
  }
  if (dataOffset % itemSize !== 0) throw fail(`data of the ${name} tensor starts at byte ${dataOffset}, not aligned to its ${itemSize}-byte items; re-save it with numpy.save`);

  // Let npyjs parse only the header first: on the full buffer it would build
  // typed arrays before we know the data length is right.
  let meta;
  try {
    meta = parse(buf.slice(0, dataOffset));
  } catch (e) {
    throw fail(`malformed .npy header for the ${name} tensor: ${(e as Error).message}`);
  }
  const shape = meta.shape;
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw fail(`malformed shape in the .npy header for the ${name} tensor`);
  const want = size(shape) * itemSize, have = bytes.length - dataOffset;
  if (have < want) throw fail(`truncated: the ${name} tensor of shape ${fmtShape(shape)} and dtype ${dtypeName(code)} needs ${want} data bytes, the file has ${have}`);
  if (have > want) throw fail(`${have - want} unexpected bytes after the data of the ${name} tensor (shape ${fmtShape(shape)}, dtype ${dtypeName(code)}); the file is corrupt`);

  let raw: NpyStorage;
  try {
    raw = parse(buf, { convertFloat16: opts.convertFloat16 ?? true }).data as NpyStorage;
  } catch (e) { // not expected after the checks above
    throw fail(`cannot decode the data of the ${name} tensor: ${(e as Error).message}`);
  }
  if (meta.fortranOrder && shape.length > 1) raw = fortranToC(raw, shape);
  return { shape: [...shape], code, raw };
}

export function readNpyTensor(path: string, opts: ReadNpyOptions): Tensor {
  const { name, dataWidth } = opts;
  if (!Number.isInteger(dataWidth) || dataWidth < 2 || dataWidth > 32) throw new Error(`readNpyTensor: dataWidth ${dataWidth} out of range 2..32`);
  const fail = (what: string) => new TensorFileError(`${path}: ${what}`);
  const { shape, code, raw } = readNpyRaw(path, name);
  if (opts.shape && fmtShape(opts.shape) !== fmtShape(shape)) {
    throw fail(`shape ${fmtShape(shape)} does not match the workload's ${name} shape ${fmtShape(opts.shape)}${opts.axes ? ` (${opts.axes})` : ''}`);
  }
  const where = (i: number) => fmtShape(unravel(shape, i));
  const half = 2 ** (dataWidth - 1);
  const lo = -half, hi = half - 1;
  const loB = BigInt(lo), hiB = BigInt(hi);
  const count = raw.length;
  const out = new Int32Array(count);
  let fractional = 0, outside = 0, firstFrac = '', firstOut = '';
  for (let i = 0; i < count; i++) {
    const v = raw[i];
    if (typeof v === 'bigint') {
      if (v < loB || v > hiB) { if (outside++ === 0) firstOut = `${v} at ${where(i)}`; continue; }
      out[i] = Number(v);
    } else if (!Number.isInteger(v)) {
      if (fractional++ === 0) firstFrac = `${v} at ${where(i)}`;
    } else if (v < lo || v > hi) {
      if (outside++ === 0) firstOut = `${v} at ${where(i)}`;
    } else {
      out[i] = v;
    }
  }
  if (fractional) {
    throw fail(`dtype ${dtypeName(code)} has non-integer values in the ${name} tensor (${fractional} of them, first ${firstFrac}); ${ALLOWED}`);
  }
  if (outside) {
    throw fail(`${outside} value(s) of the ${name} tensor do not fit in ${dataWidth}-bit signed data (first ${firstOut}); allowed: ${lo}..${hi}`);
  }
  return { shape, data: out };
}

/** Reorder column-major data into row-major, any storage. */
function fortranToC<T extends NpyStorage>(src: T, shape: number[]): T {
  const dst = new (src.constructor as new (n: number) => T)(src.length);
  const cs = strides(shape);
  const idx = new Array<number>(shape.length).fill(0);
  let c = 0;
  for (let f = 0; f < src.length; f++) {
    dst[c] = src[f];
    // Next multi-index with the first axis varying fastest, tracking its C offset.
    for (let k = 0; k < shape.length; k++) {
      idx[k]++; c += cs[k];
      if (idx[k] < shape[k]) break;
      c -= cs[k] * shape[k]; idx[k] = 0;
    }
  }
  return dst;
}

/** An .npy tensor of any integer or float dtype: `raw` keeps the file's dtype (float16 as its uint16 bits), `values` its numbers. */
export interface NpyAny { shape: number[]; dtype: string; raw: NpyStorage; values: Float64Array }

const ANY_DTYPE = 'allowed: int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32, float64';

/** Read an .npy file of any integer or float dtype (checks as readNpyRaw); values must be finite. */
export function readNpyAny(path: string, name: string): NpyAny {
  // float16 stays as its bits so it can be written back unchanged.
  const { shape, code, raw } = readNpyRaw(path, name, { allowed: ANY_DTYPE, convertFloat16: false });
  const values = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = code === 'f2' ? float16ToFloat32(raw[i] as number) : Number(raw[i]);
    if (!Number.isFinite(v)) throw new TensorFileError(`${path}: value ${v} at ${fmtShape(unravel(shape, i))} of the ${name} tensor is not finite; allowed: finite numbers`);
    values[i] = v;
  }
  return { shape, dtype: code, raw, values };
}

/** The bytes of an .npy file of this dtype and shape (C order). */
export function npyBytes(raw: NpyStorage, shape: number[], dtype: string): Uint8Array {
  return new Uint8Array(dump(raw, shape, dtype === 'f2' ? { dtype: 'f2' } : undefined));
}

/** The "cannot write" message of every .npy output. */
export const npyWriteFailure = (file: string, why: string) => new OutputError(`${file}: cannot write the .npy file: ${why}`);

/** Write int32 ('<i4') or int64 ('<i8') data whole or not at all (golden/util/atomic.ts). */
export function writeNpyAtomic(path: string, t: Tensor | AccTensor): void {
  if (t.data.length !== size(t.shape)) throw new Error(`writeNpyAtomic: ${t.data.length} values for shape ${fmtShape(t.shape)}`);
  writeAtomic(path, new Uint8Array(dump(t.data, t.shape)), npyWriteFailure);
}
