/**
 * Stimulus files from the mapper's jobs: one hex line per beat, readable by the C++ harness
 * and by Verilog's $readmemh alike. job.hex holds descriptors, a.hex and b.hex the vectors of
 * every job in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { WorkloadError } from '../generator/errors.ts';
import { jobLayout, laneLayout, pack, fits, type Layout } from '../generator/layout.ts';
import type { Vector } from '../golden/format.ts';
import type { Job } from '../golden/mapper.ts';

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
export function checkDescriptors(cfg: HwConfig, jobs: Job[]): void {
  const layout = jobLayout(cfg);
  for (const job of jobs) {
    for (const f of layout.fields) {
      const v = (job.desc as unknown as Record<string, number>)[f.name];
      if (!fits(f, v)) {
        throw new WorkloadError(`job register '${f.name}' = ${v} does not fit its ${f.width}-bit field (${f.doc}); raise coordWidth or bankDepth, or use a smaller layer`);
      }
    }
  }
}

export interface StimulusFiles { job: string; a: string; b: string; beats: { job: number; a: number; b: number } }

export function writeStimulus(cfg: HwConfig, jobs: Job[], dir: string): StimulusFiles {
  checkDescriptors(cfg, jobs);
  const jl = jobLayout(cfg), ll = laneLayout(cfg);
  const aw = cfg.I * ll.width, bw = cfg.F * ll.width;
  const jobLines: string[] = [], aLines: string[] = [], bLines: string[] = [];
  for (const job of jobs) {
    jobLines.push(hex(pack(jl, job.desc as unknown as Record<string, number>), jl.width));
    for (const v of job.a) aLines.push(hex(packVector(ll, v, cfg.I), aw));
    for (const v of job.b) bLines.push(hex(packVector(ll, v, cfg.F), bw));
  }
  fs.mkdirSync(dir, { recursive: true });
  const files = { job: path.join(dir, 'job.hex'), a: path.join(dir, 'a.hex'), b: path.join(dir, 'b.hex') };
  const write = (f: string, lines: string[]) => fs.writeFileSync(f, lines.length ? lines.join('\n') + '\n' : '');
  write(files.job, jobLines);
  write(files.a, aLines);
  write(files.b, bLines);
  return { ...files, beats: { job: jobLines.length, a: aLines.length, b: bLines.length } };
}
