/**
 * Design-space sweeps: a space (lists of values for config keys, plus the workloads every point
 * runs) is validated here, expanded into points (the cartesian product), and each point is
 * evaluated on its own: cycles of the config's own ant mode (the design) and of ant = off (the
 * baseline) from the golden model, energy of the design's counters and area from golden/cost/cost.ts.
 *
 * A point's hash covers its resolved config (without `name`, which only names the RTL folder),
 * the space's workload part (networks, workloads with tensor files by content, GEMMs, model
 * options when networks use them), the cost table (by content) and node, and SWEEP_VERSION, so
 * a rerun or another space sharing points reuses the result.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { CONFIG_KEYS, configSchema, resolveConfig, type AntMode, type HwConfig } from '../../generator/config.ts';
import { AntforgeError, ConfigError, TensorFileError, WorkloadError } from '../../generator/errors.ts';
import { area, energy, loadTech, DEFAULT_TECH_FILE, type Tech } from '../cost/cost.ts';
import { fastRun } from '../model/fastpe.ts';
import { runGemm } from '../studies/gemm.ts';
import { GEMM_NAMES } from '../studies/gemm-tables.ts';
import { mapWorkload } from '../mapping/mapper.ts';
import { evaluateTask, modelTasks } from '../studies/network-model.ts';
import { DATASETS, NETWORK_NAMES, network, type Dataset } from '../studies/networks.ts';
import { PATTERNS, type Pattern } from '../workload/patterns.ts';
import { COUNTER_NAMES, zeroCounters, type Counters } from '../../generator/counters.ts';
import { SPARSITY_PATTERNS, type SparsityPattern } from '../workload/sparsity.ts';
import { makeOperands, validateWorkload, type Phase, type Workload } from '../workload/workload.ts';

/** Bumped when a point's result format or meaning changes: old point files are then not reused. */
export const SWEEP_VERSION = 1;

const PHASE_LIST: readonly Phase[] = ['fwd', 'bwd', 'wgrad'];
const SWEEPABLE = (Object.keys(CONFIG_KEYS) as (keyof HwConfig)[]).filter((k) => k !== 'name');

const cfgProps = (configSchema() as { properties: Record<string, Record<string, unknown>> }).properties;
const withoutDefault = (p: Record<string, unknown>) => { const { default: _d, ...rest } = p; return rest; };
const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
const seedSchema = int(0, 2 ** 32 - 1);

/** JSON Schema (draft 2020-12) of a sweep space (`antforge sweep --space FILE`). */
export const SPACE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://antforge.dev/schema/sweep-space.json',
  title: 'antforge sweep space',
  description: 'Lists of values for config keys (their cartesian product is the set of points), fixed overrides, and the workloads every point runs: at least one of networks, workloads, gemms.',
  type: 'object',
  additionalProperties: false,
  required: ['config'],
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string', description: 'free text; not part of any point' },
    config: {
      type: 'object',
      additionalProperties: false,
      description: 'for each swept config key a non-empty list of values (a key with one value is fixed); `name` is not swept (set it in base)',
      properties: Object.fromEntries(SWEEPABLE.map((k) => [k, { type: 'array', minItems: 1, uniqueItems: true, items: withoutDefault(cfgProps[k]) }])),
    },
    base: {
      type: 'object',
      additionalProperties: false,
      description: 'config overrides applied to every point (keys not in config)',
      properties: Object.fromEntries(Object.entries(cfgProps).map(([k, p]) => [k, withoutDefault(p)])),
    },
    networks: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: { name: { enum: [...NETWORK_NAMES] }, dataset: { enum: [...DATASETS], description: 'default imagenet (cifar for wrn28-10)' } },
      },
    },
    workloads: {
      type: 'array', minItems: 1,
      items: { type: 'object', description: 'a conv or matmul workload (`antforge schema --workload`); tensor paths are relative to the space file' },
    },
    gemms: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: {
          name: { enum: [...GEMM_NAMES] },
          pattern: { enum: [...PATTERNS], description: 'weight pruning pattern (default ew)' },
          sparsity: { type: 'number', minimum: 0, maximum: 0.999, description: 'weight sparsity (default model.sparsity)' },
          actDensity: { type: 'number', minimum: 0.001, maximum: 1, description: 'activation density (default 0.5)' },
          batch: { ...int(1, 4096), description: 'rows of CNN FC layers, LSTM time steps (default 16)' },
          seed: { ...seedSchema, description: 'default model.seed' },
          sample: { ...int(1, 1e9), description: 'tile groups simulated per GEMM (default model.sample)' },
          mapping: { enum: ['perk', 'packed'], description: 'default packed' },
          tile: int(1, 1 << 20),
          block: int(1, 1 << 20),
        },
      },
    },
    model: {
      type: 'object', additionalProperties: false,
      description: 'options of the whole-network model (as `antforge model`)',
      properties: {
        sparsity: { type: 'number', minimum: 0, maximum: 0.999, description: 'default 0.9' },
        batch: { ...int(1, 256), description: 'default 1' },
        phases: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...PHASE_LIST] }, description: 'default all three' },
        sample: { ...int(1, 1e9), description: 'tile groups simulated per layer and phase (default 8)' },
        actPattern: { enum: [...SPARSITY_PATTERNS], description: 'default uniform' },
        seed: { ...seedSchema, description: 'default 1' },
      },
    },
    tech: { type: 'string', minLength: 1, description: 'cost table JSON, relative to the space file (default: the built-in 45 nm table)' },
    node: { type: 'number', exclusiveMinimum: 0, description: 'technology node (nm) to scale the table to' },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
