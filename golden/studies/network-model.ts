/**
 * Whole-network sparse-training model: every conv and fully-connected layer of a network, in
 * each training phase, through the exact counters-only cycle model (golden/model/fastpe.ts) for the
 * baseline (ant = off) and every ANT mode, on the same jobs. Layers are independent tasks
 * spread over worker threads. Large layers map an evenly spaced sample of their tile groups
 * and scale by groups.total / groups.mapped (exact when every group is mapped, as in the
 * scaled-down layers the tests cosimulate).
 */
import { ANT_MODES, type AntMode, type HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { runPool } from '../util/pool.ts';
import { fastRun } from '../model/fastpe.ts';
import { TIME_PARTS, sumSplits, timeShares, zeroSplit, type TimeSplit } from '../model/schedule.ts';
import { mapWorkload } from '../mapping/mapper.ts';
import { type Dataset, type Layer, NETWORK_NAMES, denseMacs, network } from './networks.ts';
import { COUNTER_NAMES, zeroCounters, type Counters } from '../../generator/counters.ts';
import { energy, loadTech, type Tech } from '../cost/cost.ts';
import type { SparsityPattern } from '../workload/sparsity.ts';
import { type Phase, makeOperands, validateWorkload, type Workload } from '../workload/workload.ts';

export const PHASES: readonly Phase[] = ['fwd', 'bwd', 'wgrad'];

export interface ModelOptions {
  /** Networks with the dataset (input resolution) each runs at. */
  networks: { name: string; dataset: Dataset }[];
  /** Fraction of zeros in weights, activations and gradients. */
  sparsity: number;
  batch: number;
  phases: Phase[];
  pattern: SparsityPattern;
  seed: number;
  /** Tile groups simulated per layer and phase (the rest is scaled). */
  sample: number;
  /** Worker threads; 1 runs inline. */
  jobs: number;
  /** Cost table (default: the 45 nm table) and technology node. */
  tech?: string;
  node?: number;
}

/** One layer in one phase: the workload the mapper sees. */
export interface LayerTask { network: string; index: number; layer: Layer; phase: Phase; batch: number; workload: Workload }

export interface LayerResult {
  network: string; layer: string; phase: Phase; repeat: number;
  /** Dense MACs of one instance of this layer in this phase. */
  macs: number;
  groups: { total: number; mapped: number };
  /** Scaled counters of one instance, per ant mode. */
  modes: Record<AntMode, Counters>;
  /** Where the PEs' cycles went, per ant mode: shares of cycles x pes (golden/model/schedule.ts). */
  time: Record<AntMode, TimeSplit>;
  /** Cycles at the physical limit: valid products / (pes x F x I). */
  limitCycles: number;
}

/** The workload of a layer in a phase. FC layers run as matmul with the packed mapping. */
export function layerWorkload(layer: Layer, phase: Phase, o: Pick<ModelOptions, 'sparsity' | 'batch' | 'pattern' | 'seed'>, salt: number): Workload {
  const d = 1 - o.sparsity;
  const seed = (o.seed * 1000003 + salt) >>> 0;
  if (layer.kind === 'conv') {
    return validateWorkload({
      kind: 'conv', phase, N: o.batch, C: layer.C, K: layer.K, H: layer.H, W: layer.W, R: layer.R, S: layer.S,
      stride: layer.stride, pad: layer.pad, density: { weights: d, activations: d, gradients: d }, seed, pattern: o.pattern,
    });
  }
  // fwd Y = X W (M=batch, K=in, N=out); bwd dX = dY W^T (K=out, N=in); wgrad dW = X^T dY (M=in, K=batch, N=out).
  const dims = phase === 'fwd' ? [o.batch, layer.inFeatures, layer.outFeatures]
    : phase === 'bwd' ? [o.batch, layer.outFeatures, layer.inFeatures] : [layer.inFeatures, o.batch, layer.outFeatures];
  return validateWorkload({ kind: 'matmul', M: dims[0], K: dims[1], N: dims[2], density: { a: d, b: d }, seed, mapping: 'packed' });
}

/** The tasks of a model run. The first layer has no backward-data phase (no gradient is needed for the input image). */
export function modelTasks(o: ModelOptions): LayerTask[] {
  const tasks: LayerTask[] = [];
  for (const { name, dataset } of o.networks) {
    const net = network(name, dataset);
    net.layers.forEach((layer, index) => {
      for (const phase of o.phases) {
        if (phase === 'bwd' && index === 0) continue;
        tasks.push({ network: name, index, layer, phase, batch: o.batch, workload: layerWorkload(layer, phase, o, index * 3 + PHASES.indexOf(phase)) });
      }
    });
  }
  return tasks;
}

/** Evaluate one task: map once, run every mode on the same jobs, scale to the whole layer. */
export function evaluateTask(cfg: HwConfig, task: LayerTask, sample: number): LayerResult {
  const { tensors } = makeOperands(task.workload, cfg);
  const mapping = mapWorkload(task.workload, tensors, cfg, { sample });
  const scale = mapping.groups.total / Math.max(1, mapping.groups.mapped);
  const cycleScale = mapping.groups.cycleScale ?? scale;
  const modes = {} as Record<AntMode, Counters>;
  const time = {} as Record<AntMode, TimeSplit>;
  for (const ant of ANT_MODES) {
    const run = fastRun({ ...cfg, ant }, mapping);
    const { counters } = run;
    // A sampled layer runs its sample on the first group only: its time is that group's.
    const used = mapping.groups.cycleScale !== undefined ? run.timePerPe.slice(0, mapping.arrayJobs[0]?.group ?? cfg.pes) : run.timePerPe;
    time[ant] = timeShares(sumSplits(used));
    const scaled = {} as Counters;
    for (const n of COUNTER_NAMES) scaled[n] = n === 'cycles' ? cfg.bankDepth + (counters.cycles - cfg.bankDepth) * cycleScale : counters[n] * scale;
    modes[ant] = scaled;
  }
  const macs = denseMacs(task.layer, task.batch);
  const limitCycles = modes.off.valid / (cfg.pes * cfg.F * cfg.I);
  return { network: task.network, layer: task.layer.name, phase: task.phase, repeat: task.layer.repeat, macs, groups: mapping.groups, modes, time, limitCycles };
}

/** The pool's task (golden/util/pool.ts): one layer in one phase. */
export function layerTask(task: LayerTask, shared: { cfg: HwConfig; sample: number }): LayerResult {
  return evaluateTask(shared.cfg, task, shared.sample);
}

/** Run tasks over worker threads (largest first, so the pool stays busy). */
export async function runTasks(cfg: HwConfig, tasks: LayerTask[], sample: number, jobs: number): Promise<LayerResult[]> {
  const order = tasks.map((_t, i) => i).sort((a, b) => weight(tasks[b]) - weight(tasks[a]));
  const results: LayerResult[] = new Array(tasks.length);
  await runPool({ module: import.meta.url, fn: 'layerTask', shared: { cfg, sample } }, order.map((i) => tasks[i]), jobs, {
    result: (k, r: LayerResult) => { results[order[k]] = r; },
  });
  return results;
}

const weight = (t: LayerTask) => (t.layer.kind === 'conv' ? t.layer.C * t.layer.K * t.layer.H * t.layer.W : t.layer.inFeatures * t.layer.outFeatures);

export interface ModeSummary { cycles: number; speedup: number; rcps: number; anticipatedFraction: number; products: number; valid: number; energyPj: number; energyReduction: number; energyBreakdown: Record<string, number> }

export interface NetworkSummary {
  network: string; dataset: Dataset;
  macs: Record<Phase, number>;
  baseline: { cycles: number; rcps: number; products: number; valid: number; energyPj: number; energyBreakdown: Record<string, number> };
  ant: Record<string, ModeSummary>;
  speedup: Record<string, number>;
  energyReduction: Record<string, number>;
  rcp: { anticipatedFraction: Record<string, number>; shareOfBaseline: number };
  layers: LayerResult[];
  /** Where the PEs' cycles went over the whole network, per ant mode (shares of cycles x pes). */
  time: Record<AntMode, TimeSplit>;
  /** The network at the physical limit: valid products / (pes x F x I) cycles. */
  limitCycles: number;
  /** Multiplier utilization per mode: valid products over (cycles x pes x F x I) multiplier slots. */
  utilization: Record<AntMode, number>;
}

/** Sum a network's layers (times their repeat counts) per mode; energy = the summed counters x the cost table (it is linear in them). */
export function summarize(name: string, dataset: Dataset, rows: LayerResult[], cfg: HwConfig, tech: Tech): NetworkSummary {
  const sum = (ant: AntMode): Counters => {
    const c = zeroCounters();
    for (const r of rows) for (const n of COUNTER_NAMES) c[n] += r.modes[ant][n] * r.repeat;
    return c;
  };
  const macs = { fwd: 0, bwd: 0, wgrad: 0 } as Record<Phase, number>;
  for (const r of rows) macs[r.phase] += r.macs * r.repeat;
  const off = sum('off');
  // Time shares of the whole network: each layer's shares weighted by its cycles.
  const timeOf = (ant: AntMode): TimeSplit => {
    const t = zeroSplit();
    for (const r of rows) for (const k of TIME_PARTS) t[k] += r.time[ant][k] * r.modes[ant].cycles * r.repeat;
    return timeShares(t);
  };
  const limitCycles = rows.reduce((a, r) => a + r.limitCycles * r.repeat, 0);
  const offE = energy(off, { ...cfg, ant: 'off' }, tech);
  const base = { cycles: off.cycles, rcps: off.rcps, products: off.products, valid: off.valid, energyPj: offE.total, energyBreakdown: offE.components };
  const ant: Record<string, ModeSummary> = {};
  for (const mode of ANT_MODES.filter((m) => m !== 'off')) {
    const c = sum(mode);
    const e = energy(c, { ...cfg, ant: mode }, tech);
    ant[mode] = {
      cycles: c.cycles, speedup: base.cycles / c.cycles, rcps: c.rcps, anticipatedFraction: base.rcps ? (base.rcps - c.rcps) / base.rcps : 0,
      products: c.products, valid: c.valid, energyPj: e.total, energyReduction: base.energyPj / e.total, energyBreakdown: e.components,
    };
  }
  return {
    network: name, dataset, macs, baseline: base, ant,
    speedup: Object.fromEntries(Object.entries(ant).map(([m, s]) => [m, s.speedup])),
    energyReduction: Object.fromEntries(Object.entries(ant).map(([m, s]) => [m, s.energyReduction])),
    rcp: { anticipatedFraction: Object.fromEntries(Object.entries(ant).map(([m, s]) => [m, s.anticipatedFraction])), shareOfBaseline: base.products ? base.rcps / base.products : 0 },
    layers: rows,
    time: Object.fromEntries(ANT_MODES.map((m) => [m, timeOf(m)])) as Record<AntMode, TimeSplit>,
    limitCycles,
    utilization: Object.fromEntries(ANT_MODES.map((m) => [m, limitCycles / Math.max(1, m === 'off' ? base.cycles : ant[m].cycles)])) as Record<AntMode, number>,
  };
}

export interface ModelResult { options: ModelOptions; config: HwConfig; networks: NetworkSummary[]; geomeanSpeedup: Record<string, number>; geomeanEnergyReduction: Record<string, number>; tech: { node: number; source: string }; seconds: number }

export async function runModel(cfg: HwConfig, o: ModelOptions): Promise<ModelResult> {
  const started = Date.now();
  for (const { name } of o.networks) if (!NETWORK_NAMES.includes(name)) throw new WorkloadError(`network '${name}' is unknown; allowed: ${NETWORK_NAMES.join(', ')}`);
  const tasks = modelTasks(o);
  const rows = await runTasks(cfg, tasks, o.sample, o.jobs);
  const tech = loadTech(o.tech, o.node);
  const networks = o.networks.map(({ name, dataset }) => summarize(name, dataset, rows.filter((r) => r.network === name), cfg, tech));
  const geo = (f: (n: NetworkSummary) => number) => Math.exp(networks.reduce((s, n) => s + Math.log(f(n)), 0) / networks.length);
  const geomeanSpeedup: Record<string, number> = {}, geomeanEnergyReduction: Record<string, number> = {};
  for (const mode of ANT_MODES.filter((m) => m !== 'off')) {
    geomeanSpeedup[mode] = geo((n) => n.speedup[mode]);
    geomeanEnergyReduction[mode] = geo((n) => n.energyReduction[mode]);
  }
  return { options: o, config: cfg, networks, geomeanSpeedup, geomeanEnergyReduction, tech: { node: tech.node, source: o.tech ?? 'golden/cost/tech-45nm.json' }, seconds: (Date.now() - started) / 1000 };
}
