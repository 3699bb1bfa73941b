/**
 * Stimulus files from the mapper's array jobs, one job stream and two operand streams per PE:
 * binary for the Verilator harness (each beat ceil(width/32) little-endian 32-bit words, read
 * with one fread), hex lines for Icarus's $readmemh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { clog2, type HwConfig } from '../generator/config.ts';
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
  // Groups are aligned powers of two; a whole array of any size is the level that covers it.
  const groupLog = clog2(groupSize(aj, cfg.pes));
  const flags = pack(al, { bcast: aj.bcast ? 1 : 0, reduce: aj.reduce ? 1 : 0, groupLog });
  return pack(jl, aj.pe[p].desc) | (flags << BigInt(jl.width));
}

export interface StimulusFiles { dir: string; beats: { job: number[]; a: number[]; b: number[] } }

export type StimulusFormat = 'bin' | 'hex';

/** Beats as little-endian words, ceil(width/32) a beat. */
function binBeats(beats: bigint[], width: number): Buffer {
  const nw = Math.ceil(width / 32);
  const out = Buffer.alloc(beats.length * nw * 4);
  beats.forEach((v, i) => {
    for (let k = 0; k < nw; k++) out.writeUInt32LE(Number((v >> BigInt(32 * k)) & 0xffffffffn), (i * nw + k) * 4);
  });
  return out;
}

/**
 * j<p> holds PE p's job words (only the jobs it takes a descriptor for, golden/model/
 * schedule.ts), a<p> and b<p> the vectors it loads; a broadcast job's B vectors are written
 * once, to the stream of its group's first PE. Files are <stream><p>.bin or .hex by format.
 */
export function writeStimulus(cfg: HwConfig, jobs: ArrayJob[], dir: string, format: StimulusFormat = 'bin'): StimulusFiles {
  checkDescriptors(cfg, jobs);
  const ll = laneLayout(cfg);
  const N = cfg.pes, jw = jobLayout(cfg).width + arrayJobLayout(cfg).width, aw = cfg.I * ll.width, bw = cfg.F * ll.width;
  const beats = (): bigint[][] => Array.from({ length: N }, () => []);
  const jBeats = beats(), aBeats = beats(), bBeats = beats();
  for (const aj of jobs) {
    aj.pe.forEach((job, p) => {
      if (!takesJob(aj, job)) return;
      jBeats[p].push(packPeJob(cfg, aj, p));
      for (const v of job.a) aBeats[p].push(packVector(ll, v, cfg.I));
      // A broadcast job's B is read from its group's first stream only.
      if (!aj.bcast || groupLead(aj, p, N) === p) for (const v of job.b) bBeats[p].push(packVector(ll, v, cfg.F));
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  const write = (f: string, b: bigint[], width: number) => {
    if (format === 'bin') fs.writeFileSync(path.join(dir, `${f}.bin`), binBeats(b, width));
    else fs.writeFileSync(path.join(dir, `${f}.hex`), b.length ? b.map((v) => hex(v, width)).join('\n') + '\n' : '');
  };
  for (let p = 0; p < N; p++) {
    write(`j${p}`, jBeats[p], jw);
    write(`a${p}`, aBeats[p], aw);
    write(`b${p}`, bBeats[p], bw);
  }
  return { dir, beats: { job: jBeats.map((l) => l.length), a: aBeats.map((l) => l.length), b: bBeats.map((l) => l.length) } };
}
