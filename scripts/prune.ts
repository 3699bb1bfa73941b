/**
 * `antforge prune`: prune weight matrices with a structured pattern (ew, vw, bw, tw, tw2, tvw;
 * see golden/workload/patterns.ts) under one global threshold over all --weights files, and write the
 * pruned tensors with the same dtype and shape.
 *
 * Inputs: .npy files of dtype int8..int64, uint8..uint64, float16, float32 or float64
 * (little-endian, C or Fortran order; written back in C order). A 2-D tensor is B = K x N as it
 * is. A 4-D conv weight (K_out, C, R, S) (PyTorch layout) is pruned as its im2col matrix
 * B = W.reshape(K_out, C*R*S).T, i.e. (C*R*S) x K_out with B[(c*R + r)*S + s, k] = W[k, c, r, s],
 * and the mask is mapped back to (K_out, C, R, S). --scores files have the shape of their
 * --weights file and are reshaped the same way. --shape KxN --seed S prunes a random float32
 * matrix (Box-Muller normal values from golden/workload/rng.ts) instead.
 *
 * Outputs: --out per input, default `<input without .npy>.pruned.npy` (`pruned.npy` for
 * --shape). All outputs are written to temp names first and renamed only when all are written.
 *
 * JSON (--json): { ok, pattern, target, achieved, pruned, total, params: PatternParams
 * (tile, block, nm, unit, units, threshold, ...), ignored: [option], matrices: [{ input,
 * output, shape, dtype, gemm: [K, N], achieved, pruned, total, zeroFraction }] }.
 * `achieved` counts pruned positions; `zeroFraction` counts zero values in the output (it is
 * higher when kept positions held zeros already).
 */
import type { Command } from 'commander';
import { DTYPE_NAMES, npyBytes, npyWriteFailure, readNpyAny, type NpyStorage } from '../golden/workload/npy.ts';
import { fromGemmMask, randomMatrix, toGemm } from '../golden/workload/tensor.ts';
import { writeFilesAtomic } from '../golden/util/atomic.ts';
import { OptionError, OutputError, TensorFileError } from '../generator/errors.ts';
import { PATTERNS, PATTERN_DEFAULTS, prune, type Pattern, type PruneResult } from '../golden/workload/patterns.ts';
import { action, collect, toJson, withJson } from './common.ts';

type Storage = NpyStorage;

const fmtShape = (s: readonly number[]) => `[${s.join(',')}]`;

export interface PruneCliOpts {
  weights?: string[]; shape?: string; seed?: string; pattern?: string; sparsity?: string;
  tile?: string; block?: string; nm?: string; scores?: string[]; out?: string[]; json?: boolean;
}

/** Prune's options describe the workload it prunes: their errors keep the area 'workload'. */
const bad = (m: string) => new OptionError(m, 'workload');

function parseInt1(opt: string, v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw bad(`${opt} '${v}' is not allowed; allowed: ${what}`);
  return Number(v);
}

export function parseNm(v: string): [number, number] {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(v);
  const n = m ? Number(m[1]) : NaN, mm = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || n > mm) throw bad(`--nm '${v}' is not allowed; allowed: N:M with integers 0 < N <= M, e.g. 2:4 or 4:16`);
  return [n, mm];
}

function parseSparsity(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(s) || s < 0 || s >= 1) throw bad(`--sparsity '${v}' is not allowed; allowed: a fraction in [0, 1), e.g. 0.75`);
  return s;
}

const MAX_ELEMENTS = 1 << 27;

interface Input { label: string; shape: number[]; dtype: string; raw: Storage; values: Float64Array; out: string }

const defaultOut = (p: string) => `${p.replace(/\.npy$/i, '')}.pruned.npy`;

