/**
 * Streaming VCD sampler: turns a simulation waveform into one sample per clock cycle of selected
 * signals, on top of vcd-stream's WASM parser (its native parser loses the scope hierarchy).
 *
 * Timing convention of our harness: clock period 10 time units; inputs are set and dumped at
 * 10*c with clk=0, the rising edge is dumped at 10*c+5. The sample for cycle c is every selected
 * signal's value after all changes at time 10*c, i.e. just before the rising edge of cycle c.
 *
 * Quirks of vcd-stream 1.5.0 (out/vcd.wasm + lib/web-vcd-parser.js) that shape this file:
 * - Each write() is copied onto the 64 KiB WASM stack (ccall 'array' argument): larger writes
 *   overwrite the parser's static buffers or throw RangeError, so we feed at most SLICE bytes.
 * - Header commands ($scope, $var, ...) are only parsed correctly when a command is not split
 *   across writes, so the header is fed in pieces that end just after a `$end`.
 * - The parser's error code is only console.log'ged by the wrapper; we wrap Module._execute to
 *   keep it (ccall looks the export up on every call).
 * - Change callbacks get time as bigint; scalars (cmd 14..28) come without value/mask; vectors
 *   (cmd 30/31 'b'/'B') come as exact bigints (any width, up to 262144 bits) with x/z bits in
 *   `mask` (x: value bit 0, z: value bit 1). Changes before the first #time have time INT64_MAX.
 * - change.on(id) does not filter inside WASM (setTrigger writes to the wrong buffer, and a long
 *   id list overflows it): every change reaches JS anyway, so we use change.any and look the
 *   id up in a table of our own.
 * - The parser state is a C global, so every file gets its own WASM module instance.
 * - Real values ('r...') are not emitted and corrupt the next vector value, so files that
 *   declare real variables are refused.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { SimulationError } from '../generator/errors.ts';

export interface VcdSignalRef { path: string }
export interface VcdSampleOptions {
  /** Full dotted paths to sample, e.g. 'TOP.af_pe.seq_issue'. */
  signals: string[];
  /** values[i] belongs to signals[i]; a fresh array per cycle. x/z bits read as 0 (see xSeen). */
  onCycle: (cycle: number, values: bigint[]) => void;
  /** Read size, default 1 MiB. */
  chunkBytes?: number;
}
export interface VcdSampleResult {
  /** Number of cycles passed to onCycle. */
  cycles: number;
  /** Last timestamp in the file. */
  lastTime: bigint | number;
  /** Signals that had x/z bits (or no value yet) in at least one emitted sample. */
  xSeen: string[];
  timescale?: string;
}

// ---- minimal typing of the parts of vcd-stream we use (the package ships no types) ----
interface WasmModule { _execute: (...args: unknown[]) => number }
interface VcdScope { kind: 'scope'; type: string; name: string; body: (VcdScope | VcdVar)[] }
interface VcdVar { kind: 'var'; type: string; size: number; link: string; name: string }
interface WebVcdParser {
  write(chunk: Uint8Array): boolean;
  on(event: '$enddefinitions', fn: () => void): void;
  change: { any(fn: (id: string, time: bigint, cmd: number, value?: bigint, mask?: bigint) => void): void };
  info: { wires: VcdScope; timescale?: string; t0?: number };
  getTime(): bigint;
}
const { createVCD, webVcdParser } = createRequire(import.meta.url)('vcd-stream') as {
  createVCD: () => Promise<WasmModule>;
  webVcdParser: (mod: WasmModule) => Promise<WebVcdParser>;
};

/** Largest write handed to the parser: half of its 64 KiB stack, the rest is for its frames. */
const SLICE = 32 * 1024;
/** Time reported for changes that precede the first #time (the parser's initial state). */
const NO_TIME = 0x7fffffffffffffffn;
const PERIOD = 10n;
/** Give up looking for $enddefinitions after this many bytes. */
const MAX_HEADER = 256 << 20;
const PARSE_ERRORS: Record<number, string> = {
  1: 'expected a declaration command', 4: 'expected a simulation command',
  5: 'number too long', 6: 'unreadable value change',
};

