// `antforge bench --quick --json` runs end to end and reports every figure as a positive,
// finite number. Speeds are not asserted: the machine is shared and noisy.
import { describe, it, expect } from 'vitest';
import { runCli } from './cli.ts';

describe('antforge bench --quick --json', () => {
  it('reports positive, finite figures and passes its own checks', async () => {
    // A real process: the report quotes its own command line.
    const run = await runCli(['bench', '--quick', '--json', '--cycles', '20000', '--set', 'pes=2'], { subprocess: true });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.ok).toBe(true);
    expect(r.quick).toBe(true);
    expect(r.command).toContain('bench --quick --json');
    expect(r.config.pes).toBe(2);
    expect(r.build.hierarchical).toBe(true);
    const figures: Record<string, unknown> = {
      'build.coldSeconds': r.build.coldSeconds,
      'build.cachedSeconds': r.build.cachedSeconds,
      'workload.cycles': r.workload.cycles,
      'workload.pairs': r.workload.pairs,
      'bare.cyclesPerSecond': r.bare.cyclesPerSecond,
      'bare.peakRssKb': r.bare.peakRssKb,
      'endToEnd.cyclesPerSecond': r.endToEnd.cyclesPerSecond,
      'endToEnd.recordBytesPerCycle': r.endToEnd.recordBytesPerCycle,
      'endToEnd.peakRssKb.sim': r.endToEnd.peakRssKb.sim,
      'endToEnd.peakRssKb.node': r.endToEnd.peakRssKb.node,
      'ratios.endToEndOverBare': r.ratios.endToEndOverBare,
      'golden.cycleModel.pairsPerSecond': r.golden.cycleModel.pairsPerSecond,
      'golden.fastModel.pairsPerSecond': r.golden.fastModel.pairsPerSecond,
      'ratios.goldenOverRtl': r.ratios.goldenOverRtl,
    };
    for (const [name, v] of Object.entries(figures)) {
      expect(typeof v, name).toBe('number');
      expect(Number.isFinite(v as number) && (v as number) > 0, `${name} = ${v}`).toBe(true);
    }
    // The transactions the compare matched are the golden model's, all of them.
    expect(r.endToEnd.transactions).toBeGreaterThan(r.workload.pairs);
    // Without --with-vcd the old path is not measured.
    expect(r.vcdPath).toBeNull();
    expect(r.checks).toEqual({ rtlCyclesEqualGolden: true, cosimPasses: true });
  });
});
