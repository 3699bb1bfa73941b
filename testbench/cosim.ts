/**
 * Cosimulation: one workload through the golden model and through the RTL, compared.
 *   workload -> operands -> mapper -> jobs -+-> golden cycle model -> expected transactions
 *                                           +-> stimulus -> Verilator (or Icarus) -> VCD -> observed transactions
 * PASS only when cycles, every counter, every transaction and every output are equal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { OutputError, SimulationError } from '../generator/errors.ts';
import { generate } from '../generator/index.ts';
import type { VModule } from '../generator/verilog.ts';
import { AccArith } from '../golden/model/arith.ts';
import { mapWorkload, type Mapping } from '../golden/mapping/mapper.ts';
import { writeNpyAtomic } from '../golden/workload/npy.ts';
import { commitTemp, tempPath, writeAtomic } from '../golden/util/atomic.ts';
import { runArray, type ArrayRun } from '../golden/model/array.ts';
import { sumCounters, type Counters } from '../generator/counters.ts';
import { convBwd, convFwd, convWgrad, matmul } from '../golden/reference/reference.ts';
import type { AccTensor, Tensor } from '../golden/workload/tensor.ts';
import { makeOperands, type Workload } from '../golden/workload/workload.ts';
import { buildSim, type Build } from './build.ts';
import { buildIcarus, ICARUS_SCOPE, runIcarus, tbDepth } from './icarus.ts';
import { assembleOutput, compareCounters, compareOutputs, compareTraces, expectedDrainRows, type CounterCompare, type OutputCompare, type TraceCompare } from './compare.ts';
import { runSim, type SimResult } from './run.ts';
import { writeStimulus } from './stimulus.ts';
import { readTrace, type ObservedTrace } from './trace.ts';

export interface CosimOptions {
  /** Keep the VCD here (otherwise it is read and deleted). */
  vcd?: string;
  /** Trace every internal signal (a separate, cached build) instead of the PE's ports only. */
  fullTrace?: boolean;
  /** Write operands, the RTL's output and the resolved workload as .npy/.json here. */
  dump?: string;
  maxCycles?: number;
  /** Use these modules instead of generating them (mutants, hand edits). */
  modules?: VModule[];
  /** Simulator for the RTL side; Icarus runs the same stimulus and compare (slower; for small cases). */
  simulator?: 'verilator' | 'icarus';
  /** Also return the observed transactions and drained rows (report.observed). */
  keepObserved?: boolean;
}

/** RCP accounting against the baseline (ant = off) on the same jobs. */
export interface RcpReport { baselineIssued: number; issued: number; anticipated: number; anticipatedFraction: number; pairsVisited: number; pairsSkipped: number }

export function rcpReport(baseline: Counters, run: Counters): RcpReport {
  const anticipated = baseline.rcps - run.rcps;
  return {
    baselineIssued: baseline.rcps,
    issued: run.rcps,
    anticipated,
    anticipatedFraction: baseline.rcps === 0 ? 0 : anticipated / baseline.rcps,
    pairsVisited: run.visited,
    pairsSkipped: run.skipped,
  };
}

export interface CosimReport {
  pass: boolean;
  cycles: { rtl: number; golden: number };
  outputs: OutputCompare;
  trace: TraceCompare;
  counters: Counters;
  rcp: RcpReport;
  countersCheck: CounterCompare;
  jobs: number;
  warnings: string[];
  build: { hash: string; cached: boolean; seconds: number };
  sim: { seconds: number; cyclesPerSecond: number; vcdBytes: number };
  /** The simulator's observed transactions and drained rows; only with keepObserved. */
  observed?: { txns: ObservedTrace['txns']; out: SimResult['out'] };
}

/** The functional reference for a workload's operands. */
export function reference(w: Workload, t: Record<string, Tensor>, accWidth: number): AccTensor {
  const arith = new AccArith(accWidth);
  if (w.kind === 'matmul') return matmul(t.a, t.b, arith);
  if (w.phase === 'fwd') return convFwd(t.activations, t.weights, w, arith);
  if (w.phase === 'bwd') return convBwd(t.gradients, t.weights, w, arith);
  return convWgrad(t.activations, t.gradients, w, arith);
}

/** Golden side only: operands, jobs, cycle model (with transactions) and reference. */
export function goldenRun(cfg: HwConfig, w: Workload, trace = true): { tensors: Record<string, Tensor>; mapping: Mapping; run: ArrayRun; ref: AccTensor; warnings: string[] } {
  const { tensors, warnings } = makeOperands(w, cfg);
  const mapping = mapWorkload(w, tensors, cfg);
  const run = runArray(cfg, mapping, { trace });
  const ref = reference(w, tensors, cfg.accWidth);
  return { tensors, mapping, run, ref, warnings };
}

/** Fail before any work when the VCD cannot be written there: a folder, or a path under a file. */
function checkVcdPath(file: string): void {
  const abs = path.resolve(file);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new OutputError(`--vcd '${file}' is a folder; allowed: a file path, e.g. ${path.join(file, 'trace.vcd')}`);
  let dir = path.dirname(abs);
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw new OutputError(`--vcd '${file}' cannot be written: '${dir}' is a file, not a folder`);
}

