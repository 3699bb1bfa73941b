/**
 * The array's schedule (golden/model/schedule.ts): where the time goes adds up to the cycles of
 * every PE, the two models agree on it, and PEs meet only where the mapping says (broadcast
 * groups start together; reduced drains of a group are granted together).
 */
import { describe, it, expect } from 'vitest';
import { runArray } from '../../golden/model/array.ts';
import { fastRun } from '../../golden/model/fastpe.ts';
import { TIME_PARTS, scheduleArray, takesJob } from '../../golden/model/schedule.ts';
import { cases } from './cases.ts';
import { expectedDrainRows } from '../../testbench/compare.ts';

describe.each(cases().map((c) => [c.name, c] as const))('%s', (_name, { cfg, m }) => {
  it('the time split adds up to cycles x pes, and both models give the same split', () => {
    const slow = runArray(cfg, m), fast = fastRun(cfg, m);
    const total = TIME_PARTS.reduce((a, k) => a + fast.time[k], 0);
    expect(total).toBe(fast.counters.cycles * cfg.pes);
    expect(slow.time).toEqual(fast.time);
  });

  it('broadcast groups take their jobs in the same cycle; reduced drains of a group are granted together', () => {
    const starts = new Map<number, number[]>();
    const grants: { j: number; from: number[] }[] = [];
    scheduleArray(m, cfg.bankDepth, {
      compute: (_p, job, t) => t + 2 + Math.max(job.desc.nA, job.desc.nB, 1),
      started: (j, p, t) => { if (!starts.has(j)) starts.set(j, []); starts.get(j)![p] = t; },
      drain: (j, from) => grants.push({ j, from }),
    });
    m.arrayJobs.forEach((aj, j) => {
      if (!aj.bcast) return;
      const g = aj.group ?? cfg.pes;
      for (let g0 = 0; g0 < cfg.pes; g0 += g) {
        const ts = aj.pe.slice(g0, g0 + g).map((job, i) => (takesJob(aj, job) ? starts.get(j)![g0 + i] : undefined)).filter((t) => t !== undefined);
        expect(new Set(ts).size).toBeLessThanOrEqual(1);
      }
    });
    for (const { j, from } of grants) {
      const aj = m.arrayJobs[j];
      const g = aj.group ?? cfg.pes;
      if (aj.reduce) expect(new Set(from.map((p) => Math.floor(p / g))).size).toBe(1);
      else expect(from.length).toBe(1);
    }
  });

  it('drained rows: each port\'s rows plus the rows merged into group sums (the counters the drain energy uses)', () => {
    const run = fastRun(cfg, m);
    expect(run.counters.drained - run.counters.merged).toBe(expectedDrainRows(m));
    if (!m.arrayJobs.some((aj) => aj.reduce)) expect(run.counters.merged).toBe(0);
  });
});

describe('merged rows', () => {
  it('occur where wgrad tiles are reduced over PE groups', () => {
    const merged = cases().filter((c) => c.m.arrayJobs.some((aj) => aj.reduce)).map((c) => fastRun(c.cfg, c.m).counters.merged);
    expect(merged.length).toBeGreaterThan(0);
    expect(Math.max(...merged)).toBeGreaterThan(0);
  });
});

