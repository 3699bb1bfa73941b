/**
 * Side-by-side golden runs of one workload under every ANT mode, on the same jobs: cycles,
 * speedup over the baseline, RCPs anticipated and multiplier utilization.
 */
import { ANT_MODES, type AntMode, type HwConfig } from '../../generator/config.ts';
import { mapWorkload } from '../mapping/mapper.ts';
import { runArray } from '../model/array.ts';
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
  /** Energy of the counted actions (golden/cost/cost.ts) with the given cost table. */
  energyPj: number;
}

export function compareModes(cfg: HwConfig, w: Workload, modes: readonly AntMode[] = ANT_MODES, tech: Tech = loadTech()): { rows: ModeRow[]; warnings: string[] } {
  const { tensors, warnings } = makeOperands(w, cfg);
  const mapping = mapWorkload(w, tensors, cfg);
  const base = runArray({ ...cfg, ant: 'off' }, mapping).counters;
  const rows = modes.map((ant) => {
    const c = ant === 'off' ? base : runArray({ ...cfg, ant }, mapping).counters;
    return {
      ant,
      cycles: c.cycles,
      speedup: base.cycles / c.cycles,
      counters: c,
      rcp: { baselineIssued: base.rcps, issued: c.rcps, anticipatedFraction: base.rcps ? (base.rcps - c.rcps) / base.rcps : 0 },
      multiplierUtilization: c.valid / (c.cycles * cfg.F * cfg.I * cfg.pes),
      energyPj: energy(c, { ...cfg, ant }, tech).total,
    };
  });
  return { rows, warnings };
}
