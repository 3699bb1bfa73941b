/**
 * The main job: `antforge demo` on the embedded default config cosimulates one layer per mode
 * without and with ANT, all cycle-exact, and ANT pays where RCPs are (wgrad, packed matmul).
 */
import { describe, it, expect, vi } from 'vitest';
import { Command } from 'commander';
import { registerDemo } from '../scripts/demo.ts';

async function runDemo(args: string[]): Promise<{ code: number; out: string }> {
  const program = new Command().name('antforge').exitOverride();
  registerDemo(program);
  for (const c of program.commands) c.exitOverride();
  let out = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'antforge', 'demo', ...args]);
    return { code: Number(process.exitCode ?? 0), out };
  } finally {
    so.mockRestore();
    process.exitCode = before;
  }
}

describe('demo', () => {
  it('cosimulates every mode with and without ANT, cycle-exact; ANT is faster on wgrad and packed matmul', async () => {
    const r = await runDemo(['--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
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
