/**
 * Cosimulation of af_axi against the golden model through an AXI bus model: the mapper's jobs
 * become stimulus files (stimulus.ts), the generated harness (axi-harness.ts) feeds them in as
 * AXI4-Stream beats, starts the run through the AXI4-Lite registers, waits for the interrupt,
 * and records the rows it receives on the out stream; here they are checked bit for bit
 * against the golden model's drained rows (per PE port, in order), assembled into the output
 * and checked against the functional reference, and the counters read through CSEL/CDATA are
 * checked against the golden counters. ARRAY_CYCLES must equal the golden cycle count; the
 * run's CYCLES is larger by the out stream's tail (the last rows leaving the FIFOs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { HwConfig } from '../generator/config.ts';
import { SimulationError } from '../generator/errors.ts';
import { generate } from '../generator/index.ts';
import { genAxi } from '../generator/axi.ts';
import { COUNTER_NAMES, type Counters } from '../generator/counters.ts';
import { mapWorkload, type Mapping } from '../golden/mapping/mapper.ts';
import { runArray } from '../golden/model/array.ts';
import type { AccTensor } from '../golden/workload/tensor.ts';
import { makeOperands, type Workload } from '../golden/workload/workload.ts';
import { CACHE_ROOT, buildSim } from './build.ts';
import { assembleOutput, compareCounters, compareOutputs, expectedDrainRows, readDrains, type CounterCompare, type DrainedRow, type OutputCompare } from './compare.ts';
import { reference } from './cosim.ts';
import { AXI_REPORTED, genAxiHarness } from './axi-harness.ts';
import { writeStimulus } from './stimulus.ts';

export interface AxiOptions {
  /** Per-port FIFO depth (default: one drain burst, bankDepth rows). */
  fifoDepth?: number;
  /** Hold the out stream's TREADY low for the run's first K cycles. */
  stallOut?: number;
  maxCycles?: number;
  cacheRoot?: string;
}

/** What the harness read back through the registers, beyond the counters. */
export interface AxiChecks {
  jobs: number; csel: number; gie: number; ier: number;
  ctrlIdle: number; ctrlRunning: number; ctrlDone: number; ctrlAfter: number;
  isr: number; isrToggled: number; isrToggledAgain: number; intBefore: number; intAfter: number;
}

export interface DrainCompare { expected: number; received: number; mismatches: number; first?: { pe: number; index: number; expected: string; actual: string } }

export interface AxiReport {
  pass: boolean;
  /** array: ARRAY_CYCLES; golden: the golden model's; run: CYCLES (start to ap_done). */
  cycles: { array: number; golden: number; run: number };
  drains: DrainCompare;
  outputs: OutputCompare;
  countersCheck: CounterCompare;
  regs: Record<(typeof AXI_REPORTED)[number], number>;
  checks: AxiChecks;
  build: { hash: string; cached: boolean; seconds: number };
  /** The rows received on the out stream, and the golden ones (for further checks). */
  observed: DrainedRow[];
  golden: { rows: DrainedRow[]; ref: AccTensor; mapping: Mapping };
}

/** Build the AXI harness and af_axi with Verilator, cached like every build (testbench/build.ts). */
export function buildAxiSim(cfg: HwConfig, fifoDepth?: number, cacheRoot = CACHE_ROOT): { exe: string; hash: string; cached: boolean; seconds: number } {
  const b = buildSim(cfg, [genAxi(cfg, fifoDepth), ...generate(cfg)], {
    cacheRoot, top: { module: 'af_axi', harness: genAxiHarness(cfg, fifoDepth), harnessFile: 'axi_harness.cpp' },
  });
  return { exe: b.exe, hash: b.hash, cached: b.cached, seconds: b.seconds };
}

const show = (r: DrainedRow | undefined) => (r ? `${r.reduced ? 'reduced ' : ''}row ${r.row} [${r.data.join(', ')}]` : 'nothing');

