/** Run a built simulator on a stimulus folder, with a cycle limit, and read its result file. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { SimulationError } from '../generator/errors.ts';
import type { Counters } from '../generator/counters.ts';

/** What a run ends with; its transactions and drained rows are in the record files (records.ts). */
export interface SimResult {
  status: 'done' | 'hang'; cycles: number; perPe: Counters[]; seconds: number;
  /** The simulator process's peak resident memory (Verilator harness only). */
  peakRssKb?: number;
}

export interface RunOptions {
  stimDir: string;
  maxCycles: number;
  /** Write the transaction records rec<p>.bin here (omitted: a bare run, nothing recorded). */
  records?: string;
  /** Write a VCD here (the build must have been made with a trace). */
  vcd?: string;
}

function simArgs(opts: RunOptions): { result: string; args: string[] } {
  const result = path.join(opts.stimDir, 'result.json');
  fs.rmSync(result, { force: true });
  const args = [opts.stimDir, result, String(opts.maxCycles)];
  if (opts.records) args.push('--records', opts.records);
  if (opts.vcd) args.push('--vcd', opts.vcd);
  return { result, args };
}

/**
 * Start the simulator and return at once: the caller works (the golden model) on this core
 * while the simulation runs on another. stop() kills it if the caller gives up.
 */
export function startSim(exe: string, opts: RunOptions): { done: Promise<SimResult>; stop: () => void } {
  const { result, args } = simArgs(opts);
  const started = process.hrtime.bigint();
  const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => { if (out.length < 4096) out += d.toString(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const done = new Promise<SimResult>((resolve, reject) => {
    child.on('error', (e) => reject(new SimulationError(`cannot run the simulator ${exe}: ${e.message}`)));
    child.on('close', (status, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (status !== 0 && status !== 3) {
        reject(new SimulationError(`the simulator exited with status ${status ?? signal}: ${out.trim().slice(0, 500)}`));
        return;
      }
      try {
        resolve({ ...readResult(result, 'is missing or unreadable'), seconds });
      } catch (e) {
        reject(e);
      }
    });
  });
  return { done, stop: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); } };
}

/** Run the simulator to the end (startSim, awaited). */
export const runSim = (exe: string, opts: RunOptions): Promise<SimResult> => startSim(exe, opts).done;

/** The result file both simulators write: status, cycles, per-PE counters. */
export function readResult(file: string, unreadable: string): Omit<SimResult, 'seconds'> {
  let parsed: { status: 'done' | 'hang'; cycles: number; counters: Record<string, number[]>; peakRssKb?: number };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SimulationError(`the simulator's result file ${file} ${unreadable}: ${(e as Error).message}`);
  }
  return {
    status: parsed.status,
    cycles: parsed.cycles,
    ...(parsed.peakRssKb !== undefined && parsed.peakRssKb >= 0 ? { peakRssKb: parsed.peakRssKb } : {}),
    perPe: parsed.counters.cycles.map((_, p) => Object.fromEntries(Object.entries(parsed.counters).map(([k, v]) => [k, v[p]])) as unknown as Counters),
  };
}
