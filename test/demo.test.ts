/**
 * The main job: `antforge demo` on the embedded default config cosimulates one layer per mode
 * without and with ANT, all cycle-exact, and ANT pays where RCPs are (wgrad, packed matmul).
 */
import { describe, it, expect } from 'vitest';
import { runCli } from './cli.ts';

describe('demo', () => {
  it('cosimulates every mode with and without ANT, cycle-exact; ANT is faster on wgrad and packed matmul', async () => {
    const r = await runCli(['demo', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pass).toBe(true);
    expect(j.results).toHaveLength(4);
    expect(j.ant).toHaveLength(4);
    for (const row of [...j.results, ...j.ant]) {
      expect(row.pass).toBe(true);
      expect(row.cycles.rtl).toBe(row.cycles.golden);
    }
    const byMode = (rows: { workload: string }[], m: string) => rows.findIndex((x) => x.workload.startsWith(m));
    for (const m of ['wgrad', 'matmul']) {
      const k = byMode(j.ant, m);
      expect(j.ant[k].speedup).toBeCloseTo(j.results[k].cycles.rtl / j.ant[k].cycles.rtl, 9);
      expect(j.ant[k].speedup).toBeGreaterThan(1.5);
      expect(j.ant[k].rcpsAnticipated).toBeGreaterThan(0.8);
    }
  }, 600_000);
});
