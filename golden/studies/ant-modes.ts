/**
 * Side-by-side golden runs of one workload under every ANT mode, on the same jobs: cycles,
 * speedup over the baseline, RCPs anticipated and multiplier utilization.
 */
import { ANT_MODES, type AntMode, type HwConfig } from '../../generator/config.ts';
import { mapWorkload } from '../mapping/mapper.ts';
import { runArray } from '../model/array.ts';
import { timeShares, type TimeSplit } from '../model/schedule.ts';
import { type Counters } from '../../generator/counters.ts';
import { makeOperands, type Workload } from '../workload/workload.ts';
import { energy, loadTech, type Tech } from '../cost/cost.ts';

export interface ModeRow {
  ant: AntMode;
  cycles: number;
  speedup: number;
  counters: Counters;
  rcp: { baselineIssued: number; issued: number; anticipatedFraction: number };
  /** Valid products per multiplier (F x I x pes of them) per cycle, over the whole run. */
  multiplierUtilization: number;
  limitCycles: number;
  /** Where the PEs' cycles went, as shares of cycles x pes (golden/model/schedule.ts). */
  time: TimeSplit;
  /** Energy of the counted actions (golden/cost/cost.ts) with the given cost table. */
  energyPj: number;
}

export function compareModes(cfg: HwConfig, w: Workload, modes: readonly AntMode[] = ANT_MODES, tech: Tech = loadTech()): { rows: ModeRow[]; warnings: string[] } {
  const { tensors, warnings } = makeOperands(w, cfg);
  const mapping = mapWorkload(w, tensors, cfg);
  const baseRun = runArray({ ...cfg, ant: 'off' }, mapping);
  const base = baseRun.counters;
  const rows = modes.map((ant) => {
    const run = ant === 'off' ? baseRun : runArray({ ...cfg, ant }, mapping);
    const c = run.counters;
    return {
      ant,
      cycles: c.cycles,
      speedup: base.cycles / c.cycles,
      counters: c,
      rcp: { baselineIssued: base.rcps, issued: c.rcps, anticipatedFraction: base.rcps ? (base.rcps - c.rcps) / base.rcps : 0 },
      multiplierUtilization: c.valid / (c.cycles * cfg.F * cfg.I * cfg.pes),
      /** Cycles at the physical limit: every multiplier busy with valid products only. */
      limitCycles: Math.ceil(c.valid / (cfg.F * cfg.I * cfg.pes)),
      time: timeShares(run.time),
      energyPj: energy(c, { ...cfg, ant }, tech).total,
    };
  });
  return { rows, warnings };
}
