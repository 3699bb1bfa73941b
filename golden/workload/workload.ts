/**
 * Workloads: a layer (conv in one training phase, or a matmul) and its operands, generated
 * deterministically from a seed or loaded from .npy files. Validated against a JSON Schema
 * (ajv) whose errors are turned into one message naming the key and what is allowed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { WorkloadError } from '../../generator/errors.ts';
import type { HwConfig } from '../../generator/config.ts';
import { outSize, type ConvGeom } from '../reference/reference.ts';
import { readNpyTensor } from './npy.ts';
import { Rng, seedFor } from './rng.ts';
import { sparsityMask, type SparsityPattern } from './sparsity.ts';
import type { Tensor } from './tensor.ts';

export type Phase = 'fwd' | 'bwd' | 'wgrad';
export type MatmulMapping = 'perk' | 'packed';

export interface ConvWorkload extends ConvGeom {
  kind: 'conv';
  phase: Phase;
  density: { weights?: number; activations?: number; gradients?: number };
  seed: number;
  tensors?: { weights?: string; activations?: string; gradients?: string };
  /** Largest operand magnitude to draw; default: the largest that cannot overflow accWidth. */
  valueMax?: number;
  /** Where activation and gradient non-zeros fall (weights are always uniform). */
  pattern?: SparsityPattern;
}
export interface MatmulWorkload {
  kind: 'matmul';
  M: number; K: number; N: number;
  density: { a?: number; b?: number };
  seed: number;
  tensors?: { a?: string; b?: string };
  valueMax?: number;
  /** perk: one contraction index a job; packed: several per job, matched by tag. */
  mapping?: MatmulMapping;
}
export type Workload = ConvWorkload | MatmulWorkload;

const dim = (max: number) => ({ type: 'integer', minimum: 1, maximum: max });
const density = { type: 'number', minimum: 0, maximum: 1 };
const common = { seed: { type: 'integer', minimum: 0, maximum: 2 ** 32 - 1 }, valueMax: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } };

export const WORKLOAD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'antforge workload',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'phase', 'N', 'C', 'K', 'H', 'W', 'R', 'S'],
      properties: {
        kind: { const: 'conv' },
        phase: { enum: ['fwd', 'bwd', 'wgrad'] },
        N: dim(4096), C: dim(65536), K: dim(65536), H: dim(65536), W: dim(65536), R: dim(64), S: dim(64),
        stride: dim(16), pad: { type: 'integer', minimum: 0, maximum: 64 },
        density: { type: 'object', additionalProperties: false, properties: { weights: density, activations: density, gradients: density } },
        tensors: { type: 'object', additionalProperties: false, properties: { weights: { type: 'string' }, activations: { type: 'string' }, gradients: { type: 'string' } } },
        pattern: { enum: ['uniform', 'clustered'] },
        ...common,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'M', 'K', 'N'],
      properties: {
        kind: { const: 'matmul' },
        M: dim(1 << 20), K: dim(1 << 20), N: dim(1 << 20),
        density: { type: 'object', additionalProperties: false, properties: { a: density, b: density } },
        tensors: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'string' } } },
        mapping: { enum: ['perk', 'packed'] },
        ...common,
      },
    },
  ],
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const convValidate: ValidateFunction = ajv.compile(WORKLOAD_SCHEMA.oneOf[0]);
const matmulValidate: ValidateFunction = ajv.compile(WORKLOAD_SCHEMA.oneOf[1]);

function describe(schema: Record<string, unknown> | undefined): string {
  if (!schema) return 'see `antforge schema --workload`';
  if ('enum' in schema) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.type === 'integer') return `an integer ${schema.minimum}..${schema.maximum}`;
  if (schema.type === 'number') return `a number ${schema.minimum}..${schema.maximum}`;
  if (schema.type === 'string') return 'a file path string';
  if (schema.type === 'object') return `an object with keys ${Object.keys((schema.properties as object) ?? {}).join(', ')}`;
  return String(schema.type);
}

function firstError(validate: ValidateFunction, schema: { properties: Record<string, unknown> }, obj: Record<string, unknown>): string {
  const e = validate.errors![0];
  const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') return `workload is missing key '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const sub = where ? (schema.properties[where] as { properties: object }).properties : schema.properties;
    return `workload key '${where ? where + '.' : ''}${extra}' is unknown; allowed keys: ${Object.keys(sub).join(', ')}`;
  }
  let sub: Record<string, unknown> | undefined = schema as unknown as Record<string, unknown>;
  for (const part of where.split('.')) sub = (sub?.properties as Record<string, Record<string, unknown>> | undefined)?.[part];
  let value: unknown = obj;
  for (const part of where.split('.')) value = (value as Record<string, unknown>)?.[part];
  return `workload key '${where}': ${JSON.stringify(value)} is not allowed; allowed: ${describe(sub)}`;
}

