// `antforge bench --quick --json` runs end to end and reports every figure as a positive,
// finite number. Speeds are not asserted: the machine is shared and noisy.
import { describe, it, expect } from 'vitest';
import { runCli } from './cli.ts';

describe('antforge bench --quick --json', () => {
  it('reports positive, finite figures and passes its own checks', async () => {
    // A real process: the report quotes its own command line.
    const run = await runCli(['bench', '--quick', '--json', '--cycles', '20000'], { subprocess: true });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.ok).toBe(true);
    expect(r.quick).toBe(true);
    expect(r.command).toContain('bench --quick --json');
    const figures: Record<string, unknown> = {
      'build.ports.coldSeconds': r.build.ports.coldSeconds,
      'build.ports.cachedSeconds': r.build.ports.cachedSeconds,
      'workload.cycles': r.workload.cycles,
      'workload.pairs': r.workload.pairs,
      'sim.noVcd.cyclesPerSecond': r.sim.noVcd.cyclesPerSecond,
      'sim.portsVcd.cyclesPerSecond': r.sim.portsVcd.cyclesPerSecond,
      'sim.portsVcd.vcdBytesPerCycle': r.sim.portsVcd.vcdBytesPerCycle,
      'sim.ratios.noVcdOverPorts': r.sim.ratios.noVcdOverPorts,
      'readTrace.mbPerSecond': r.readTrace.mbPerSecond,
      'readTrace.cyclesPerSecond': r.readTrace.cyclesPerSecond,
      'golden.traceOff.pairsPerSecond': r.golden.traceOff.pairsPerSecond,
      'golden.traceOn.pairsPerSecond': r.golden.traceOn.pairsPerSecond,
      'golden.ratios.goldenOverRtl': r.golden.ratios.goldenOverRtl,
    };
    for (const [name, v] of Object.entries(figures)) {
      expect(typeof v, name).toBe('number');
      expect(Number.isFinite(v as number) && (v as number) > 0, `${name} = ${v}`).toBe(true);
    }
    // --quick skips the full-trace build and its VCD.
    expect(r.build.full).toBeNull();
    expect(r.sim.fullVcd).toBeNull();
    expect(r.checks).toEqual({ rtlCyclesEqualGolden: true, vcdCyclesEqualRtl: true, transactionCountsEqual: true });
  });
});