interface VcdHeaderVar { path: string; width: number; id: string; type: string }

/** Flatten the parser's scope tree into dotted paths (the root scope '.' is not part of them). */
function flattenWires(root: VcdScope): VcdHeaderVar[] {
  const out: VcdHeaderVar[] = [];
  const walk = (scope: VcdScope, prefix: string) => {
    for (const node of scope.body) {
      if (node.kind === 'scope') walk(node, prefix + node.name + '.');
      // The wrapper glues 'name [7:0]' into 'name[7:0]' and strips only [size-1:0].
      else out.push({ path: prefix + node.name.replace(/\[\d+:\d+\]$/, ''), width: node.size, id: node.link, type: node.type });
    }
  };
  walk(root, '');
  return out;
}

/**
 * Opens `file`, feeds it to a fresh vcd-stream WASM parser and calls `onHeader` once the header
 * ($enddefinitions) has been parsed; returns early if onHeader returns false.
 */
async function streamVcd(
  file: string, chunkBytes: number, wholeFile: boolean,
  onHeader: (p: WebVcdParser, vars: VcdHeaderVar[]) => boolean,
): Promise<WebVcdParser> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new SimulationError(`VCD path is not a file: ${file}`);
    size = st.size;
  } catch (e) {
    if (e instanceof SimulationError) throw e;
    throw new SimulationError((e as NodeJS.ErrnoException).code === 'ENOENT'
      ? `VCD file not found: ${file}` : `Cannot read VCD file ${file}: ${(e as Error).message}`);
  }
  if (size === 0) throw new SimulationError(`Not a VCD file (empty): ${file}`);
  if (wholeFile) {
    // A simulation killed mid-write leaves a partial last line; check before streaming it all.
    const fh = await open(file, 'r');
    const last = Buffer.alloc(1);
    try { await fh.read(last, 0, 1, size - 1); } finally { await fh.close(); }
    if (last[0] !== 0x0a && last[0] !== 0x0d) {
      throw new SimulationError(`VCD file is cut short (its last line is incomplete, no final newline): ${file}`);
    }
  }

  const mod = await createVCD();
  let parseError = 0;
  let execute = mod._execute;
  const hooked = (...args: unknown[]) => {
    const rc = execute(...args);
    // The first call replaces Module._execute by the raw export: keep that one and re-hook.
    if (mod._execute !== hooked) { execute = mod._execute; mod._execute = hooked; }
    if (rc && !parseError) parseError = rc;
    return 0; // stops the wrapper from console.log'ging the code
  };
  mod._execute = hooked;
  const p = await webVcdParser(mod);
  let headerDone = false;
  p.on('$enddefinitions', () => { headerDone = true; });

  let fed = 0; // bytes handed to the parser so far (for error positions)
  const feed = (buf: Buffer, start: number, end: number) => {
    p.write(buf.subarray(start, end));
    if (parseError) {
      const what = PARSE_ERRORS[parseError] ?? `error code ${parseError}`;
      throw new SimulationError(`VCD file ${file} is damaged or cut short: ${what} (in the ${headerDone ? 'value changes' : 'header'}, bytes ${fed + start}..${fed + end})`);
    }
  };
  const feedAll = (buf: Buffer) => {
    for (let i = 0; i < buf.length; i += SLICE) feed(buf, i, Math.min(i + SLICE, buf.length));
    fed += buf.length;
  };
  /** Header: cut only right after a `$end`, so no command is split across writes. */
  const feedHeader = (buf: Buffer) => {
    for (let start = 0; start < buf.length;) {
      let cut = Math.min(start + SLICE, buf.length);
      if (cut < buf.length) {
        const k = buf.lastIndexOf('$end', cut - 4);
        if (k < start) throw new SimulationError(`VCD header command longer than ${SLICE} bytes at byte ${start} of ${file}`);
        cut = k + 4;
      }
      feed(buf, start, cut);
      start = cut;
    }
    fed += buf.length;
  };

  // Read only the bytes that existed when we looked (the last-byte check above applies to them).
  // Header bytes are collected (in a buffer grown by doubling) until $enddefinitions ... $end.
  let head = Buffer.alloc(0), headLen = 0, defAt = -1, inHeader = true;
  const stream = createReadStream(file, { highWaterMark: chunkBytes, end: size - 1 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!inHeader) { feedAll(chunk); continue; }
      if (!headLen && !chunk.subarray(0, 4096).toString('latin1').trimStart().startsWith('$')) {
        throw new SimulationError(`Not a VCD file (does not start with a $ declaration): ${file}`);
      }
      if (headLen + chunk.length > head.length) {
        if (headLen + chunk.length > MAX_HEADER) throw new SimulationError(`Not a VCD file (no $enddefinitions in the first ${MAX_HEADER >> 20} MiB): ${file}`);
        const grown = Buffer.alloc(Math.max(2 * head.length, headLen + chunk.length, 1 << 16));
        head.copy(grown, 0, 0, headLen);
        head = grown;
      }
      chunk.copy(head, headLen);
      const from = Math.max(0, headLen - 20); // the keyword may straddle two chunks
      headLen += chunk.length;
      const view = head.subarray(0, headLen);
      if (defAt < 0) defAt = view.indexOf('$enddefinitions', from);
      const end = defAt < 0 ? -1 : view.indexOf('$end', defAt + 15);
      if (end < 0) continue;
      feedHeader(view.subarray(0, end + 4));
      if (!headerDone) throw new SimulationError(`VCD header of ${file} could not be parsed`);
      const vars = flattenWires(p.info.wires);
      const reals = vars.filter(v => v.type === 'real');
      if (reals.length) {
        throw new SimulationError(`VCD file ${file} declares real-valued variables (${reals.slice(0, 3).map(v => v.path).join(', ')}), which the vcd-stream parser cannot read`);
      }
      if (!onHeader(p, vars)) return p;
      inHeader = false;
      feedAll(view.subarray(end + 4));
    }
  } catch (e) {
    // File system errors become SimulationError; errors from callbacks pass through unchanged.
    if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string') {
      throw new SimulationError(`Cannot read VCD file ${file}: ${e.message}`);
    }
    throw e;
  } finally {
    stream.destroy();
  }
  if (inHeader) {
    const looksVcd = /\$(scope|var|timescale|date|version)\b/.test(head.subarray(0, Math.min(headLen, 4096)).toString('latin1'));
    throw new SimulationError(looksVcd
      ? `VCD file is cut short: header has no $enddefinitions: ${file}`
      : `Not a VCD file (no $enddefinitions): ${file}`);
  }
  return p;
}

