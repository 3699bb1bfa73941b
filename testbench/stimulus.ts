/**
 * Stimulus files from the mapper's array jobs: one hex line per beat, readable by the C++
 * harness and by Verilog's $readmemh alike; one job stream and two operand streams per PE.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { WorkloadError } from '../generator/errors.ts';
import { arrayJobLayout, jobLayout, laneLayout, pack, fits, type Layout } from '../generator/layout.ts';
import type { Vector } from '../golden/mapping/format.ts';
import type { ArrayJob } from '../golden/mapping/mapper.ts';
import { groupLead, groupSize, takesJob } from '../golden/model/schedule.ts';

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
        const v = job.desc[f.name];
        if (!fits(f, v)) {
          throw new WorkloadError(`job register '${f.name}' = ${v} does not fit its ${f.width}-bit field (${f.doc}); raise coordWidth or bankDepth, or use a smaller layer`);
        }
      }
    }
  }
}

/** PE p's job word: {groupLog, reduce, bcast} of its array job above its descriptor. */
export function packPeJob(cfg: HwConfig, aj: ArrayJob, p: number): bigint {
  const jl = jobLayout(cfg), al = arrayJobLayout(cfg);
  const groupLog = Math.log2(groupSize(aj, cfg.pes));
  const flags = pack(al, { bcast: aj.bcast ? 1 : 0, reduce: aj.reduce ? 1 : 0, groupLog });
  return pack(jl, aj.pe[p].desc) | (flags << BigInt(jl.width));
}

export interface StimulusFiles { dir: string; beats: { job: number[]; a: number[]; b: number[] } }

/**
 * j<p>.hex holds PE p's job words (only the jobs it takes a descriptor for, golden/model/
 * schedule.ts), a<p>.hex and b<p>.hex the vectors it loads; a broadcast job's B vectors are
 * written once, to the stream of its group's first PE.
 */
export function writeStimulus(cfg: HwConfig, jobs: ArrayJob[], dir: string): StimulusFiles {
  checkDescriptors(cfg, jobs);
  const ll = laneLayout(cfg);
  const N = cfg.pes, jw = jobLayout(cfg).width + arrayJobLayout(cfg).width;
  const lines = (): string[][] => Array.from({ length: N }, () => []);
  const jLines = lines(), aLines = lines(), bLines = lines();
  for (const aj of jobs) {
    aj.pe.forEach((job, p) => {
      if (!takesJob(aj, job)) return;
      jLines[p].push(hex(packPeJob(cfg, aj, p), jw));
      for (const v of job.a) aLines[p].push(hex(packVector(ll, v, cfg.I), cfg.I * ll.width));
      // A broadcast job's B is read from its group's first stream only.
      if (!aj.bcast || groupLead(aj, p, N) === p) for (const v of job.b) bLines[p].push(hex(packVector(ll, v, cfg.F), cfg.F * ll.width));
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  const write = (f: string, l: string[]) => fs.writeFileSync(path.join(dir, f), l.length ? l.join('\n') + '\n' : '');
  for (let p = 0; p < N; p++) {
    write(`j${p}.hex`, jLines[p]);
    write(`a${p}.hex`, aLines[p]);
    write(`b${p}.hex`, bLines[p]);
  }
  return { dir, beats: { job: jLines.map((l) => l.length), a: aLines.map((l) => l.length), b: bLines.map((l) => l.length) } };
}
