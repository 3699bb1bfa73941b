/**
 * `antforge bench`: measures, in one run on one machine, what the flows cost:
 *   1. Verilator build: cold (fresh private cache) and cached (second call), ports and full trace;
 *   2. simulator throughput in simulated cycles/s: no VCD, VCD of the PE's ports, full VCD;
 *   3. VCD -> transactions (readTrace) in MB/s and cycles/s;
 *   4. golden cycle model in pairs/s, trace off and on, and its speed against the RTL.
 * The figures are measurements of this machine at this moment, not targets: compare ratios
 * within one run, not seconds across runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { HwConfig } from '../generator/config.ts';
import { ConfigError } from '../generator/errors.ts';
import { generate } from '../generator/index.ts';
import { mapWorkload, type Mapping } from '../golden/mapping/mapper.ts';
import { runArray } from '../golden/model/array.ts';
import { makeOperands, validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { buildSim } from '../testbench/build.ts';
import { runSim, type SimResult } from '../testbench/run.ts';
import { writeStimulus } from '../testbench/stimulus.ts';
import { toolVersion } from '../testbench/tools.ts';
import { readTrace } from '../testbench/trace.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';
import { describeWorkload } from './cosim.ts';

export interface BenchCliOpts extends ConfigOpts { quick?: boolean; cycles?: string }

const DEFAULT_CYCLES = 1_000_000;
const QUICK_CYCLES = 150_000;
const MAX_CYCLES = 20_000_000;
/** The full-trace VCD is ~10x the ports VCD (about 3 kB a cycle on the default config): cap its run. */
const FULL_VCD_CYCLES = 200_000;
/** Golden-model timings: best of this many runs (the first also warms the JIT). */
const GOLDEN_REPEATS = 3;

/** The benchmark layer: a sparse wgrad conv whose batch N is scaled to reach the target cycles. */
function benchLayer(N: number): Workload {
  return validateWorkload({
    kind: 'conv', phase: 'wgrad', N, C: 8, K: 8, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1,
    density: { activations: 0.5, gradients: 0.5 }, seed: 7,
  });
}

const now = () => process.hrtime.bigint();
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

interface SimFigures { cycles: number; status: 'done' | 'hang'; seconds: number; cyclesPerSecond: number; vcdBytes: number | null; vcdBytesPerCycle: number | null }

function simFigures(r: SimResult, vcd?: string): SimFigures {
  const vcdBytes = vcd ? fs.statSync(vcd).size : null;
  return {
    cycles: r.cycles, status: r.status, seconds: r.seconds, cyclesPerSecond: r.cycles / Math.max(r.seconds, 1e-9),
    vcdBytes, vcdBytesPerCycle: vcdBytes === null ? null : vcdBytes / Math.max(r.cycles, 1),
  };
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** The command line as typed, for the report (quoted where the shell would need it). */
function commandLine(): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const script = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) || process.argv[1] : 'antforge';
  return ['node', script, ...process.argv.slice(2)].map(quote).join(' ');
}

/** Best (shortest) of `n` timed runs. */
function bestOf<T>(n: number, body: () => T): { seconds: number; result: T } {
  let best = Infinity;
  let result!: T;
  for (let k = 0; k < n; k++) {
    const t = now();
    result = body();
    best = Math.min(best, since(t));
  }
  return { seconds: best, result };
}