const { $schema: _s, $id: _i, ...schemaBody } = SPACE_SCHEMA;
const validateSpaceObject = ajv.compile(schemaBody);

/** `/config/F/1` -> `config.F[1]`. */
const where = (instancePath: string) => instancePath.split('/').slice(1)
  .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('').replace(/^\./, '');

function allowed(s: Record<string, unknown> | undefined): string {
  if (!s) return 'see SPACE_SCHEMA (golden/sweep/sweep.ts)';
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'integer') return `an integer ${s.minimum}..${s.maximum}`;
  if (s.type === 'number') return s.exclusiveMinimum !== undefined ? `a number > ${s.exclusiveMinimum}` : `a number ${s.minimum}..${s.maximum}`;
  if (s.type === 'string') return s.pattern ? `a string matching ${s.pattern}` : 'a non-empty string';
  if (s.type === 'array') return 'a non-empty list';
  if (s.type === 'object') return s.properties ? `an object with keys ${Object.keys(s.properties).join(', ')}` : 'an object';
  return String(s.type);
}

function describeError(e: ErrorObject): string {
  const at = where(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'required': return `space ${at ? `key '${at}' ` : ''}is missing key '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const keys = Object.keys((parent?.properties as object) ?? {});
      if (at === 'config' && extra === 'name') return `space key 'config.name' cannot be swept (it only names the RTL folder); set it in base`;
      return `space key '${at ? at + '.' : ''}${extra}' is unknown; allowed keys: ${keys.join(', ')}`;
    }
    case 'minItems': return `space key '${at}' is an empty list; give at least one value`;
    case 'uniqueItems': return `space key '${at}' lists ${JSON.stringify((e.data as unknown[])[(e.params as { j: number }).j])} twice; give each value once`;
    default: return `space key '${at}': ${JSON.stringify(e.data)} is not allowed; allowed: ${allowed(parent)}`;
  }
}

export interface SpaceNetwork { name: string; dataset: Dataset }
export interface SpaceGemm {
  name: string; pattern: Pattern; sparsity: number; actDensity: number; batch: number; seed: number; sample: number;
  mapping: 'perk' | 'packed'; tile?: number; block?: number;
}
export interface SpaceModel { sparsity: number; batch: number; phases: Phase[]; sample: number; actPattern: SparsityPattern; seed: number }
/** What every point runs (resolved, defaults filled in). */
export interface WorkPart { networks: SpaceNetwork[]; workloads: Workload[]; gemms: SpaceGemm[]; model: SpaceModel }

export interface SweepPoint {
  hash: string;
  /** The point's values of the swept keys (in the space's key order). */
  values: Record<string, number | string>;
  /** `F=2 ant=window` (varying keys only), or `base` for a one-point space. */
  label: string;
  config: HwConfig;
}

export interface Space {
  file: string;
  /** Swept keys and their value lists, in the space's order. */
  dims: Record<string, (number | string)[]>;
  /** Swept keys with more than one value. */
  varying: string[];
  base: Record<string, unknown>;
  work: WorkPart;
  tech: { file?: string; node?: number; name: string; resolvedNode: number };
  points: SweepPoint[];
}

/** JSON with sorted keys (stable hashes). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha256 = (x: string | Buffer) => crypto.createHash('sha256').update(x).digest('hex');

/** Rethrow a typed error with `space <where>: ` in front. */
function within<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AntforgeError) {
      const E = e.constructor as new (m: string) => AntforgeError;
      throw new E(`space ${what}: ${e.message}`);
    }
    throw e;
  }
}

/** The product of the value lists, the last key varying fastest. */
function product(dims: Record<string, (number | string)[]>): Record<string, number | string>[] {
  let out: Record<string, number | string>[] = [{}];
  for (const [k, vals] of Object.entries(dims)) out = out.flatMap((p) => vals.map((v) => ({ ...p, [k]: v })));
  return out;
}

/** Read a space file and validate it; throws ConfigError / WorkloadError (exit 2) naming what is wrong. */
export function loadSpace(file: string): Space {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`space file '${file}' cannot be read; give a path to a JSON file (schema: SPACE_SCHEMA in golden/sweep/sweep.ts)`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`space file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  return validateSpace(obj, path.dirname(path.resolve(file)), file);
}

/** Validate a parsed space; relative paths (tech, tensors) are taken from baseDir. */
export function validateSpace(obj: unknown, baseDir = process.cwd(), file = '(inline)'): Space {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ConfigError(`space must be a JSON object with keys ${Object.keys(SPACE_SCHEMA.properties).filter((k) => k !== '$schema').join(', ')}`);
  if (!validateSpaceObject(obj)) {
    const e = validateSpaceObject.errors![0];
    const top = e.instancePath.split('/')[1];
    const Err = ['networks', 'workloads', 'gemms', 'model'].includes(top) ? WorkloadError : ConfigError;
    throw new Err(describeError(e));
  }
  const s = obj as {
    config: Record<string, (number | string)[]>; base?: Record<string, unknown>;
    networks?: { name: string; dataset?: Dataset }[]; workloads?: unknown[]; gemms?: Partial<SpaceGemm>[];
    model?: Partial<SpaceModel>; tech?: string; node?: number;
  };
  const base = s.base ?? {};
  for (const k of Object.keys(s.config)) {
    if (Object.hasOwn(base, k)) throw new ConfigError(`space key 'base.${k}' is also swept in 'config.${k}'; give it in one place`);
  }
  const baseCfg = within('base', () => resolveConfig(base));
  if (!s.networks && !s.workloads && !s.gemms) {
    throw new WorkloadError(`space has no workloads: give at least one of networks (${NETWORK_NAMES.join(', ')}), workloads (conv/matmul objects, \`antforge schema --workload\`) or gemms (${GEMM_NAMES.join(', ')})`);
  }

  const m = s.model ?? {};
  const model: SpaceModel = {
    sparsity: m.sparsity ?? 0.9, batch: m.batch ?? 1, phases: m.phases ?? [...PHASE_LIST], sample: m.sample ?? 8,
    actPattern: m.actPattern ?? 'uniform', seed: m.seed ?? 1,
  };
  const networks = (s.networks ?? []).map((n, i) => {
    const dataset: Dataset = n.dataset ?? (n.name === 'wrn28-10' ? 'cifar' : 'imagenet');
    within(`networks[${i}]`, () => network(n.name, dataset));
    return { name: n.name, dataset };
  });
  const workloads = (s.workloads ?? []).map((w, i) => within(`workloads[${i}]`, () => validateWorkload(w, baseDir)));
  const gemms = (s.gemms ?? []).map((g): SpaceGemm => ({
    name: g.name!, pattern: g.pattern ?? 'ew', sparsity: g.sparsity ?? model.sparsity, actDensity: g.actDensity ?? 0.5,
    batch: g.batch ?? 16, seed: g.seed ?? model.seed, sample: g.sample ?? model.sample, mapping: g.mapping ?? 'packed',
    ...(g.tile !== undefined ? { tile: g.tile } : {}), ...(g.block !== undefined ? { block: g.block } : {}),
  }));
  const work: WorkPart = { networks, workloads, gemms, model };

  // The cost table, read and scaled once here so a bad table or node is bad input before anything runs.
  const techFile = s.tech === undefined ? undefined : path.resolve(baseDir, s.tech);
  const tech = within(s.node !== undefined ? `node ${s.node} (tech ${s.tech ?? 'built-in'})` : 'tech', () => loadTech(techFile, s.node));
  const techText = fs.readFileSync(techFile ?? DEFAULT_TECH_FILE, 'utf8');

  // Tensor files enter the hash by content.
  const workloadsForHash = workloads.map((w, i) => {
    if (!w.tensors) return w;
    const tensors: Record<string, string> = {};
    for (const [k, f] of Object.entries(w.tensors as Record<string, string>)) {
      let bytes: Buffer;
      try { bytes = fs.readFileSync(f); } catch { throw new TensorFileError(`space workloads[${i}]: tensor file '${f}' (${k}) cannot be read`); }
      tensors[k] = `sha256:${sha256(bytes)}`;
    }
    return { ...w, tensors };
  });
  const workKey = {
    networks, workloads: workloadsForHash, gemms,
    ...(networks.length ? { model } : {}),
    tech: sha256(canonical(JSON.parse(techText))), node: tech.node,
  };

  const dims = s.config;
  const varying = Object.keys(dims).filter((k) => dims[k].length > 1);
  const points = product(dims).map((values): SweepPoint => {
    const label = varying.length ? varying.map((k) => `${k}=${values[k]}`).join(' ') : 'base';
    const config = within(`point ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ') || 'base'}`, () => resolveConfig(values, baseCfg));
    const { name: _n, ...hashed } = config;
    const hash = sha256(canonical({ v: SWEEP_VERSION, config: hashed, work: workKey })).slice(0, 16);
    return { hash, values, label, config };
  });

  // Checks a point would fail on before it runs: value ranges that must fit dataWidth, tensor files per dataWidth.
  const widths = [...new Set(points.map((p) => p.config.dataWidth))];
  workloads.forEach((w, i) => {
    for (const dw of widths) {
      const cfg = points.find((p) => p.config.dataWidth === dw)!.config;
      if (w.valueMax !== undefined && w.valueMax > 2 ** (dw - 1) - 1) {
        throw new WorkloadError(`space workloads[${i}]: valueMax ${w.valueMax} does not fit dataWidth=${dw} of point ${points.find((p) => p.config.dataWidth === dw)!.label}; allowed: 1..${2 ** (dw - 1) - 1}`);
      }
      if (w.tensors) within(`workloads[${i}]`, () => makeOperands(w, cfg));
    }
  });
  return { file, dims, varying, base, work, tech: { file: techFile, node: s.node, name: tech.table.name, resolvedNode: tech.node }, points };
}

// ---------------------------------------------------------------------------------------------
// One point

/** What a worker needs to evaluate one point. */
export interface PointJob { hash: string; label: string; values: Record<string, number | string>; config: HwConfig; work: WorkPart; tech: { file?: string; node?: number } }

export interface WorkloadCycles { kind: 'network' | 'workload' | 'gemm'; name: string; design: number; off: number; speedup: number }

export interface PointResult {
  version: number;
  hash: string;
  label: string;
  values: Record<string, number | string>;
  config: HwConfig;
  /** The config's own ant mode. */
  design: AntMode;
  cycles: { design: number; off: number };
  /** off cycles / design cycles (1 for ant = off). */
  speedup: number;
  workloads: WorkloadCycles[];
  counters: { design: Counters; off: Counters };
  /** Design counters x the cost table; `off`: the baseline's counters on the same config with ant = off. */
  energy: { unit: 'pJ'; total: number; components: Record<string, number>; off: number; offComponents: Record<string, number> };
  area: { unit: 'mm^2'; total: number; components: Record<string, number>; antShare: number };
  tech: { name: string; node: number };
  seconds: number;
}

export const pointJob = (space: Space, p: SweepPoint): PointJob =>
  ({ hash: p.hash, label: p.label, values: p.values, config: p.config, work: space.work, tech: { file: space.tech.file, node: space.tech.node } });

const techCache = new Map<string, Tech>();

function addInto(into: Counters, c: Counters, times: number): void {
  for (const n of COUNTER_NAMES) into[n] += c[n] * times;
}

/** Evaluate one point: every network, workload and GEMM of the space on its config. */
export function evaluatePoint(job: PointJob): PointResult {
  const started = Date.now();
  const cfg = job.config;
  const design = cfg.ant;
  const key = `${job.tech.file ?? ''}@${job.tech.node ?? ''}`;
  let tech = techCache.get(key);
  if (!tech) { tech = loadTech(job.tech.file, job.tech.node); techCache.set(key, tech); }
  const total = { design: zeroCounters(), off: zeroCounters() };
  const rows: WorkloadCycles[] = [];
  const row = (kind: WorkloadCycles['kind'], name: string, d: Counters, o: Counters) => {
    addInto(total.design, d, 1);
    addInto(total.off, o, 1);
    rows.push({ kind, name, design: d.cycles, off: o.cycles, speedup: o.cycles / d.cycles });
  };
  const { model } = job.work;
  for (const n of job.work.networks) {
    const tasks = modelTasks({ networks: [n], sparsity: model.sparsity, batch: model.batch, phases: model.phases, pattern: model.actPattern, seed: model.seed, sample: model.sample, jobs: 1 });
    const d = zeroCounters(), o = zeroCounters();
    for (const t of tasks) {
      const r = within(`network ${n.name} layer ${t.layer.name} (${t.phase})`, () => evaluateTask(cfg, t, model.sample));
      addInto(d, r.modes[design], r.repeat);
      addInto(o, r.modes.off, r.repeat);
    }
    row('network', `${n.name}/${n.dataset}`, d, o);
  }
  job.work.workloads.forEach((w, i) => {
    const { d, o } = within(`workloads[${i}]`, () => {
      const mapping = mapWorkload(w, makeOperands(w, cfg).tensors, cfg);
      const off = fastRun({ ...cfg, ant: 'off' }, mapping).counters;
      return { d: design === 'off' ? off : fastRun(cfg, mapping).counters, o: off };
    });
    row('workload', workloadName(w, i), d, o);
  });
  for (const g of job.work.gemms) {
    const gr = within(`gemm ${g.name}`, () => runGemm(cfg, g.name, g));
    const d = zeroCounters(), o = zeroCounters();
    for (const r of gr) { addInto(d, r.modes[design], r.count); addInto(o, r.modes.off, r.count); }
    row('gemm', `${g.name} ${g.pattern} ${g.sparsity}`, d, o);
  }
  const e = energy(total.design, cfg, tech);
  const eOff = energy(total.off, { ...cfg, ant: 'off' }, tech);
  const a = area(cfg, tech);
  return {
    version: SWEEP_VERSION, hash: job.hash, label: job.label, values: job.values, config: cfg, design,
    cycles: { design: total.design.cycles, off: total.off.cycles }, speedup: total.off.cycles / total.design.cycles,
    workloads: rows, counters: total,
    energy: { unit: 'pJ', total: e.total, components: e.components, off: eOff.total, offComponents: eOff.components },
    area: { unit: 'mm^2', total: a.total / 1e6, components: Object.fromEntries(Object.entries(a.components).map(([k, p]) => [k, p.um2 / 1e6])), antShare: a.ant.share },
    tech: { name: tech.table.name, node: tech.node },
    seconds: (Date.now() - started) / 1000,
  };
}

/** A short name of a conv/matmul workload. */
export function workloadName(w: Workload, i: number): string {
  if (w.kind === 'matmul') return `[${i}] matmul ${w.M}x${w.K}x${w.N} ${w.mapping ?? 'perk'}`;
  return `[${i}] conv ${w.phase} ${w.H}x${w.W} C${w.C} K${w.K} ${w.R}x${w.S}/${w.stride}`;
}

