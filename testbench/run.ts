/** Run a built simulator on a stimulus folder, with a cycle limit, and read its result file. */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { SimulationError } from '../generator/errors.ts';
import type { Counters } from '../generator/counters.ts';

/** A drained row: from PE pe, or the sum over PEs when reduced. */
export interface OutRow { cycle: number; pe: number; reduced: boolean; row: number; data: bigint }
export interface SimResult { status: 'done' | 'hang'; cycles: number; perPe: Counters[]; out: OutRow[]; seconds: number }

export interface RunOptions {
  stimDir: string;
  maxCycles: number;
  /** Write a VCD here. */
  vcd?: string;
  /** Hierarchy levels to trace: 1 = the top's ports only (what the compare needs), 99 = everything. */
  traceLevels?: number;
}

export function runSim(exe: string, opts: RunOptions): SimResult {
  const result = path.join(opts.stimDir, 'result.json');
  fs.rmSync(result, { force: true });
  const args = [opts.stimDir, result, String(opts.maxCycles)];
  if (opts.vcd) args.push(opts.vcd, String(opts.traceLevels ?? 1));
  const started = process.hrtime.bigint();
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.error) throw new SimulationError(`cannot run the simulator ${exe}: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 3) {
    throw new SimulationError(`the simulator exited with status ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  }
  return { ...readResult(result, 'is missing or unreadable'), seconds };
}

/** The result file both simulators write: drained rows, status, cycles, per-PE counters. */
export function readResult(file: string, unreadable: string): Omit<SimResult, 'seconds'> {
  let parsed: { status: 'done' | 'hang'; cycles: number; counters: Record<string, number[]>; out: [number, number, number, number, string][] };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SimulationError(`the simulator's result file ${file} ${unreadable}: ${(e as Error).message}`);
  }
  return {
    status: parsed.status,
    cycles: parsed.cycles,
    perPe: parsed.counters.cycles.map((_, p) => Object.fromEntries(Object.entries(parsed.counters).map(([k, v]) => [k, v[p]])) as unknown as Counters),
    out: parsed.out.map(([cycle, pe, reduced, row, hex]) => ({ cycle, pe, reduced: reduced === 1, row, data: BigInt('0x' + hex) })),
  };
}
