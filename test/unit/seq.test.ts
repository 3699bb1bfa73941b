/**
 * The pair sequencer (golden/model/seq.ts, af_seq) on the jobs the mapper makes for every
 * mode: off issues every pair in order; filter issues exactly the pairs the range test finds
 * feasible; window issues every pair that holds a valid product, each once, in order.
 */
import { describe, it, expect } from 'vitest';
import type { AntMode } from '../../generator/config.ts';
import { pairProducts } from '../../golden/model/coord.ts';
import { boxOf, feasible } from '../../golden/model/range.ts';
import { Seq } from '../../golden/model/seq.ts';
import type { Job } from '../../golden/mapping/jobs.ts';
import { cases } from './cases.ts';

/** Run a job through the sequencer: the issued pairs (b, a) and the examined and skipped counts. */
function sequence(job: Job, mode: AntMode, lookahead: number) {
  const seq = new Seq(mode, lookahead);
  seq.start(job.desc, job.a.map(boxOf), job.b.map(boxOf));
  const issued: [number, number][] = [];
  let visited = 0, skipped = 0, cycles = 0;
  while (seq.active) {
    const st = seq.step();
    if (st.issue) issued.push([st.issue.b, st.issue.a]);
    visited += st.visited;
    skipped += st.skipped;
    if (++cycles > 4 * (job.a.length * job.b.length + job.b.length) + 10) throw new Error('sequencer does not finish');
  }
  return { issued, visited, skipped };
}

const jobs = cases().filter((c) => c.cfg.pes <= 2).flatMap((c) => c.m.arrayJobs.flatMap((aj) => aj.pe.map((job) => ({ job, I: c.cfg.I, name: c.name }))))
  .filter(({ job }) => job.a.length > 0 && job.b.length > 0);
const allPairs = (job: Job) => job.b.flatMap((_, b) => job.a.map((_, a) => [b, a] as [number, number]));

describe('sequencer', () => {
  it('has jobs of every mode to run', () => {
    expect(new Set(jobs.map((j) => j.name.split(',')[0])).size).toBe(7);
  });

  it('off: every pair once, B outer, A inner', () => {
    for (const { job } of jobs) {
      const r = sequence(job, 'off', 4);
      expect(r.issued).toEqual(allPairs(job));
      expect([r.visited, r.skipped]).toEqual([job.a.length * job.b.length, 0]);
    }
  });

  it.each([1, 4, 16])('filter at lookahead %i: exactly the feasible pairs, every pair examined once', (L) => {
    for (const { job } of jobs) {
      const r = sequence(job, 'filter', L);
      const aBox = job.a.map(boxOf), bBox = job.b.map(boxOf);
      expect(r.issued).toEqual(allPairs(job).filter(([b, a]) => feasible(job.desc, bBox[b], aBox[a])));
      expect(r.visited).toBe(job.a.length * job.b.length);
      expect(r.visited - r.skipped).toBe(r.issued.length);
    }
  });

  it.each([1, 4, 16])('window at lookahead %i: every pair with a valid product once, pairs in (b, a) order', (L) => {
    for (const { job, I, name } of jobs) {
      const r = sequence(job, 'window', L);
      const key = ([b, a]: [number, number]) => b * job.a.length + a;
      const keys = r.issued.map(key);
      for (let k = 1; k < keys.length; k++) expect(keys[k], name).toBeGreaterThan(keys[k - 1]);
      const issued = new Set(keys);
      const needed = allPairs(job).filter(([b, a]) => pairProducts(job.desc, job.b[b], job.a[a], I).validP.length > 0);
      for (const p of needed) expect(issued.has(key(p)), `${name}: pair ${p}`).toBe(true);
      expect(r.visited - r.skipped).toBe(r.issued.length);
    }
  });
});
