/**
 * Stimulus files from the mapper's array jobs: one hex line per beat, readable by the C++
 * harness and by Verilog's $readmemh alike. job.hex holds the array job words
 * ({reduce, bcast, per-PE descriptors}); a<p>.hex and b<p>.hex the vectors PE p loads (a
 * broadcast job's B vectors are written once, to b0.hex).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { WorkloadError } from '../generator/errors.ts';
import { jobLayout, laneLayout, pack, fits, type Layout } from '../generator/layout.ts';
import type { Vector } from '../golden/mapping/format.ts';
import type { ArrayJob } from '../golden/mapping/mapper.ts';

const hex = (v: bigint, width: number) => v.toString(16).padStart(Math.ceil(width / 4), '0');

export function packVector(lane: Layout, vec: Vector, lanes: number): bigint {
  let word = 0n;
  for (let l = 0; l < lanes; l++) {
    const e = vec[l];
    if (!e) continue;
    word |= pack(lane, { val: e.val, x: e.x, y: e.y, c: e.c, g: e.g, lv: 1 }) << BigInt(l * lane.width);
  }
  return word;
}

/** Check every descriptor field fits its register; a layer that does not fit is bad input. */
export function checkDescriptors(cfg: HwConfig, jobs: ArrayJob[]): void {
  const layout = jobLayout(cfg);
  for (const aj of jobs) {
    for (const job of aj.pe) {
      for (const f of layout.fields) {
        const v = (job.desc as unknown as Record<string, number>)[f.name];
        if (!fits(f, v)) {
          throw new WorkloadError(`job register '${f.name}' = ${v} does not fit its ${f.width}-bit field (${f.doc}); raise coordWidth or bankDepth, or use a smaller layer`);
        }
      }
    }
  }
}

/** The array job word: {reduce, bcast, descriptor of PE pes-1, ..., descriptor of PE 0}. */
export function packArrayJob(cfg: HwConfig, aj: ArrayJob): bigint {
  const jl = jobLayout(cfg);
  let word = 0n;
  aj.pe.forEach((job, p) => { word |= pack(jl, job.desc as unknown as Record<string, number>) << BigInt(p * jl.width); });
  const top = BigInt(cfg.pes * jl.width);
  return word | (BigInt(aj.bcast ? 1 : 0) << top) | (BigInt(aj.reduce ? 1 : 0) << (top + 1n));
}

export interface StimulusFiles { dir: string; beats: { job: number; a: number[]; b: number[] } }

export function writeStimulus(cfg: HwConfig, jobs: ArrayJob[], dir: string): StimulusFiles {
  checkDescriptors(cfg, jobs);
  const jl = jobLayout(cfg), ll = laneLayout(cfg);
  const N = cfg.pes;
  const jobLines: string[] = [];
  const aLines: string[][] = Array.from({ length: N }, () => []);
  const bLines: string[][] = Array.from({ length: N }, () => []);
  for (const aj of jobs) {
    jobLines.push(hex(packArrayJob(cfg, aj), N * jl.width + 2));
    aj.pe.forEach((job, p) => {
      for (const v of job.a) aLines[p].push(hex(packVector(ll, v, cfg.I), cfg.I * ll.width));
      if (!aj.bcast || p === 0) for (const v of job.b) bLines[p].push(hex(packVector(ll, v, cfg.F), cfg.F * ll.width));
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  const write = (f: string, lines: string[]) => fs.writeFileSync(path.join(dir, f), lines.length ? lines.join('\n') + '\n' : '');
  write('job.hex', jobLines);
  for (let p = 0; p < N; p++) {
    write(`a${p}.hex`, aLines[p]);
    write(`b${p}.hex`, bLines[p]);
  }
  return { dir, beats: { job: jobLines.length, a: aLines.map((l) => l.length), b: bLines.map((l) => l.length) } };
}
