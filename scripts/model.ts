/** `antforge model`: whole-network sparse-training cycles, baseline against every ANT mode. */
import type { Command } from 'commander';
import { TIME_PARTS, type TimeSplit } from '../golden/model/schedule.ts';
import { OptionError } from '../generator/errors.ts';
import { defaultJobs } from '../golden/util/pool.ts';
import type { HwConfig } from '../generator/config.ts';
import { DATASETS, NETWORK_NAMES, type Dataset, network } from '../golden/studies/networks.ts';
import { PHASES, runModel, type ModelOptions, type ModelResult } from '../golden/studies/network-model.ts';
import { SPARSITY_PATTERNS, type SparsityPattern } from '../golden/workload/sparsity.ts';
import type { Phase } from '../golden/workload/workload.ts';
import { action, configFrom, notAllowed, numOption, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';
import { GEMM_NAMES } from '../golden/studies/gemm-tables.ts';
import { compareGemm, type GemmComparison, type GemmOptions } from '../golden/studies/gemm.ts';
import { PATTERNS, type Pattern } from '../golden/workload/patterns.ts';

export interface ModelCliOpts extends ConfigOpts {
  network?: string; all?: boolean; dataset: string; sparsity: string; batch: string; phases: string;
  actPattern: string; seed: string; sample: string; jobs?: string; layers?: boolean;
  gemm?: string; pattern?: string; actDensity: string; tile?: string; block?: string; tech?: string; node?: string;
}

/** Model options from the command line; every value checked with one clear message. */
export function modelOptions(o: ModelCliOpts): ModelOptions {
  if (!o.all === !o.network) throw new OptionError(`give exactly one of --network NAME (${NETWORK_NAMES.join(', ')}) or --all`);
  if (!(DATASETS as readonly string[]).includes(o.dataset)) throw notAllowed('--dataset', o.dataset, DATASETS.join(' | '));
  const dataset = o.dataset as Dataset;
  const names = o.all ? [...NETWORK_NAMES] : [o.network!];
  for (const n of names) if (!NETWORK_NAMES.includes(n)) throw notAllowed('--network', n, NETWORK_NAMES.join(' | '));
  // A network defined for one dataset only (WRN-28-10: CIFAR) runs at its own resolution.
  const networks = names.map((name) => {
    try { network(name, dataset); return { name, dataset }; } catch { return { name, dataset: (dataset === 'imagenet' ? 'cifar' : 'imagenet') as Dataset }; }
  });
  const phases = o.phases.split(',').map((p) => p.trim());
  for (const p of phases) if (!(PHASES as readonly string[]).includes(p)) throw notAllowed('--phases', o.phases, 'a comma list of fwd, bwd, wgrad');
  if (!(SPARSITY_PATTERNS as readonly string[]).includes(o.actPattern)) throw notAllowed('--act-pattern', o.actPattern, SPARSITY_PATTERNS.join(' | '));
  return {
    networks, phases: phases as Phase[], pattern: o.actPattern as SparsityPattern,
    sparsity: numOption('--sparsity', o.sparsity, 0, 0.999, false),
    batch: numOption('--batch', o.batch, 1, 256, true),
    seed: numOption('--seed', o.seed, 0, 2 ** 32 - 1, true),
    sample: numOption('--sample', o.sample, 1, 1e9, true),
    jobs: o.jobs === undefined ? defaultJobs() : numOption('--jobs', o.jobs, 1, 256, true),
    ...(o.tech ? { tech: o.tech } : {}),
    ...(o.node ? { node: numOption('--node', o.node, 3, 180, false) } : {}),
  };
}

export function withModelOptions(cmd: Command): Command {
  return cmd
    .option('--network <name>', `one network: ${NETWORK_NAMES.join(', ')}`)
    .option('--all', 'every network (WRN-28-10 runs at CIFAR resolution, the only one it has)')
    .option('--dataset <name>', 'input resolution: imagenet (224x224) or cifar (32x32)', 'imagenet')
    .option('--sparsity <s>', 'fraction of zeros in weights, activations and gradients', '0.9')
    .option('--batch <n>', 'batch size', '1')
    .option('--phases <list>', 'training phases, comma separated', 'fwd,bwd,wgrad')
    .option('--act-pattern <p>', 'where activation/gradient non-zeros fall: uniform or clustered', 'uniform')
    .option('--seed <n>', 'operand seed', '1')
    .option('--sample <n>', 'tile groups simulated per layer and phase (the rest is scaled; exact when a layer has no more)', '8')
    .option('--jobs <n>', 'worker threads (default: one per core)')
    .option('--tech <file>', 'cost table JSON for energy (default: golden/cost/tech-45nm.json)')
    .option('--node <nm>', 'technology node to scale the cost table to');
}

const fmt = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function modelText(r: ModelResult, layers: boolean): string {
  const o = r.options;
  const lines = [
    `model: ${r.config.name} (${r.config.pes} PE${r.config.pes > 1 ? 's' : ''}, F=${r.config.F} I=${r.config.I}, ${r.config.banks}x${r.config.bankDepth} accumulators, lookahead ${r.config.antLookahead}); ` +
      `sparsity ${o.sparsity}, ${o.pattern}, batch ${o.batch}, phases ${o.phases.join(',')}, sample ${o.sample} groups/layer; ${r.seconds.toFixed(1)} s`,
    '',
    `${'network'.padEnd(13)}${'data'.padEnd(9)}${'MACs/phase'.padStart(11)}${'base cycles'.padStart(13)}${'filter'.padStart(16)}${'window'.padStart(16)}${'RCP share'.padStart(11)}${'anticipated'.padStart(13)}${'energy (off)'.padStart(14)}${'energy red.'.padStart(13)}`,
  ];
  for (const n of r.networks) {
    lines.push(`${n.network.padEnd(13)}${n.dataset.padEnd(9)}${fmt(n.macs.fwd || n.macs.wgrad || n.macs.bwd).padStart(11)}${fmt(n.baseline.cycles).padStart(13)}` +
      `${`${fmt(n.ant.filter.cycles)} ${n.speedup.filter.toFixed(2)}x`.padStart(16)}${`${fmt(n.ant.window.cycles)} ${n.speedup.window.toFixed(2)}x`.padStart(16)}` +
      `${pct(n.rcp.shareOfBaseline).padStart(11)}${pct(n.rcp.anticipatedFraction.window).padStart(13)}${`${fmt(n.baseline.energyPj / 1e6)} uJ`.padStart(14)}${`${n.energyReduction.window.toFixed(2)}x`.padStart(13)}`);
  }
  // Where the time goes and how far from the physical limit, per network.
  const split = (t: TimeSplit) => TIME_PARTS.filter((k) => t[k] >= 0.005).map((k) => `${k} ${pct(t[k])}`).join(', ');
  lines.push('', 'where the time goes (share of cycles x PEs), and window cycles over the physical limit (valid products / (pes x F x I)):');
  for (const n of r.networks) {
    const busy = (m: 'off' | 'window') => `multipliers ${(100 * n.utilization[m]).toFixed(1)}% busy`;
    lines.push(`  ${n.network.padEnd(12)} off: ${split(n.time.off)}; ${busy('off')}`, `  ${''.padEnd(12)} window: ${split(n.time.window)}; ${busy('window')}, ${(n.ant.window.cycles / Math.max(1, n.limitCycles)).toFixed(1)}x the limit of ${fmt(n.limitCycles)} cycles`);
  }
  if (r.networks.length > 1) {
    lines.push('', `geometric mean speedup: filter ${r.geomeanSpeedup.filter.toFixed(2)}x, window ${r.geomeanSpeedup.window.toFixed(2)}x (ANT paper: 3.71x)`);
    lines.push(`geometric mean energy reduction: filter ${r.geomeanEnergyReduction.filter.toFixed(2)}x, window ${r.geomeanEnergyReduction.window.toFixed(2)}x (ANT paper: 4.40x); cost table at ${r.tech.node} nm`);
  }
  if (layers) {
    for (const n of r.networks) {
      lines.push('', `${n.network} (${n.dataset}) per layer:`, `  ${'layer'.padEnd(30)}${'phase'.padEnd(7)}${'x'.padStart(4)}${'MACs'.padStart(10)}${'off'.padStart(11)}${'filter'.padStart(11)}${'window'.padStart(11)}${'speedup'.padStart(9)}${'sampled'.padStart(10)}`);
      for (const l of n.layers) {
        lines.push(`  ${l.layer.slice(0, 29).padEnd(30)}${l.phase.padEnd(7)}${String(l.repeat).padStart(4)}${fmt(l.macs).padStart(10)}${fmt(l.modes.off.cycles).padStart(11)}` +
          `${fmt(l.modes.filter.cycles).padStart(11)}${fmt(l.modes.window.cycles).padStart(11)}${`${(l.modes.off.cycles / l.modes.window.cycles).toFixed(2)}x`.padStart(9)}${`${l.groups.mapped}/${l.groups.total}`.padStart(10)}` +
          `  window: ${split(l.time.window)}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** JSON shape of a model run: per network baseline, ant (per mode), speedup, rcp, macs, layers. */
export function modelJson(r: ModelResult, cfg: HwConfig): object {
  return {
    ok: true, config: cfg, options: r.options, seconds: r.seconds,
    networks: r.networks.map((n) => ({
      network: n.network, dataset: n.dataset, macs: n.macs,
      baseline: n.baseline,
      ant: Object.fromEntries(Object.entries(n.ant).map(([m, s]) => [m, s])),
      speedup: n.speedup, energyReduction: n.energyReduction, rcp: n.rcp, time: n.time, limitCycles: n.limitCycles, utilization: n.utilization,
      layers: n.layers.map((l) => ({ layer: l.layer, phase: l.phase, repeat: l.repeat, macs: l.macs, groups: l.groups, cycles: Object.fromEntries(Object.entries(l.modes).map(([m, c]) => [m, c.cycles])), counters: l.modes, time: l.time, limitCycles: l.limitCycles })),
    })),
    geomeanSpeedup: r.networks.length > 1 ? r.geomeanSpeedup : undefined,
    geomeanEnergyReduction: r.networks.length > 1 ? r.geomeanEnergyReduction : undefined,
    tech: r.tech,
  };
}

export function registerModel(program: Command): void {
  const cmd = program.command('model').description('cycles of whole-network sparse training (--network/--all), or of a structured-sparsity GEMM workload (--gemm): the baseline (ant off) against every ANT mode');
  withJson(withConfig(withModelOptions(cmd)))
    .option('--layers', 'also print per-layer rows')
    .option('--gemm <name>', `a GEMM workload: ${GEMM_NAMES.join(', ')}`)
    .option('--pattern <p>', `with --gemm: weight pruning pattern, ${PATTERNS.join(', ')}`, 'ew')
    .option('--act-density <d>', 'with --gemm: density of the activation operand', '0.5')
    .option('--tile <g>', 'with --gemm: tile width G of tw/tw2/tvw (default 128)')
    .option('--block <b>', 'with --gemm: block size of bw (default 32)')
    .action(action(async (opts: ModelCliOpts) => {
      const cfg = configFrom(opts);
      if (opts.gemm !== undefined) {
        const go = gemmOptions(opts);
        const r = compareGemm(cfg, go.name, go);
        process.stdout.write(opts.json ? toJson({ ok: true, config: cfg, ...r }) + '\n' : gemmText(r));
        return;
      }
      const r = await runModel(cfg, modelOptions(opts));
      process.stdout.write(opts.json ? toJson(modelJson(r, cfg)) + '\n' : modelText(r, !!opts.layers));
    }));
}

/** The GEMM options from the command line. */
export function gemmOptions(o: ModelCliOpts): GemmOptions & { name: string } {
  if (o.network || o.all) throw new OptionError('give either --gemm or --network/--all, not both');
  if (!GEMM_NAMES.includes(o.gemm!)) throw notAllowed('--gemm', o.gemm!, GEMM_NAMES.join(' | '));
  if (!(PATTERNS as readonly string[]).includes(o.pattern ?? 'ew')) throw notAllowed('--pattern', o.pattern!, PATTERNS.join(' | '));
  return {
    name: o.gemm!, pattern: (o.pattern ?? 'ew') as Pattern,
    sparsity: numOption('--sparsity', o.sparsity, 0, 0.999, false), actDensity: numOption('--act-density', o.actDensity, 0.001, 1, false),
    seed: numOption('--seed', o.seed, 0, 2 ** 32 - 1, true), sample: numOption('--sample', o.sample, 1, 1e9, true), batch: numOption('--batch', o.batch === '1' ? '16' : o.batch, 1, 4096, true),
    ...(o.tile ? { tile: numOption('--tile', o.tile, 1, 1 << 20, true) } : {}), ...(o.block ? { block: numOption('--block', o.block, 1, 1 << 20, true) } : {}),
  };
}

export function gemmText(r: GemmComparison): string {
  const o = r.options;
  const lines = [`gemm ${r.gemm}: pattern ${o.pattern} at ${o.sparsity} sparsity, activations at ${o.actDensity} density`,
    `  ${'gemm'.padEnd(26)}${'M x K x N'.padEnd(18)}${'x'.padStart(3)}${'pruned'.padStart(8)}${'off'.padStart(12)}${'filter'.padStart(12)}${'window'.padStart(12)}`];
  for (const g of r.rows) {
    lines.push(`  ${g.gemm.padEnd(26)}${`${g.M}x${g.K}x${g.N}`.padEnd(18)}${String(g.count).padStart(3)}${`${(100 * g.achievedSparsity).toFixed(1)}%`.padStart(8)}` +
      `${g.modes.off.cycles.toExponential(2).padStart(12)}${g.modes.filter.cycles.toExponential(2).padStart(12)}${g.modes.window.cycles.toExponential(2).padStart(12)}`);
  }
  const s = r.summary;
  lines.push(`  total cycles: off ${s.cycles.off.toExponential(3)}, filter ${s.cycles.filter.toExponential(3)}, window ${s.cycles.window.toExponential(3)}; multiplier utilization (window) ${(100 * s.utilization.window).toFixed(1)}%`);
  lines.push(`  energy: off ${(s.energyPj.off / 1e6).toFixed(2)} uJ, window ${(s.energyPj.window / 1e6).toFixed(2)} uJ; dense GEMM ${(r.dense.energyPj.off / 1e6).toFixed(2)} uJ`);
  lines.push(`  vs the dense GEMM on the same array (per-k, ant off): ${r.vsDense.off.toFixed(2)}x (off), ${r.vsDense.window.toFixed(2)}x (window); vs ew at the same sparsity: ${r.vsEw.off.toFixed(2)}x (off), ${r.vsEw.window.toFixed(2)}x (window)`);
  return lines.join('\n') + '\n';
}