export async function cosim(cfg: HwConfig, w: Workload, opts: CosimOptions = {}): Promise<CosimReport> {
  if (opts.vcd) checkVcdPath(opts.vcd);
  const g = goldenRun(cfg, w, true);
  const modules = opts.modules ?? generate(cfg);
  const icarus = opts.simulator === 'icarus';
  const verilatorBuild = icarus ? undefined : buildSim(cfg, modules, { trace: opts.fullTrace ? 'full' : 'ports' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-cosim-'));
  // A kept VCD is written under a temporary name and renamed once the run is read back.
  const vcd = opts.vcd ? tempPath(path.resolve(opts.vcd)) : path.join(work, 'trace.vcd');
  try {
    const stim = writeStimulus(cfg, g.mapping.arrayJobs, work);
    try {
      fs.mkdirSync(path.dirname(vcd), { recursive: true }); // like --dump and --out, create the folder
    } catch (e) {
      throw new OutputError(`cannot create the folder of --vcd '${opts.vcd}': ${(e as Error).message}`);
    }
    const maxCycles = opts.maxCycles ?? g.run.counters.cycles * 2 + 1000;
    let build: Build, sim: SimResult;
    if (verilatorBuild) {
      build = verilatorBuild;
      sim = runSim(build.exe, { stimDir: work, maxCycles, vcd });
    } else {
      // af_tb's stimulus memories are sized at compile time, so Icarus builds once the stimulus is written.
      const ib = buildIcarus(cfg, modules, tbDepth(stim.beats));
      build = ib;
      sim = runIcarus(ib, stim, { stimDir: work, maxCycles, vcd, fullTrace: opts.fullTrace });
    }
    if (sim.status === 'hang') {
      throw new SimulationError(`simulation stopped at the cycle limit ${maxCycles} without finishing (the golden model finishes in ${g.run.counters.cycles} cycles); the PE hangs or is much slower than modelled${opts.vcd ? `; see ${opts.vcd}` : '; rerun with --vcd FILE to inspect'}`);
    }
    const observed = await readTrace(cfg, vcd, icarus ? ICARUS_SCOPE : 'TOP');
    const trace = compareTraces(g.run.trace!, observed.txns, g.run.jobStart);
    const countersCheck = compareCounters(sim.perPe, g.run.perPe, cfg.counterWidth);
    const rows = sim.out.map((o) => ({ pe: o.pe, reduced: o.reduced, row: o.row, data: Array.from({ length: cfg.banks }, (_, b) =>
      BigInt.asIntN(cfg.accWidth, (o.data >> BigInt(b * cfg.accWidth)) & ((1n << BigInt(cfg.accWidth)) - 1n))) }));
    const rtlOut = assembleOutput(cfg, g.mapping, rows, cfg.accWidth);
    const outputs = compareOutputs(g.ref, rtlOut);
    const vcdBytes = fs.statSync(vcd).size;
    const pass = sim.cycles === g.run.counters.cycles && observed.cycles === sim.cycles && outputs.mismatches === 0 &&
      trace.mismatches === 0 && countersCheck.mismatched.length === 0 && rows.length === expectedDrainRows(g.mapping);
    if (opts.dump) dumpRun(opts.dump, w, g.tensors, rtlOut);
    if (opts.vcd) commitTemp(vcd, path.resolve(opts.vcd));
    return {
      pass,
      cycles: { rtl: sim.cycles, golden: g.run.counters.cycles },
      outputs,
      trace,
      counters: sumCounters(sim.perPe, sim.cycles),
      rcp: rcpReport(cfg.ant === 'off' ? g.run.counters : runArray({ ...cfg, ant: 'off' }, g.mapping).counters, sumCounters(sim.perPe, sim.cycles)),
      countersCheck,
      jobs: g.mapping.arrayJobs.length,
      warnings: g.warnings,
      build: { hash: build.hash, cached: build.cached, seconds: build.seconds },
      sim: { seconds: sim.seconds, cyclesPerSecond: sim.cycles / Math.max(sim.seconds, 1e-9), vcdBytes },
      ...(opts.keepObserved ? { observed: { txns: observed.txns, out: sim.out } } : {}),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    if (opts.vcd) fs.rmSync(vcd, { force: true });
  }
}

/** Operands, the RTL's output and the resolved workload; each file is written whole or not at all. */
export function dumpRun(dir: string, w: Workload, tensors: Record<string, Tensor>, out: AccTensor): void {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create the dump folder '${dir}': ${(e as Error).message}`);
  }
  for (const [name, t] of Object.entries(tensors)) writeNpyAtomic(path.join(abs, `${name}.npy`), t);
  writeNpyAtomic(path.join(abs, 'output.npy'), out);
  const json = path.join(abs, 'workload.json');
  writeAtomic(json, JSON.stringify(w, null, 2) + '\n');
}
