/** What `antforge size` reports: ASIC area and energy per action from the cost model, FPGA resources and fmax from Yosys and nextpnr. */
import { area, energy, loadTech, scaledTable, DEFAULT_TECH_FILE, type Tech } from '../golden/cost/cost.ts';
import { zeroCounters, COUNTER_NAMES, type Counters } from '../generator/counters.ts';
import type { HwConfig } from '../generator/config.ts';
import { synthFpga, type FpgaFamily, type FpgaReport } from './yosys.ts';
import { fmaxIce40, type FmaxReport, type Ice40Device } from './fmax.ts';

/** Energy of each action of the config (pJ per action, after the random/repeated/gated factor). */
export function actionEnergies(cfg: HwConfig, t: Tech) {
  const one: Counters = zeroCounters();
  for (const n of COUNTER_NAMES) one[n] = 1;
  return energy(one, cfg, t).actions.map(({ component, action: a, kind, perAction, derivation }) => ({ component, action: a, kind, perAction, derivation }));
}

export function sizeReport(cfg: HwConfig, opts: { tech?: string; node?: number; fpga?: FpgaFamily; fmax?: Ice40Device } = {}) {
  const t = loadTech(opts.tech, opts.node);
  const a = area(cfg, t);
  const fpga: FpgaReport | undefined = opts.fpga ? synthFpga(cfg, opts.fpga) : undefined;
  const fmax: FmaxReport | undefined = opts.fmax ? fmaxIce40(cfg, { device: opts.fmax }) : undefined;
  return {
    ok: true,
    config: cfg,
    tech: {
      name: t.table.name, file: opts.tech ?? DEFAULT_TECH_FILE.pathname, node: t.node, tableNode: t.table.node, vdd: t.table.vdd,
      energyFactor: t.energyFactor, areaFactor: t.areaFactor, nodeRule: t.table.scaling.node.rule, nodeSource: t.table.scaling.node.source,
    },
    area: { ...a, totalMm2: a.total / 1e6 },
    energyPerAction: actionEnergies(cfg, t),
    table: scaledTable(t),
    scaling: { width: t.table.scaling.width, sramSize: t.table.scaling.sramSize, sramFit: { ...t.sramFit, formula: 'pJ = a * bytes^b for a 64-bit read, x (bits/64)' } },
    ...(fpga ? { fpga } : {}),
    ...(fmax ? { fmax } : {}),
  };
}
