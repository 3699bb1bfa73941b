/** `antforge bench`: build, bare simulator, end-to-end cosim and golden-model throughput (testbench/bench.ts), as text or JSON. */
import type { Command } from 'commander';
import { DEFAULT_CYCLES, MAX_CYCLES, QUICK_CYCLES, runBench, type BenchReport } from '../testbench/bench.ts';
import { action, configFrom, notAllowed, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export interface BenchCliOpts extends ConfigOpts { quick?: boolean; cycles?: string; withVcd?: boolean }

const k = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(1) + ' ');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join('/');
const x = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)}x`);

export function benchText(r: BenchReport): string {
  const rows: [string, string][] = [];
  const row = (a: string, b: string) => rows.push([a, b]);
  const mb = (kb: number | null) => (kb === null ? '-' : `${(kb / 1024).toFixed(0)} MB`);
  row(`cold build${r.build.hierarchical ? ' (hierarchical)' : ''}`, `${r.build.coldSeconds.toFixed(1)} s`);
  row('cached build', `${(r.build.cachedSeconds * 1000).toFixed(1)} ms`);
  row('bare simulation', `${k(r.bare.cyclesPerSecond)}cycles/s (${r.bare.cycles} cycles in ${r.bare.seconds.toFixed(2)} s; peak ${mb(r.bare.peakRssKb)})`);
  const e = r.endToEnd;
  row('end to end (cosim)', `${k(e.cyclesPerSecond)}cycles/s (${e.seconds.toFixed(2)} s: simulation ${e.simSeconds.toFixed(2)} s with the golden model alongside ${e.goldenSeconds.toFixed(2)} s, then compare ${e.compareSeconds.toFixed(2)} s) ${e.pass ? 'PASS' : 'FAIL'}`);
  row('records', `${e.recordBytesPerCycle.toFixed(0)} B/cycle, ${e.transactions} transactions`);
  row('peak memory', `simulator ${mb(e.peakRssKb.sim)}, node ${mb(e.peakRssKb.node)}`);
  row('end to end / bare', x(r.ratios.endToEndOverBare));
  const g = r.golden;
  row(`golden cycle model (best of ${g.repeats})`, `${k(g.cycleModel.pairsPerSecond)}pairs/s, ${k(g.cycleModel.cyclesPerSecond)}cycles/s`);
  row(`golden fast model (best of ${g.repeats})`, `${k(g.fastModel.pairsPerSecond)}pairs/s, ${k(g.fastModel.cyclesPerSecond)}cycles/s`);
  row('golden cycle model / RTL (bare)', x(r.ratios.goldenOverRtl));
  if (r.vcdPath) {
    const v = r.vcdPath;
    row('VCD path: flat traced build', `${v.build.coldSeconds.toFixed(1)} s`);
    row('VCD path: simulation', `${k(v.sim.cyclesPerSecond)}cycles/s, ${v.sim.vcdBytesPerCycle.toFixed(0)} B/cycle`);
    row('VCD path: readTrace', `${k(v.readTrace.cyclesPerSecond)}cycles/s, ${v.readTrace.mbPerSecond.toFixed(1)} MB/s`);
    row('end to end / VCD path (sim + read)', x(r.ratios.endToEndOverVcdPath));
  }
  const w = Math.max(...rows.map(([a]) => a.length));
  const bad = Object.entries(r.checks).filter(([, ok]) => !ok).map(([n]) => n);
  return [
    `command: ${r.command}`,
    `machine: ${r.machine.nproc} CPUs, ${r.machine.cpu}; ${r.machine.verilator}; node ${r.machine.node}`,
    `load average (1/5/15 min): ${load(r.machine.loadAverage.start)} at start, ${load(r.machine.loadAverage.end)} at end`,
    `config ${r.config.name} (${r.config.pes} PEs); workload ${r.workload.text}: ${r.workload.jobs} jobs, ${r.workload.pairs} pairs, ${r.workload.cycles} cycles`,
    ...rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`),
    bad.length ? `checks FAILED: ${bad.join(', ')}` : 'checks: RTL cycles = golden cycles, cosim PASS',
  ].join('\n') + '\n';
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('measure the Verilator build (cold, cached), the bare simulator, the end-to-end cosim and its memory, and the golden model')
    .option('--quick', `smaller run: ${QUICK_CYCLES} cycles by default`)
    .option('--with-vcd', 'also measure the old compare path (a flat traced build, a ports VCD read back) for comparison')
    .option('--cycles <n>', `target simulated cycles (default ${DEFAULT_CYCLES}, ${QUICK_CYCLES} with --quick; at most ${MAX_CYCLES})`);
  withJson(withConfig(cmd)).action(action(async (opts: BenchCliOpts) => {
    const cfg = configFrom(opts);
    const quick = !!opts.quick;
    let cycles = quick ? QUICK_CYCLES : DEFAULT_CYCLES;
    if (opts.cycles !== undefined) {
      cycles = Number(opts.cycles);
      if (!Number.isInteger(cycles) || cycles < 1000 || cycles > MAX_CYCLES) {
        throw notAllowed('--cycles', opts.cycles, `an integer 1000..${MAX_CYCLES}`);
      }
    }
    const log = opts.json ? () => {} : (s: string) => process.stderr.write(`bench: ${s}\n`);
    const r = await runBench(cfg, { quick, cycles, withVcd: !!opts.withVcd, log });
    if (opts.json) process.stdout.write(toJson(r) + '\n');
    else process.stdout.write(benchText(r));
    return Object.values(r.checks).every(Boolean) ? 0 : 1;
  }));
}