/** Read `--workload` (a file path or an inline JSON string) into a validated workload. */
export function parseWorkload(arg: string): Workload {
  let text = arg;
  let base = process.cwd();
  if (!arg.trim().startsWith('{')) {
    try {
      text = fs.readFileSync(arg, 'utf8');
      base = path.dirname(path.resolve(arg));
    } catch {
      throw new WorkloadError(`workload '${arg}' is neither inline JSON nor a readable file`);
    }
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new WorkloadError(`workload is not valid JSON: ${(e as Error).message}`);
  }
  return validateWorkload(obj, base);
}

export function validateWorkload(obj: unknown, baseDir = process.cwd()): Workload {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new WorkloadError('workload must be a JSON object with "kind": "conv" or "matmul"');
  const o = obj as Record<string, unknown>;
  if (o.kind !== 'conv' && o.kind !== 'matmul') throw new WorkloadError(`workload key 'kind': ${JSON.stringify(o.kind)} is not allowed; allowed: "conv" | "matmul"`);
  const [validate, schema] = o.kind === 'conv' ? [convValidate, WORKLOAD_SCHEMA.oneOf[0]] : [matmulValidate, WORKLOAD_SCHEMA.oneOf[1]];
  if (!validate(o)) throw new WorkloadError(firstError(validate, schema as unknown as { properties: Record<string, unknown> }, o));
  const tensors = o.tensors as Record<string, string> | undefined;
  const resolved = tensors ? Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, path.resolve(baseDir, v)])) : undefined;
  if (o.kind === 'conv') {
    const w: ConvWorkload = {
      kind: 'conv', phase: o.phase as Phase,
      N: o.N as number, C: o.C as number, K: o.K as number, H: o.H as number, W: o.W as number, R: o.R as number, S: o.S as number,
      stride: (o.stride as number) ?? 1, pad: (o.pad as number) ?? 0,
      density: { weights: 0.5, activations: 0.5, gradients: 0.5, ...(o.density as object) },
      seed: (o.seed as number) ?? 1,
      ...(resolved ? { tensors: resolved } : {}),
      ...(o.valueMax !== undefined ? { valueMax: o.valueMax as number } : {}),
      ...(o.pattern !== undefined ? { pattern: o.pattern as SparsityPattern } : {}),
    };
    const { P, Q } = outSize0(w);
    if (P < 1 || Q < 1) throw new WorkloadError(`workload geometry gives an empty output (P=${P}, Q=${Q}): need H + 2*pad >= R and W + 2*pad >= S`);
    const used = Object.keys(operandShapes(w));
    for (const key of Object.keys(tensors ?? {})) {
      if (!used.includes(key)) throw new WorkloadError(`workload key 'tensors.${key}': phase "${w.phase}" does not read a ${key} tensor; allowed keys: ${used.join(', ')}`);
    }
    return checkSizes(w);
  }
  return checkSizes({
    kind: 'matmul', M: o.M as number, K: o.K as number, N: o.N as number,
    density: { a: 0.5, b: 0.5, ...(o.density as object) },
    seed: (o.seed as number) ?? 1,
    mapping: (o.mapping as MatmulMapping) ?? 'perk',
    ...(resolved ? { tensors: resolved } : {}),
    ...(o.valueMax !== undefined ? { valueMax: o.valueMax as number } : {}),
  });
}