/** Parse and check everything, prune, write; returns the report. */
export function runPrune(o: PruneCliOpts) {
  const weights = o.weights ?? [];
  if (weights.length && o.shape !== undefined) throw bad('--weights and --shape were both given; allowed: one of them (files to prune, or a random KxN matrix)');
  if (!weights.length && o.shape === undefined) throw bad('no matrix to prune; allowed: --weights FILE.npy (repeatable) or --shape KxN [--seed S]');
  if (o.seed !== undefined && o.shape === undefined) throw bad('--seed applies only with --shape; allowed: --shape KxN --seed S');
  if (o.pattern === undefined) throw bad(`--pattern is required; allowed: ${PATTERNS.join(', ')}`);
  if (!(PATTERNS as readonly string[]).includes(o.pattern)) throw bad(`--pattern '${o.pattern}' is unknown; allowed: ${PATTERNS.join(', ')}`);
  const pattern = o.pattern as Pattern;
  const sparsity = parseSparsity(o.sparsity);
  if (sparsity === undefined && pattern !== 'vw') throw bad(`--sparsity is required for pattern ${pattern}; allowed: a fraction in [0, 1), e.g. 0.75`);
  const tile = parseInt1('--tile', o.tile, 'a tile width G >= 1 (columns), e.g. 128');
  const block = parseInt1('--block', o.block, 'a block side b >= 1, e.g. 32');
  const nm = o.nm === undefined ? undefined : parseNm(o.nm);
  const ignored: string[] = [];
  if (tile !== undefined && !['tw', 'tw2', 'tvw'].includes(pattern)) ignored.push('--tile');
  if (block !== undefined && pattern !== 'bw') ignored.push('--block');
  if (nm !== undefined && !['vw', 'tvw'].includes(pattern)) ignored.push('--nm');

  const count = weights.length || 1;
  const scoresFiles = o.scores ?? [];
  if (scoresFiles.length && scoresFiles.length !== count) {
    throw bad(`--scores was given ${scoresFiles.length} time(s) for ${count} matri${count === 1 ? 'x' : 'ces'}; allowed: one --scores per --weights, in the same order`);
  }
  const outs = o.out ?? [];
  if (outs.length && outs.length !== count) {
    throw bad(`--out was given ${outs.length} time(s) for ${count} matri${count === 1 ? 'x' : 'ces'}; allowed: one --out per --weights, in the same order, or none`);
  }

  const inputs: Input[] = [];
  if (o.shape !== undefined) {
    const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(o.shape);
    const K = m ? Number(m[1]) : 0, N = m ? Number(m[2]) : 0;
    if (!m || K < 1 || N < 1 || K * N > MAX_ELEMENTS) throw bad(`--shape '${o.shape}' is not allowed; allowed: KxN with K, N >= 1 and K*N <= ${MAX_ELEMENTS}, e.g. 256x512`);
    const seed = o.seed === undefined ? 1 : Number(o.seed);
    if (o.seed !== undefined && (!/^\d+$/.test(o.seed.trim()) || seed > 0xffffffff)) throw bad(`--seed '${o.seed}' is not allowed; allowed: an integer 0..4294967295`);
    const raw = randomMatrix(K, N, seed);
    inputs.push({ label: `random ${K}x${N} (seed ${seed})`, shape: [K, N], dtype: 'f4', raw, values: Float64Array.from(raw), out: outs[0] ?? 'pruned.npy' });
  } else {
    weights.forEach((w, i) => {
      const t = readNpyAny(w, 'weights');
      if (t.shape.length !== 2 && t.shape.length !== 4) {
        throw new TensorFileError(`${w}: the weights tensor has ${t.shape.length} dimension(s) ${fmtShape(t.shape)}; allowed: 2-D K x N or 4-D conv weights (K_out, C, R, S)`);
      }
      if (t.shape.some((d) => d < 1)) throw new TensorFileError(`${w}: the weights tensor has shape ${fmtShape(t.shape)} with an empty dimension; allowed: every dimension >= 1`);
      inputs.push({ label: w, ...t, out: outs[i] ?? defaultOut(w) });
    });
  }
  const seen = new Map<string, string>();
  for (const inp of inputs) {
    const prev = seen.get(inp.out);
    if (prev !== undefined) throw new OutputError(`${inp.out}: chosen as the output of both ${prev} and ${inp.label}; allowed: one output per input (--out)`);
    seen.set(inp.out, inp.label);
  }
  const scores = scoresFiles.map((f, i) => {
    const t = readNpyAny(f, 'scores');
    if (fmtShape(t.shape) !== fmtShape(inputs[i].shape)) {
      throw new TensorFileError(`${f}: the scores tensor has shape ${fmtShape(t.shape)}, but its weights ${inputs[i].label} have ${fmtShape(inputs[i].shape)}; allowed: the same shape`);
    }
    return toGemm(t.shape, t.values).data;
  });

  const gemms = inputs.map((inp) => toGemm(inp.shape, inp.values));
  const r: PruneResult = prune(gemms.map((g) => ({ shape: [g.K, g.N], data: g.data })), pattern, {
    sparsity, tile, block, nm, scores: scores.length ? scores : undefined,
  });

  const matrices = inputs.map((inp, i) => {
    const mask = fromGemmMask(inp.shape, r.masks[i]);
    const out = inp.raw.slice() as Storage;
    let zeros = 0, pruned = 0;
    const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
    for (let j = 0; j < mask.length; j++) {
      if (!mask[j]) { (out as { [k: number]: number | bigint })[j] = big ? 0n : 0; pruned++; } else if (inp.values[j] === 0) zeros++;
    }
    return { inp, out, zeros: zeros + pruned, pruned };
  });
  writeFilesAtomic(matrices.map(({ inp, out }) => ({ path: inp.out, data: npyBytes(out, inp.shape, inp.dtype) })), npyWriteFailure);

  return {
    ok: true,
    pattern,
    target: r.target,
    achieved: r.achieved,
    pruned: r.pruned,
    total: r.total,
    params: r.params,
    ignored,
    matrices: matrices.map(({ inp, zeros, pruned }, i) => ({
      input: inp.label, output: inp.out, shape: inp.shape, dtype: DTYPE_NAMES[inp.dtype], gemm: [gemms[i].K, gemms[i].N],
      achieved: r.perMatrix[i], pruned, total: inp.values.length, zeroFraction: zeros / inp.values.length,
    })),
  };
}

