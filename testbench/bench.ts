/**
 * The benchmark of `antforge bench`: measures, in one run on one machine, what the flows cost:
 *   1. Verilator build: cold (fresh private cache) and cached (second call);
 *   2. bare: the simulator alone on the stimulus, recording nothing;
 *   3. end to end: a whole cosim on the cached build (stimulus, simulation writing its
 *      transaction records, golden model and streaming compare), and peak memory;
 *   4. the golden cycle model alone (counters only, and the fast model);
 *   5. with --with-vcd, the old compare path for comparison: a flat build with a ports trace,
 *      the simulation writing the VCD and reading it back into transactions.
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
import { fastRun } from '../golden/model/fastpe.ts';
import { makeOperands, validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { buildSim } from './build.ts';
import { cosim } from './cosim.ts';
import { runSim } from './run.ts';
import { writeStimulus } from './stimulus.ts';
import { toolVersion } from './tools.ts';
import { readTrace } from './trace.ts';
import { describeWorkload } from '../golden/workload/describe.ts';

export const DEFAULT_CYCLES = 1_000_000;
export const QUICK_CYCLES = 150_000;
export const MAX_CYCLES = 20_000_000;
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

export interface BenchOptions { quick: boolean; cycles: number; withVcd: boolean; log: (s: string) => void }

const perSecond = (cycles: number, seconds: number) => cycles / Math.max(seconds, 1e-9);

export async function runBench(cfg: HwConfig, opts: BenchOptions) {
  const { quick, cycles: target, log } = opts;
  const loadAtStart = os.loadavg();
  const machine = { nproc: os.availableParallelism(), cpu: cpuModel(), verilator: toolVersion('verilator'), node: process.version,
    /** 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
    loadAverage: { start: loadAtStart, end: loadAtStart } };

  // Workload: N = 1 gives the cycles per batch item; scale N to reach the target.
  const probe = benchLayer(1);
  const probeRun = fastRun(cfg, mapWorkload(probe, makeOperands(probe, cfg).tensors, cfg));
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
    // 1. Build: cold in a fresh cache folder, then the same call again (a hash and a stat).
    const modules = generate(cfg);
    log(`cold Verilator build (${cfg.pes} PEs${cfg.pes > 1 ? ', hierarchical' : ''})...`);
    let t0 = now();
    const cold = buildSim(cfg, modules, { cacheRoot });
    const coldSeconds = since(t0);
    t0 = now();
    const warm = buildSim(cfg, modules, { cacheRoot });
    const cachedSeconds = since(t0);
    if (cold.cached || !warm.cached) throw new Error(`bench: expected a cold then a cached build in ${cacheRoot}`);
    log(`  cold ${coldSeconds.toFixed(1)} s, cached ${(cachedSeconds * 1000).toFixed(1)} ms`);
    const build = { hash: cold.hash, hierarchical: cfg.pes > 1, coldSeconds, cachedSeconds };

    // 2. Bare: the simulator alone, same build, nothing recorded.
    t = now();
    const stim = writeStimulus(cfg, mapping.arrayJobs, work);
    const stimulusSeconds = since(t);
    const goldenCycles = fastRun(cfg, mapping).counters.cycles;
    const maxCycles = goldenCycles * 2 + 1000;
    log(`bare simulation of ${goldenCycles} cycles...`);
    const bareRun = await runSim(cold.exe, { stimDir: work, maxCycles });
    const bare = { cycles: bareRun.cycles, status: bareRun.status, seconds: bareRun.seconds, cyclesPerSecond: perSecond(bareRun.cycles, bareRun.seconds), peakRssKb: bareRun.peakRssKb ?? null };
    log(`  ${(bare.cyclesPerSecond / 1e3).toFixed(1)} k cycles/s`);

    // 3. End to end: the cosim users run, on the cached build.
    log('end to end (stimulus, simulation with records, golden model, streaming compare)...');
    t0 = now();
    const rep = await cosim(cfg, w, { cacheRoot });
    const e2eSeconds = since(t0);
    const nodeRssKb = process.resourceUsage().maxRSS;
    const endToEnd = {
      pass: rep.pass, cycles: rep.cycles.rtl, seconds: e2eSeconds, cyclesPerSecond: perSecond(rep.cycles.rtl, e2eSeconds),
      simSeconds: rep.sim.seconds, goldenSeconds: rep.golden.seconds, compareSeconds: rep.compare.seconds, transactions: rep.trace.events,
      recordBytes: rep.sim.recordBytes, recordBytesPerCycle: rep.sim.recordBytes / Math.max(1, rep.cycles.rtl),
      /** Peak resident memory: the simulator process, and this process (whole bench so far). */
      peakRssKb: { sim: rep.sim.peakRssKb ?? null, node: nodeRssKb },
    };
    log(`  ${(endToEnd.cyclesPerSecond / 1e3).toFixed(1)} k cycles/s, ${endToEnd.pass ? 'PASS' : 'FAIL'}`);

    // 4. The golden model alone.
    log('golden cycle model...');
    const gOff = bestOf(GOLDEN_REPEATS, () => runArray(cfg, mapping, { trace: false }));
    const gFast = bestOf(GOLDEN_REPEATS, () => fastRun(cfg, mapping));
    const gc = gOff.result.counters;
    const golden = {
      repeats: GOLDEN_REPEATS, pairs: gc.pairs, cycles: gc.cycles,
      cycleModel: { seconds: gOff.seconds, pairsPerSecond: gc.pairs / gOff.seconds, cyclesPerSecond: gc.cycles / gOff.seconds },
      fastModel: { seconds: gFast.seconds, pairsPerSecond: gc.pairs / gFast.seconds, cyclesPerSecond: gc.cycles / gFast.seconds },
    };

    // 5. The old compare path: a VCD of the ports, read back into transactions.
    let vcdPath: { build: { coldSeconds: number }; sim: { seconds: number; cyclesPerSecond: number; vcdBytesPerCycle: number }; readTrace: { seconds: number; cyclesPerSecond: number; mbPerSecond: number; transactions: number } } | null = null;
    if (opts.withVcd) {
      log('the VCD path: flat ports-trace build...');
      t0 = now();
      const traced = buildSim(cfg, modules, { cacheRoot, trace: 'ports' });
      const tracedBuild = since(t0);
      const vcd = path.join(work, 'ports.vcd');
      const vr = await runSim(traced.exe, { stimDir: work, maxCycles, vcd });
      const vcdBytes = fs.statSync(vcd).size;
      t0 = now();
      const observed = await readTrace(cfg, vcd);
      const readSeconds = since(t0);
      fs.rmSync(vcd, { force: true });
      vcdPath = {
        build: { coldSeconds: tracedBuild },
        sim: { seconds: vr.seconds, cyclesPerSecond: perSecond(vr.cycles, vr.seconds), vcdBytesPerCycle: vcdBytes / Math.max(1, vr.cycles) },
        readTrace: { seconds: readSeconds, cyclesPerSecond: perSecond(observed.cycles, readSeconds), mbPerSecond: vcdBytes / 1e6 / readSeconds, transactions: observed.txns.length },
      };
      log(`  sim ${(vcdPath.sim.cyclesPerSecond / 1e3).toFixed(1)} k cycles/s, readTrace ${(vcdPath.readTrace.cyclesPerSecond / 1e3).toFixed(1)} k cycles/s`);
    }

    const checks = {
      rtlCyclesEqualGolden: bare.status === 'done' && bare.cycles === gc.cycles && endToEnd.cycles === gc.cycles,
      cosimPasses: endToEnd.pass,
      ...(vcdPath ? { vcdTransactionsEqualRecords: vcdPath.readTrace.transactions === endToEnd.transactions } : {}),
    };
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
      build,
      bare,
      endToEnd,
      golden,
      vcdPath,
      ratios: {
        /** End to end over the simulator alone (the issue's goal: at least 0.7). */
        endToEndOverBare: endToEnd.cyclesPerSecond / bare.cyclesPerSecond,
        /** Golden cycle model (counters only) speed over the bare RTL simulation. */
        goldenOverRtl: bare.seconds / golden.cycleModel.seconds,
        /** End to end now over the old VCD path's simulation and reading alone (its golden side not counted). */
        endToEndOverVcdPath: vcdPath ? endToEnd.cyclesPerSecond / perSecond(gc.cycles, vcdPath.sim.seconds + vcdPath.readTrace.seconds) : null,
      },
      checks,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  }
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;