/** Most elements one operand or result tensor may have (1 GiB of int32); larger layers cannot be held. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

function checkSizes<T extends Workload>(w: T): T {
  let shapes: [string, number[], string][];
  if (w.kind === 'matmul') {
    shapes = [['a', [w.M, w.K], 'M,K'], ['b', [w.K, w.N], 'K,N'], ['output', [w.M, w.N], 'M,N']];
  } else {
    // A conv phase reads two of these three tensors and writes the third.
    const { P, Q } = outSize0(w);
    shapes = [['weights', [w.K, w.C, w.R, w.S], 'K,C,R,S'], ['activations', [w.N, w.C, w.H, w.W], 'N,C,H,W'], ['gradients', [w.N, w.K, P, Q], 'N,K,P,Q']];
  }
  for (const [name, shape, axes] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new WorkloadError(`workload tensor '${name}' [${shape.join(',')}] (${axes}) has ${n} elements; allowed: at most ${MAX_TENSOR_ELEMENTS} per tensor; use a smaller layer`);
    }
  }
  return w;
}

const outSize0 = (g: ConvGeom) => ({ P: Math.floor((g.H + 2 * g.pad - g.R) / g.stride) + 1, Q: Math.floor((g.W + 2 * g.pad - g.S) / g.stride) + 1 });

/** The operand tensors a workload uses, with their shapes and axis names. */
export function operandShapes(w: Workload): Record<string, { shape: number[]; axes: string; density: number }> {
  if (w.kind === 'matmul') {
    return {
      a: { shape: [w.M, w.K], axes: 'M,K', density: w.density.a ?? 0.5 },
      b: { shape: [w.K, w.N], axes: 'K,N', density: w.density.b ?? 0.5 },
    };
  }
  const { P, Q } = outSize(w);
  const all = {
    weights: { shape: [w.K, w.C, w.R, w.S], axes: 'K,C,R,S', density: w.density.weights ?? 0.5 },
    activations: { shape: [w.N, w.C, w.H, w.W], axes: 'N,C,H,W', density: w.density.activations ?? 0.5 },
    gradients: { shape: [w.N, w.K, P, Q], axes: 'N,K,P,Q', density: w.density.gradients ?? 0.5 },
  };
  const use: Record<Phase, (keyof typeof all)[]> = { fwd: ['weights', 'activations'], bwd: ['weights', 'gradients'], wgrad: ['activations', 'gradients'] };
  return Object.fromEntries(use[w.phase].map((k) => [k, all[k]]));
}

/** Longest reduction: the most products that can land on one output. */
export function reductionLength(w: Workload): number {
  if (w.kind === 'matmul') return w.K;
  const { P, Q } = outSize(w);
  if (w.phase === 'fwd') return w.C * w.R * w.S;
  if (w.phase === 'bwd') return w.K * w.R * w.S;
  return w.N * P * Q;
}

/** Largest magnitude such that no sum of `len` products overflows accWidth. */
export function safeValueMax(cfg: HwConfig, len: number): number {
  const dataMax = 2 ** (cfg.dataWidth - 1) - 1;
  const accMax = 2 ** (cfg.accWidth - 1) - 1;
  return Math.max(1, Math.min(dataMax, Math.floor(Math.sqrt(accMax / Math.max(1, len)))));
}

export interface Operands { tensors: Record<string, Tensor>; warnings: string[] }

/** Generate (or load) the operands: Bernoulli(density) non-zeros, values uniform in +-valueMax without 0. */
export function makeOperands(w: Workload, cfg: HwConfig): Operands {
  const shapes = operandShapes(w);
  const len = reductionLength(w);
  const vmax = w.valueMax ?? safeValueMax(cfg, len);
  const warnings: string[] = [];
  if (vmax > 2 ** (cfg.dataWidth - 1) - 1) throw new WorkloadError(`workload key 'valueMax': ${vmax} does not fit dataWidth=${cfg.dataWidth}; allowed: 1..${2 ** (cfg.dataWidth - 1) - 1}`);
  const tensors: Record<string, Tensor> = {};
  let maxAbs: number[] = [];
  for (const [name, spec] of Object.entries(shapes)) {
    const file = (w.tensors as Record<string, string> | undefined)?.[name];
    let t: Tensor;
    if (file) {
      t = readNpyTensor(file, { name, shape: spec.shape, axes: spec.axes, dataWidth: cfg.dataWidth });
    } else {
      const rng = new Rng(seedFor(w.seed, name));
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Int32Array(n);
      const pattern = w.kind === 'conv' && name !== 'weights' ? w.pattern ?? 'uniform' : 'uniform';
      if (pattern === 'uniform') {
        for (let i = 0; i < n; i++) {
          if (rng.next() < spec.density) {
            const v = 1 + Math.floor(rng.next() * vmax);
            data[i] = rng.next() < 0.5 ? -v : v;
          }
        }
      } else {
        const mask = sparsityMask(spec.shape, spec.density, pattern, rng);
        for (let i = 0; i < n; i++) {
          if (mask[i]) {
            const v = 1 + Math.floor(rng.next() * vmax);
            data[i] = rng.next() < 0.5 ? -v : v;
          }
        }
      }
      t = { shape: spec.shape, data };
    }
    tensors[name] = t;
    let m = 0;
    for (const v of t.data) m = Math.max(m, Math.abs(v));
    maxAbs.push(m);
  }
  const worst = maxAbs.reduce((a, b) => a * b, 1) * len;
  if (worst > 2 ** (cfg.accWidth - 1) - 1) {
    warnings.push(`accumulators can overflow: up to ${len} products of magnitude ${maxAbs.join(' x ')} per output exceed accWidth=${cfg.accWidth}; sums wrap in two's complement (RTL and golden model alike)`);
  }
  return { tensors, warnings };
}
