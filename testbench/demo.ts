/** The demo's runs: one small sparse layer per mode, cosimulated on a config, then (for ant = off) the same layers through the ANT PE. */
import type { HwConfig } from '../generator/config.ts';
import { describeWorkload } from '../golden/workload/describe.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim, type CosimReport } from './cosim.ts';

/** Small sparse layers, one per mode, that finish in seconds. */
export const DEMO_WORKLOADS = [
  { kind: 'conv', phase: 'fwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.3, activations: 0.4 }, seed: 1 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 2, pad: 1, density: { weights: 0.3, gradients: 0.4 }, seed: 2 },
  { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 3 },
  { kind: 'matmul', M: 32, K: 24, N: 32, density: { a: 0.3, b: 0.3 }, seed: 4, mapping: 'packed' },
];

type Report = Pick<CosimReport, 'pass' | 'cycles' | 'counters' | 'trace' | 'outputs' | 'build'>;
export type DemoRow = Report & { workload: string; ant: HwConfig['ant']; rcp: CosimReport['rcp'] };
export type DemoAntRow = Report & { workload: string; ant: HwConfig['ant']; speedup: number; rcpsAnticipated: number };

export interface DemoHooks {
  /** Before the ANT runs start (only when there are any). */
  antStart?: (antCfg: HwConfig) => void;
  row?: (r: DemoRow) => void;
  antRow?: (r: DemoAntRow, base: DemoRow) => void;
}

/** Every demo layer on `cfg`; when its ant is off, also on the same config with ant = window, against those rows. */
export async function runDemo(cfg: HwConfig, hooks: DemoHooks = {}): Promise<{ rows: DemoRow[]; antRows: DemoAntRow[]; pass: boolean }> {
  const rows: DemoRow[] = [];
  for (const spec of DEMO_WORKLOADS) {
    const w = validateWorkload(spec);
    const r = await cosim(cfg, w);
    const row = { workload: describeWorkload(w), ant: cfg.ant, pass: r.pass, cycles: r.cycles, counters: r.counters, rcp: r.rcp, trace: r.trace, outputs: r.outputs, build: r.build };
    rows.push(row);
    hooks.row?.(row);
  }
  const antRows: DemoAntRow[] = [];
  if (cfg.ant === 'off') {
    const antCfg = { ...cfg, ant: 'window' as const };
    hooks.antStart?.(antCfg);
    for (const [k, spec] of DEMO_WORKLOADS.entries()) {
      const w = validateWorkload(spec);
      const r = await cosim(antCfg, w);
      const base = rows[k];
      const speedup = base.cycles.rtl / r.cycles.rtl;
      const anticipated = base.counters.rcps ? (base.counters.rcps - r.counters.rcps) / base.counters.rcps : 0;
      const row = { workload: describeWorkload(w), ant: antCfg.ant, pass: r.pass, cycles: r.cycles, counters: r.counters, speedup, rcpsAnticipated: anticipated, trace: r.trace, outputs: r.outputs, build: r.build };
      antRows.push(row);
      hooks.antRow?.(row, base);
    }
  }
  return { rows, antRows, pass: [...rows, ...antRows].every((r) => r.pass) };
}