export type PruneReport = ReturnType<typeof runPrune>;

const g = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number(v.toPrecision(6)).toString());

export function formatPrune(r: PruneReport): string {
  const p = r.params;
  const parts = [p.tile !== undefined ? `tile ${p.tile}` : '', p.block !== undefined ? `block ${p.block}` : '', p.nm ? `N:M ${p.nm.join(':')}` : ''].filter(Boolean);
  const lines = [
    `prune ${r.pattern}${parts.length ? ` (${parts.join(', ')})` : ''}: target ${r.target.toFixed(4)}, overall ${r.achieved.toFixed(4)} (${r.pruned} of ${r.total} weights pruned)`,
    `  unit: ${p.unit}; ${p.units} units`,
  ];
  const th: string[] = [];
  if (p.columnThreshold !== undefined) th.push(`columns ${g(p.columnThreshold)} (split s' ${p.split!.toFixed(4)}, columns pruned ${p.columnSparsity!.toFixed(4)})`);
  if (p.threshold !== undefined) th.push(`${r.pattern === 'tw2' ? 'rows ' : ''}${g(p.threshold)}`);
  if (p.tileSparsity !== undefined) th.push(`tile stage ${p.tileSparsity.toFixed(4)} (nominal ${p.tileTarget!.toFixed(4)}), then ${p.nm!.join(':')}`);
  if (r.pattern === 'vw') th.push(`none (fixed ${p.nm!.join(':')}: ${p.nmSparsity!.toFixed(4)} on full groups)`);
  lines.push(`  threshold: ${th.join('; ')}`);
  for (const m of r.matrices) {
    const as = m.shape.length === 4 ? ` as ${m.gemm[0]}x${m.gemm[1]} (C*R*S x K_out)` : '';
    lines.push(`  ${m.input} ${fmtShape(m.shape)} ${m.dtype}${as}: ${m.achieved.toFixed(4)} pruned (${m.pruned} of ${m.total}), ${m.zeroFraction.toFixed(4)} zero -> ${m.output}`);
  }
  for (const opt of r.ignored) lines.push(`  note: ${opt} does not apply to pattern ${r.pattern} and was ignored`);
  return lines.join('\n') + '\n';
}

export function registerPrune(program: Command): void {
  const cmd = program
    .command('prune')
    .description('prune weight matrices (K x N, or 4-D conv weights as C*R*S x K_out) with a structured pattern under one global threshold: ew, vw (N:M), bw (blocks), tw (tile-wise), tw2 (columns + tile-wise), tvw (tile-wise + N:M)')
    .option('--weights <file>', '.npy weights to prune (repeatable; all are pruned under one global threshold)', collect)
    .option('--shape <KxN>', 'prune a random standard-normal float32 K x N matrix instead')
    .option('--seed <n>', 'seed of the --shape matrix (default 1)')
    .option('--pattern <p>', `pruning pattern: ${PATTERNS.join(', ')}`)
    .option('--sparsity <s>', 'target fraction of pruned weights in [0, 1) (vw: optional, fixed by N:M)')
    .option('--tile <G>', `tw/tw2/tvw tile width in columns (default ${PATTERN_DEFAULTS.tile})`)
    .option('--block <b>', `bw block side (default ${PATTERN_DEFAULTS.block})`)
    .option('--nm <N:M>', `keep N of every M along K (vw default ${PATTERN_DEFAULTS.vwNm.join(':')}, tvw default ${PATTERN_DEFAULTS.tvwNm.join(':')})`)
    .option('--scores <file>', 'per-element importance scores, same shape as its --weights (repeatable, in the same order); default |w|', collect)
    .option('--out <file>', 'output .npy per input (repeatable; default <input>.pruned.npy, or pruned.npy for --shape)', collect);
  withJson(cmd).action(action((opts: PruneCliOpts) => {
    const r = runPrune(opts);
    process.stdout.write(opts.json ? toJson(r) + '\n' : formatPrune(r));
  }));
}
