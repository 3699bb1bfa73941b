/** `antforge model`: whole-network sparse-training cycles, baseline against every ANT mode. */
import type { Command } from 'commander';
import { ConfigError } from '../generator/errors.ts';
import type { HwConfig } from '../generator/config.ts';
import { DATASETS, NETWORK_NAMES, type Dataset, network } from '../golden/networks.ts';
import { PHASES, defaultJobs, runModel, type ModelOptions, type ModelResult } from '../golden/model.ts';
import { SPARSITY_PATTERNS, type SparsityPattern } from '../golden/sparsity.ts';
import type { Phase } from '../golden/workload.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export interface ModelCliOpts extends ConfigOpts {
  network?: string; all?: boolean; dataset: string; sparsity: string; batch: string; phases: string;
  pattern: string; seed: string; sample: string; jobs?: string; layers?: boolean;
}

const bad = (opt: string, v: string, allowed: string) => new ConfigError(`${opt} '${v}' is not allowed; allowed: ${allowed}`);

function num(opt: string, v: string, lo: number, hi: number, int: boolean): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi || (int && !Number.isInteger(n))) throw bad(opt, v, `${int ? 'an integer' : 'a number'} ${lo}..${hi}`);
  return n;
}

/** Model options from the command line; every value checked with one clear message. */
export function modelOptions(o: ModelCliOpts): ModelOptions {
  if (!o.all === !o.network) throw new ConfigError(`give exactly one of --network NAME (${NETWORK_NAMES.join(', ')}) or --all`);
  if (!(DATASETS as readonly string[]).includes(o.dataset)) throw bad('--dataset', o.dataset, DATASETS.join(' | '));
  const dataset = o.dataset as Dataset;
  const names = o.all ? [...NETWORK_NAMES] : [o.network!];
  for (const n of names) if (!NETWORK_NAMES.includes(n)) throw bad('--network', n, NETWORK_NAMES.join(' | '));
  // A network defined for one dataset only (WRN-28-10: CIFAR) runs at its own resolution.
  const networks = names.map((name) => {
    try { network(name, dataset); return { name, dataset }; } catch { return { name, dataset: (dataset === 'imagenet' ? 'cifar' : 'imagenet') as Dataset }; }
  });
  const phases = o.phases.split(',').map((p) => p.trim());
  for (const p of phases) if (!(PHASES as readonly string[]).includes(p)) throw bad('--phases', o.phases, 'a comma list of fwd, bwd, wgrad');
  if (!(SPARSITY_PATTERNS as readonly string[]).includes(o.pattern)) throw bad('--pattern', o.pattern, SPARSITY_PATTERNS.join(' | '));
  return {
    networks, phases: phases as Phase[], pattern: o.pattern as SparsityPattern,
    sparsity: num('--sparsity', o.sparsity, 0, 0.999, false),
    batch: num('--batch', o.batch, 1, 256, true),
    seed: num('--seed', o.seed, 0, 2 ** 32 - 1, true),
    sample: num('--sample', o.sample, 1, 1e9, true),
    jobs: o.jobs === undefined ? defaultJobs() : num('--jobs', o.jobs, 1, 256, true),
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
    .option('--pattern <p>', 'where activation/gradient non-zeros fall: uniform or clustered', 'uniform')
    .option('--seed <n>', 'operand seed', '1')
    .option('--sample <n>', 'tile groups simulated per layer and phase (the rest is scaled; exact when a layer has no more)', '8')
    .option('--jobs <n>', 'worker threads (default: one per core)');
}

const fmt = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function modelText(r: ModelResult, layers: boolean): string {
  const o = r.options;
  const lines = [
    `model: ${r.config.name} (${r.config.pes} PE${r.config.pes > 1 ? 's' : ''}, F=${r.config.F} I=${r.config.I}, ${r.config.banks}x${r.config.bankDepth} accumulators, lookahead ${r.config.antLookahead}); ` +
      `sparsity ${o.sparsity}, ${o.pattern}, batch ${o.batch}, phases ${o.phases.join(',')}, sample ${o.sample} groups/layer; ${r.seconds.toFixed(1)} s`,
    '',
    `${'network'.padEnd(13)}${'data'.padEnd(9)}${'MACs/phase'.padStart(11)}${'base cycles'.padStart(13)}${'filter'.padStart(16)}${'window'.padStart(16)}${'RCP share'.padStart(11)}${'anticipated'.padStart(13)}`,
  ];
  for (const n of r.networks) {
    lines.push(`${n.network.padEnd(13)}${n.dataset.padEnd(9)}${fmt(n.macs.fwd || n.macs.wgrad || n.macs.bwd).padStart(11)}${fmt(n.baseline.cycles).padStart(13)}` +
      `${`${fmt(n.ant.filter.cycles)} ${n.speedup.filter.toFixed(2)}x`.padStart(16)}${`${fmt(n.ant.window.cycles)} ${n.speedup.window.toFixed(2)}x`.padStart(16)}` +
      `${pct(n.rcp.shareOfBaseline).padStart(11)}${pct(n.rcp.anticipatedFraction.window).padStart(13)}`);
  }
  if (r.networks.length > 1) lines.push('', `geometric mean speedup: filter ${r.geomeanSpeedup.filter.toFixed(2)}x, window ${r.geomeanSpeedup.window.toFixed(2)}x (ANT paper: 3.71x)`);
  if (layers) {
    for (const n of r.networks) {
      lines.push('', `${n.network} (${n.dataset}) per layer:`, `  ${'layer'.padEnd(30)}${'phase'.padEnd(7)}${'x'.padStart(4)}${'MACs'.padStart(10)}${'off'.padStart(11)}${'filter'.padStart(11)}${'window'.padStart(11)}${'speedup'.padStart(9)}${'sampled'.padStart(10)}`);
      for (const l of n.layers) {
        lines.push(`  ${l.layer.slice(0, 29).padEnd(30)}${l.phase.padEnd(7)}${String(l.repeat).padStart(4)}${fmt(l.macs).padStart(10)}${fmt(l.modes.off.cycles).padStart(11)}` +
          `${fmt(l.modes.filter.cycles).padStart(11)}${fmt(l.modes.window.cycles).padStart(11)}${`${(l.modes.off.cycles / l.modes.window.cycles).toFixed(2)}x`.padStart(9)}${`${l.groups.mapped}/${l.groups.total}`.padStart(10)}`);
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
      speedup: n.speedup, rcp: n.rcp,
      layers: n.layers.map((l) => ({ layer: l.layer, phase: l.phase, repeat: l.repeat, macs: l.macs, groups: l.groups, cycles: Object.fromEntries(Object.entries(l.modes).map(([m, c]) => [m, c.cycles])), counters: l.modes })),
    })),
    geomeanSpeedup: r.networks.length > 1 ? r.geomeanSpeedup : undefined,
  };
}

export function registerModel(program: Command): void {
  const cmd = program.command('model').description('cycles of whole-network sparse training: the baseline (ant off) against every ANT mode, per layer and phase');
  withJson(withConfig(withModelOptions(cmd))).option('--layers', 'also print per-layer rows').action(action(async (opts: ModelCliOpts) => {
    const cfg = configFrom(opts);
    const r = await runModel(cfg, modelOptions(opts));
    process.stdout.write(opts.json ? toJson(modelJson(r, cfg)) + '\n' : modelText(r, !!opts.layers));
  }));
}
