/**
 * Cosimulation: one workload through the golden model and through the RTL, compared.
 *   workload -> operands -> mapper -> jobs -+-> golden cycle model -> expected transactions --+
 *                                           +-> stimulus -> Verilator (or Icarus) -> records -+-> streaming compare
 * The simulator writes its transactions itself (records.ts); the golden model, run on this core
 * while the simulator runs on another, writes its own in the same format. Matching runs give
 * byte-identical files (compared in chunks); a PE whose files differ is decoded and matched a
 * cycle at a time for the first divergence. Memory stays bounded however long the run. A VCD
 * is a debugging aid only (--vcd), never read by the compare.
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
import { fastRun } from '../golden/model/fastpe.ts';
import { sumCounters, type Counters } from '../generator/counters.ts';
import { convBwd, convFwd, convWgrad, matmul } from '../golden/reference/reference.ts';
import type { AccTensor, Tensor } from '../golden/workload/tensor.ts';
import { makeOperands, type Workload } from '../golden/workload/workload.ts';
import { buildSim, type Build } from './build.ts';
import { buildIcarus, runIcarus, tbDepth } from './icarus.ts';
import { assembleOutput, compareCounters, compareOutputs, compareRecords, expectedDrainRows, readDrains, type CounterCompare, type DrainedRow, type OutputCompare, type TraceCompare } from './compare.ts';
import { readAllRecords, recordFile, RecordWriter } from './records.ts';
import { startSim, type SimResult } from './run.ts';
import { writeStimulus } from './stimulus.ts';
import { txnOrder, type Txn } from '../golden/model/pe.ts';

export interface CosimOptions {
  /** Also write a VCD here, for debugging (a separate, cached build with tracing; the compare never reads it). */
  vcd?: string;
  /** With vcd: trace every internal signal instead of af_array's ports only. */
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
  /** Verilator build cache folder (default: ANTFORGE_CACHE or ./.antforge/build). */
  cacheRoot?: string;
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
  /** recordBytes: the transaction records the simulator wrote (vcdBytes 0 without --vcd). */
  sim: { seconds: number; cyclesPerSecond: number; recordBytes: number; vcdBytes: number; peakRssKb?: number };
  /** Seconds of the golden model (run while the simulator runs) and of the compare after it. */
  golden: { seconds: number };
  compare: { seconds: number };
  /** The simulator's observed transactions (canonical order) and drained rows; only with keepObserved. */
  observed?: { txns: Txn[]; out: DrainedRow[] };
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
  const { tensors, warnings } = makeOperands(w, cfg);
  const mapping = mapWorkload(w, tensors, cfg);
  const modules = opts.modules ?? generate(cfg);
  const icarus = opts.simulator === 'icarus';
  const trace = opts.vcd ? (opts.fullTrace ? 'full' : 'ports') : 'none';
  const verilatorBuild = icarus ? undefined : buildSim(cfg, modules, { trace, cacheRoot: opts.cacheRoot });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-cosim-'));
  // A kept VCD is written under a temporary name and renamed once the run is complete.
  const vcd = opts.vcd ? tempPath(path.resolve(opts.vcd)) : undefined;
  try {
    const stim = writeStimulus(cfg, mapping.arrayJobs, work, icarus ? 'hex' : 'bin');
    if (vcd) {
      try {
        fs.mkdirSync(path.dirname(vcd), { recursive: true }); // like --dump and --out, create the folder
      } catch (e) {
        throw new OutputError(`cannot create the folder of --vcd '${opts.vcd}': ${(e as Error).message}`);
      }
    }
    // The counters-only model gives the cycle count cheaply: the limit that stops a hung design.
    const goldenCycles = fastRun(cfg, mapping).counters.cycles;
    const maxCycles = opts.maxCycles ?? goldenCycles * 2 + 1000;
    let build: Build;
    let sim: { done: Promise<SimResult>; stop: () => void };
    if (verilatorBuild) {
      build = verilatorBuild;
      sim = startSim(build.exe, { stimDir: work, maxCycles, vcd, records: work });
    } else {
      // af_tb's stimulus memories are sized at compile time, so Icarus builds once the stimulus is written.
      const ib = buildIcarus(cfg, modules, tbDepth(stim.beats));
      build = ib;
      sim = { done: Promise.resolve(runIcarus(ib, stim, { stimDir: work, maxCycles, vcd, records: work, fullTrace: opts.fullTrace })), stop: () => {} };
    }
    // The golden model runs while the simulator does, writing its transactions in the
    // simulator's record format: a run that matches gives byte-identical files.
    const started = process.hrtime.bigint();
    const goldenDir = path.join(work, 'golden');
    let run: ArrayRun, ref: AccTensor, written: number;
    try {
      fs.mkdirSync(goldenDir);
      const writer = new RecordWriter(cfg, goldenDir);
      try {
        run = runArray(cfg, mapping, { onTxn: writer.write });
      } finally {
        writer.close();
      }
      written = writer.count;
      ref = reference(w, tensors, cfg.accWidth);
    } catch (e) {
      sim.stop();
      throw e;
    }
    const goldenSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const result = await sim.done;
    if (result.status === 'hang') {
      throw new SimulationError(`simulation stopped at the cycle limit ${maxCycles} without finishing (the golden model finishes in ${goldenCycles} cycles); the PE hangs or is much slower than modelled${opts.vcd ? `; see ${opts.vcd}` : '; rerun with --vcd FILE to inspect'}`);
    }
    const compared = process.hrtime.bigint();
    const traceCheck = compareRecords(cfg, goldenDir, work, written, run.jobStart);
    const drained = readDrains(cfg, work);
    const recordBytes = Array.from({ length: cfg.pes }, (_, p) => fs.statSync(recordFile(work, p)).size).reduce((a, b) => a + b, 0);
    const countersCheck = compareCounters(result.perPe, run.perPe, cfg.counterWidth);
    const rtlOut = assembleOutput(cfg, mapping, drained, cfg.accWidth);
    const outputs = compareOutputs(ref, rtlOut);
    const compareSeconds = Number(process.hrtime.bigint() - compared) / 1e9;
    const simResult = result;
    const pass = simResult.cycles === run.counters.cycles && outputs.mismatches === 0 &&
      traceCheck.mismatches === 0 && countersCheck.mismatched.length === 0 && drained.length === expectedDrainRows(mapping);
    if (opts.dump) dumpRun(opts.dump, w, tensors, rtlOut);
    const vcdBytes = vcd ? fs.statSync(vcd).size : 0;
    if (vcd) commitTemp(vcd, path.resolve(opts.vcd!));
    return {
      pass,
      cycles: { rtl: simResult.cycles, golden: run.counters.cycles },
      outputs,
      trace: traceCheck,
      counters: sumCounters(simResult.perPe, simResult.cycles),
      rcp: rcpReport(cfg.ant === 'off' ? run.counters : fastRun({ ...cfg, ant: 'off' }, mapping).counters, sumCounters(simResult.perPe, simResult.cycles)),
      countersCheck,
      jobs: mapping.arrayJobs.length,
      warnings,
      build: { hash: build.hash, cached: build.cached, seconds: build.seconds },
      sim: { seconds: simResult.seconds, cyclesPerSecond: simResult.cycles / Math.max(simResult.seconds, 1e-9), recordBytes, vcdBytes,
        ...(simResult.peakRssKb !== undefined ? { peakRssKb: simResult.peakRssKb } : {}) },
      golden: { seconds: goldenSeconds },
      compare: { seconds: compareSeconds },
      ...(opts.keepObserved ? { observed: { txns: readAllRecords(cfg, work).sort(txnOrder), out: drained } } : {}),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    if (vcd) fs.rmSync(vcd, { force: true });
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