/** Received rows against expected ones, per PE port in order, bit for bit. */
export function compareDrains(cfg: HwConfig, expected: DrainedRow[], received: DrainedRow[]): DrainCompare {
  let mismatches = 0;
  let first: DrainCompare['first'];
  for (let p = 0; p < cfg.pes; p++) {
    const e = expected.filter((r) => r.pe === p), a = received.filter((r) => r.pe === p);
    for (let i = 0; i < Math.max(e.length, a.length); i++) {
      const x = e[i], y = a[i];
      const same = x && y && x.reduced === y.reduced && x.row === y.row && x.data.length === y.data.length && x.data.every((v, b) => v === y.data[b]);
      if (same) continue;
      mismatches++;
      first ??= { pe: p, index: i, expected: show(x), actual: show(y) };
    }
  }
  return { expected: expected.length, received: received.length, mismatches, ...(first ? { first } : {}) };
}

export async function axiCosim(cfg: HwConfig, w: Workload, opts: AxiOptions = {}): Promise<AxiReport> {
  const { tensors } = makeOperands(w, cfg);
  const mapping = mapWorkload(w, tensors, cfg);
  const build = buildAxiSim(cfg, opts.fifoDepth, opts.cacheRoot);
  const run = runArray(cfg, mapping, { trace: true });
  const goldenRows: DrainedRow[] = (run.trace ?? []).filter((t) => t.kind === 'drain')
    .map((t) => (t.kind === 'drain' ? { pe: t.pe, reduced: t.reduced, row: t.row, data: t.data } : undefined)!);
  const ref = reference(w, tensors, cfg.accWidth);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-axi-'));
  try {
    writeStimulus(cfg, mapping.arrayJobs, work, 'bin');
    const maxCycles = opts.maxCycles ?? run.counters.cycles * 2 + 1000 + (opts.stallOut ?? 0);
    const result = path.join(work, 'result.json');
    const args = [work, result, String(maxCycles), ...(opts.stallOut ? ['--stall-out', String(opts.stallOut)] : [])];
    const r = spawnSync(build.exe, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.error || (r.status !== 0 && r.status !== 3)) {
      throw new SimulationError(`the AXI simulator failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}): ${`${r.stdout}${r.stderr}`.trim().slice(0, 500)}`);
    }
    const res = JSON.parse(fs.readFileSync(result, 'utf8')) as {
      status: 'done' | 'hang'; cycles: number; check: AxiChecks;
      regs: AxiReport['regs']; counters: Record<string, number[]>;
    };
    if (res.status === 'hang') {
      throw new SimulationError(`af_axi raised no interrupt within ${maxCycles} cycles of ap_start (the golden model finishes in ${run.counters.cycles})`);
    }
    const rtlPerPe = Array.from({ length: cfg.pes }, (_, p) => Object.fromEntries(COUNTER_NAMES.map((n) => [n, res.counters[n][p]])) as unknown as Counters);
    const observed = readDrains(cfg, work);
    const drains = compareDrains(cfg, goldenRows, observed);
    const outputs = compareOutputs(ref, assembleOutput(cfg, mapping, observed, cfg.accWidth));
    const countersCheck = compareCounters(rtlPerPe, run.perPe, cfg.counterWidth);
    const cycles = { array: res.regs.ARRAY_CYCLES, golden: run.counters.cycles, run: res.regs.CYCLES };
    const pass = drains.mismatches === 0 && drains.received === expectedDrainRows(mapping) && outputs.mismatches === 0 &&
      countersCheck.mismatched.length === 0 && cycles.array === cycles.golden && res.regs.LOST === 0 && res.regs.ROWS === drains.received;
    return {
      pass, cycles, drains, outputs, countersCheck, regs: res.regs, checks: res.check,
      build: { hash: build.hash, cached: build.cached, seconds: build.seconds },
      observed, golden: { rows: goldenRows, ref, mapping },
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