/** Up to 10 available paths closest to `want` (edit distance), for "did you mean" messages. */
function similar(want: string, paths: string[]): string[] {
  const dist = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length];
  };
  const w = want.toLowerCase();
  return paths.map(p => ({ p, d: dist(w, p.toLowerCase()) })).sort((x, y) => x.d - y.d).slice(0, 10).map(x => x.p);
}

/** Numeric key of a VCD id of up to 3 ASCII chars (at most 2^21), else -1. */
function idKey(id: string): number {
  if (id.length > 3) return -1;
  let k = 0;
  for (let i = id.length - 1; i >= 0; i--) {
    const c = id.charCodeAt(i);
    if (c > 127) return -1;
    k = k * 128 + c;
  }
  return k;
}

/** All variables declared in the VCD header, as dotted paths with their bit widths. */
export async function listVcdSignals(file: string): Promise<{ path: string; width: number }[]> {
  let list: { path: string; width: number }[] = [];
  await streamVcd(file, 1 << 20, false, (_p, vars) => { list = vars.map(({ path, width }) => ({ path, width })); return false; });
  return list;
}

/** Streams `file` and calls opts.onCycle once per clock cycle with the selected signals' values. */
export async function sampleVcd(file: string, opts: VcdSampleOptions): Promise<VcdSampleResult> {
  const { signals, onCycle } = opts;
  const n = signals.length;
  const vals: bigint[] = new Array(n).fill(0n);
  const isX = new Uint8Array(n).fill(1); // no value yet counts as x
  const xReported = new Uint8Array(n);
  const xSeen: string[] = [];
  let cycles = 0;
  let cycle = 0;        // next cycle to emit
  let nextT = -1n;      // its time 10*cycle; -1 until the first timestamp is known
  let parser: WebVcdParser | undefined;

  let xCount = n; // signals whose current value has x/z bits
  const emit = () => {
    for (let i = 0; xCount > 0 && i < n; i++) {
      if (isX[i] && !xReported[i]) { xReported[i] = 1; xSeen.push(signals[i]); }
    }
    onCycle(cycle, vals.slice());
    cycles++; cycle++; nextT += PERIOD;
  };
  /** Emit every cycle whose time 10*c is before `time` (all its changes are then applied). */
  const advance = (time: bigint) => {
    if (nextT < 0n) {
      if (time === NO_TIME) return; // $dumpvars before the first #time: initial values
      // info.t0 is the first #time (an int32 in the wrapper); fall back to this change's time.
      const t0 = parser!.info.t0;
      const start = t0 !== undefined && t0 >= 0 && BigInt(t0) <= time ? BigInt(t0) : time;
      cycle = Number(start / PERIOD);
      nextT = BigInt(cycle) * PERIOD;
    }
    while (nextT < time) emit();
  };
  const onChange = (idx: number[], time: bigint, cmd: number, value?: bigint, mask?: bigint) => {
    if (time > nextT) advance(time);
    let v: bigint, x: number;
    if (cmd === 15) { v = 1n; x = 0; }
    else if (cmd === 14) { v = 0n; x = 0; }
    else if (value !== undefined) { x = mask ? 1 : 0; v = x ? value & ~mask! : value; } // z has value bit 1
    else { v = cmd === 26 || cmd === 27 ? 1n : 0n; x = cmd >= 24 && cmd <= 27 ? 0 : 1; } // l/L/h/H are weak 0/1
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      vals[i] = v;
      if (isX[i] !== x) { isX[i] = x; xCount += x ? 1 : -1; }
    }
  };

  const p = await streamVcd(file, opts.chunkBytes ?? 1 << 20, true, (p, vars) => {
    parser = p;
    const byPath = new Map<string, VcdHeaderVar>();
    for (const v of vars) if (!byPath.has(v.path)) byPath.set(v.path, v);
    const missing = signals.filter(s => !byPath.has(s));
    if (missing.length) {
      const paths = [...byPath.keys()];
      throw new SimulationError(missing.slice(0, 5).map(s =>
        `Signal '${s}' not found in VCD file ${file}; similar: ${similar(s, paths).join(', ') || '(none)'}`).join('\n'));
    }
    // Signals sharing an id (aliases, repeated paths) are updated together.
    const byId = new Map<string, number[]>();
    signals.forEach((s, i) => {
      const id = byPath.get(s)!.id;
      const idx = byId.get(id);
      if (idx) idx.push(i); else byId.set(id, [i]);
    });
    // Every change of every signal reaches JS (change.on does not filter, see top), so the id
    // lookup is the hot path: short ids go through a typed-array table keyed by their char
    // codes, which is much cheaper than hashing the fresh id string in a Map.
    const groups = [...byId.values()];
    const longIds = new Map<string, number>();
    let maxKey = 0;
    for (const id of byId.keys()) maxKey = Math.max(maxKey, idKey(id));
    const table = new Int32Array(maxKey + 1); // key -> group number + 1 (0: not sampled)
    [...byId.keys()].forEach((id, g) => { const k = idKey(id); if (k >= 0) table[k] = g + 1; else longIds.set(id, g + 1); });
    p.change.any((id, time, cmd, value, mask) => {
      const k = idKey(id);
      const g = k < 0 ? longIds.get(id) ?? 0 : k <= maxKey ? table[k] : 0;
      if (g !== 0) onChange(groups[g - 1], time, cmd, value, mask);
    });
    return true;
  });

  // Emit the remaining cycles up to the final timestamp (inclusive).
  const lastTime = p.getTime();
  if (lastTime !== NO_TIME) advance(lastTime + 1n);
  return { cycles, lastTime: lastTime === NO_TIME ? 0n : lastTime, xSeen, timescale: p.info.timescale };
}
