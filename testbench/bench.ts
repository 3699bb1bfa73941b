/**
 * The benchmark of `antforge bench`: measures, in one run on one machine, what the flows cost:
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
import type { HwConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { mapWorkload, type Mapping } from '../golden/mapping/mapper.ts';
import { runArray } from '../golden/model/array.ts';
import { makeOperands, validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { buildSim } from './build.ts';
import { runSim, type SimResult } from './run.ts';
import { writeStimulus } from './stimulus.ts';
import { toolVersion } from './tools.ts';
import { readTrace } from './trace.ts';
import { describeWorkload } from '../golden/workload/describe.ts';

export const DEFAULT_CYCLES = 1_000_000;
export const QUICK_CYCLES = 150_000;
export const MAX_CYCLES = 20_000_000;
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