export async function runBench(cfg: HwConfig, opts: { quick: boolean; cycles: number; log: (s: string) => void }) {
  const { quick, cycles: target, log } = opts;
  const loadAtStart = os.loadavg();
  const machine = { nproc: os.availableParallelism(), cpu: cpuModel(), verilator: toolVersion('verilator'), node: process.version,
    /** 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
    loadAverage: { start: loadAtStart, end: loadAtStart } };

  // Workload: N = 1 gives the cycles per batch item; scale N to reach the target.
  const probe = benchLayer(1);
  const probeRun = runArray(cfg, mapWorkload(probe, makeOperands(probe, cfg).tensors, cfg), { trace: false });
  const N = Math.max(1, Math.min(4096, Math.round(target / Math.max(1, probeRun.counters.cycles))));
  const w = benchLayer(N);
  let t = now();
  const { tensors } = makeOperands(w, cfg);
  const mapping: Mapping = mapWorkload(w, tensors, cfg);
  const mapSeconds = since(t);
  log(`workload ${describeWorkload(w)}: ${mapping.arrayJobs.length} jobs (operands + mapping ${mapSeconds.toFixed(2)} s)`);

  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-bench-cache-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-bench-'));
  try {
    // 1. Builds: cold in a fresh cache folder, then the same call again (a hash and a stat).
    const modules = generate(cfg);
    const builds = (trace: 'ports' | 'full') => {
      log(`cold ${trace}-trace Verilator build...`);
      let t0 = now();
      const cold = buildSim(cfg, modules, { trace, cacheRoot });
      const coldSeconds = since(t0);
      t0 = now();
      const warm = buildSim(cfg, modules, { trace, cacheRoot });
      const cachedSeconds = since(t0);
      if (cold.cached || !warm.cached) throw new Error(`bench: expected a cold then a cached ${trace} build in ${cacheRoot}`);
      log(`  cold ${coldSeconds.toFixed(1)} s, cached ${(cachedSeconds * 1000).toFixed(1)} ms`);
      return { exe: cold.exe, figures: { hash: cold.hash, coldSeconds, cachedSeconds } };
    };
    const ports = builds('ports');
    const full = quick ? null : builds('full');

    // Golden model first: its cycle count sets the simulators' limits and checks their results.
    log('golden cycle model...');
    const gOff = bestOf(GOLDEN_REPEATS, () => runArray(cfg, mapping, { trace: false }));
    const gOn = bestOf(GOLDEN_REPEATS, () => runArray(cfg, mapping, { trace: true }));
    const gc = gOff.result.counters;
    const golden = {
      repeats: GOLDEN_REPEATS,
      pairs: gc.pairs,
      cycles: gc.cycles,
      traceOff: { seconds: gOff.seconds, pairsPerSecond: gc.pairs / gOff.seconds, cyclesPerSecond: gc.cycles / gOff.seconds },
      traceOn: { seconds: gOn.seconds, pairsPerSecond: gc.pairs / gOn.seconds, cyclesPerSecond: gc.cycles / gOn.seconds, transactions: gOn.result.trace!.length },
    };

    // 2. Simulator throughput, same stimulus, three ways.
    t = now();
    const stim = writeStimulus(cfg, mapping.arrayJobs, work);
    const stimulusSeconds = since(t);
    const maxCycles = gc.cycles * 2 + 1000;
    log(`simulating ${gc.cycles} cycles without VCD...`);
    const noVcd = simFigures(runSim(ports.exe, { stimDir: work, maxCycles }));
    log(`  ${(noVcd.cyclesPerSecond / 1e3).toFixed(0)} k cycles/s; with the ports VCD...`);
    const portsVcdFile = path.join(work, 'ports.vcd');
    const portsRun = runSim(ports.exe, { stimDir: work, maxCycles, vcd: portsVcdFile, traceLevels: 1 });
    const portsVcd = simFigures(portsRun, portsVcdFile);
    log(`  ${(portsVcd.cyclesPerSecond / 1e3).toFixed(0)} k cycles/s, ${portsVcd.vcdBytesPerCycle!.toFixed(0)} B/cycle`);
    let fullVcd: SimFigures | null = null;
    if (full) {
      const fullCycles = Math.min(gc.cycles, FULL_VCD_CYCLES);
      log(`full VCD over the first ${fullCycles} cycles...`);
      const fullVcdFile = path.join(work, 'full.vcd');
      fullVcd = simFigures(runSim(full.exe, { stimDir: work, maxCycles: fullCycles, vcd: fullVcdFile, traceLevels: 99 }), fullVcdFile);
      fs.rmSync(fullVcdFile, { force: true });
      log(`  ${(fullVcd.cyclesPerSecond / 1e3).toFixed(0)} k cycles/s, ${fullVcd.vcdBytesPerCycle!.toFixed(0)} B/cycle`);
    }

    // 3. VCD -> transactions on the ports VCD (what cosim reads).
    log('reading the ports VCD into transactions...');
    t = now();
    const observed = await readTrace(cfg, portsVcdFile);
    const readSeconds = since(t);
    const readFigures = {
      vcdBytes: portsVcd.vcdBytes!,
      cycles: observed.cycles,
      transactions: observed.txns.length,
      seconds: readSeconds,
      mbPerSecond: portsVcd.vcdBytes! / 1e6 / readSeconds,
      cyclesPerSecond: observed.cycles / readSeconds,
    };
    fs.rmSync(portsVcdFile, { force: true });

    const checks = {
      rtlCyclesEqualGolden: noVcd.status === 'done' && noVcd.cycles === gc.cycles && portsVcd.cycles === gc.cycles,
      vcdCyclesEqualRtl: observed.cycles === portsVcd.cycles,
      transactionCountsEqual: observed.txns.length === golden.traceOn.transactions,
    };
    const ratio = (a: number, b: number) => a / b;
    machine.loadAverage.end = os.loadavg();
    return {
      ok: true,
      command: commandLine(),
      machine,
      quick,
      targetCycles: target,
      config: cfg,
      workload: { ...w, text: describeWorkload(w), jobs: mapping.arrayJobs.length, pairs: gc.pairs, cycles: gc.cycles,
        operandsAndMappingSeconds: mapSeconds, stimulusSeconds, stimulusBeats: stim.beats },
      build: { ports: ports.figures, full: full?.figures ?? null },
      sim: {
        noVcd, portsVcd, fullVcd,
        fullVcdCycleCap: FULL_VCD_CYCLES,
        rtlPairsPerSecond: gc.pairs / noVcd.seconds,
        ratios: {
          /** How many times faster the simulator runs without a VCD than with the ports VCD. */
          noVcdOverPorts: ratio(noVcd.cyclesPerSecond, portsVcd.cyclesPerSecond),
          /** How many times faster the ports VCD is than the full VCD. */
          portsOverFull: fullVcd ? ratio(portsVcd.cyclesPerSecond, fullVcd.cyclesPerSecond) : null,
          fullVcdBytesOverPorts: fullVcd ? ratio(fullVcd.vcdBytesPerCycle!, portsVcd.vcdBytesPerCycle!) : null,
        },
      },
      readTrace: readFigures,
      golden: {
        ...golden,
        ratios: {
          /** Golden cycle model (trace off) speed over the RTL without VCD, same workload. */
          goldenOverRtl: ratio(noVcd.seconds, golden.traceOff.seconds),
          /** Golden with transactions over the RTL's observed path (ports-VCD simulation + readTrace). */
          goldenTraceOverRtlTrace: ratio(portsVcd.seconds + readSeconds, golden.traceOn.seconds),
        },
      },
      checks,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  }
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;

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
        throw new ConfigError(`--cycles '${opts.cycles}' is not allowed; allowed: an integer 1000..${MAX_CYCLES}`);
      }
    }
    const log = opts.json ? () => {} : (s: string) => process.stderr.write(`bench: ${s}\n`);
    const r = await runBench(cfg, { quick, cycles, log });
    if (opts.json) process.stdout.write(toJson(r) + '\n');
    else process.stdout.write(benchText(r));
    return Object.values(r.checks).every(Boolean) ? 0 : 1;
  }));
}
