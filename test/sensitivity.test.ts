/**
 * The testbench must catch a broken RTL: an off-by-one in the coordinate unit's range check
 * (it accepts oy == limY) must make cosim FAIL with a readable first divergence.
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { applyMutant, mutantNamed } from '../testbench/mutants.ts';
import { reportText } from '../scripts/cosim.ts';

describe('testbench sensitivity', () => {
  it('an off-by-one in af_coord fails cosim with the first divergence', async () => {
    const cfg = resolveConfig({ F: 2, I: 2, banks: 8, bankDepth: 16 });
    const modules = applyMutant(generate(cfg), mutantNamed('coord-row-limit-off-by-one'), cfg);
    expect(modules.find((m) => m.name === 'af_coord')!.text).toContain('(oy <= lim_y_s)');
    const w = validateWorkload({ kind: 'conv', phase: 'wgrad', N: 1, C: 1, K: 2, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.5, gradients: 0.5 }, seed: 3 });
    const r = await cosim(cfg, w, { modules });
    expect(r.pass).toBe(false);
    expect(r.trace.mismatches).toBeGreaterThan(0);
    expect(r.trace.first).toBeDefined();
    const text = reportText(cfg, w, r);
    expect(text).toMatch(/first divergence: cycle \d+, job \d+, .+: expected .+, got .+/);
    expect(text.trim().endsWith('FAIL')).toBe(true);
  });
});
