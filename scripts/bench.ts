/** `antforge bench`: build, simulator, VCD-reading and golden-model throughput (testbench/bench.ts), as text or JSON. */
import type { Command } from 'commander';
import { DEFAULT_CYCLES, MAX_CYCLES, QUICK_CYCLES, runBench, type BenchReport } from '../testbench/bench.ts';
import { action, configFrom, notAllowed, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export interface BenchCliOpts extends ConfigOpts { quick?: boolean; cycles?: string }

const k = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(1) + ' ');
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join('/');
const x = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)}x`);

export function benchText(r: BenchReport): string {
  const rows: [string, string][] = [];
  const row = (a: string, b: string) => rows.push([a, b]);
  row('cold build, ports trace', `${r.build.ports.coldSeconds.toFixed(1)} s`);
  row('cached build, ports trace', `${(r.build.ports.cachedSeconds * 1000).toFixed(1)} ms`);
  if (r.build.full) {
    row('cold build, full trace', `${r.build.full.coldSeconds.toFixed(1)} s`);
    row('cached build, full trace', `${(r.build.full.cachedSeconds * 1000).toFixed(1)} ms`);
  }
  const s = r.sim;
  row('sim, no VCD', `${k(s.noVcd.cyclesPerSecond)}cycles/s (${s.noVcd.cycles} cycles in ${s.noVcd.seconds.toFixed(2)} s; ${k(s.rtlPairsPerSecond)}pairs/s)`);
  row('sim, ports VCD', `${k(s.portsVcd.cyclesPerSecond)}cycles/s (${s.portsVcd.seconds.toFixed(2)} s), ${s.portsVcd.vcdBytesPerCycle!.toFixed(0)} B/cycle`);
  if (s.fullVcd) row('sim, full VCD', `${k(s.fullVcd.cyclesPerSecond)}cycles/s (${s.fullVcd.cycles} cycles in ${s.fullVcd.seconds.toFixed(2)} s), ${s.fullVcd.vcdBytesPerCycle!.toFixed(0)} B/cycle`);
  row('ratio no-VCD / ports-VCD', x(s.ratios.noVcdOverPorts));
  if (s.fullVcd) row('ratio ports-VCD / full-VCD', `${x(s.ratios.portsOverFull)} (full VCD ${x(s.ratios.fullVcdBytesOverPorts)} the bytes)`);
  const t = r.readTrace;
  row('readTrace (ports VCD)', `${t.mbPerSecond.toFixed(1)} MB/s, ${k(t.cyclesPerSecond)}cycles/s (${(t.vcdBytes / 1e6).toFixed(0)} MB in ${t.seconds.toFixed(2)} s)`);
  const g = r.golden;
  row(`golden, trace off (best of ${g.repeats})`, `${k(g.traceOff.pairsPerSecond)}pairs/s, ${k(g.traceOff.cyclesPerSecond)}cycles/s`);
  row(`golden, trace on (best of ${g.repeats})`, `${k(g.traceOn.pairsPerSecond)}pairs/s, ${k(g.traceOn.cyclesPerSecond)}cycles/s`);
  row('golden / RTL (no VCD)', x(g.ratios.goldenOverRtl));
  row('golden+trace / RTL ports VCD + readTrace', x(g.ratios.goldenTraceOverRtlTrace));
  const w = Math.max(...rows.map(([a]) => a.length));
  const bad = Object.entries(r.checks).filter(([, ok]) => !ok).map(([n]) => n);
  return [
    `command: ${r.command}`,
    `machine: ${r.machine.nproc} CPUs, ${r.machine.cpu}; ${r.machine.verilator}; node ${r.machine.node}`,
    `load average (1/5/15 min): ${load(r.machine.loadAverage.start)} at start, ${load(r.machine.loadAverage.end)} at end`,
    `config ${r.config.name}; workload ${r.workload.text}: ${r.workload.jobs} jobs, ${r.workload.pairs} pairs, ${r.workload.cycles} cycles`,
    ...rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`),
    bad.length ? `checks FAILED: ${bad.join(', ')}` : 'checks: RTL cycles = golden cycles, VCD transactions = golden transactions',
  ].join('\n') + '\n';
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('measure Verilator build, simulator (no / ports / full VCD), VCD reading and golden-model throughput')
    .option('--quick', `smaller run: ${QUICK_CYCLES} cycles by default, ports-trace build only, no full VCD`)
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
    const r = await runBench(cfg, { quick, cycles, log });
    if (opts.json) process.stdout.write(toJson(r) + '\n');
    else process.stdout.write(benchText(r));
    return Object.values(r.checks).every(Boolean) ? 0 : 1;
  }));
}
