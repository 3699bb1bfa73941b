/**
 * Mutation testing: every catalogued RTL mutant must be killed by the cosim regression - a
 * survivor is a hole in the regression. Also: every mutant still applies to the templates.
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { MUTANTS, MUTATE_CONFIG, applyMutant, runMutant } from '../testbench/mutants.ts';

describe('mutant catalogue', () => {
  it('has at least 12 mutants, each changing exactly its module', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(12);
    for (const m of MUTANTS) {
      const cfg = resolveConfig({ ...MUTATE_CONFIG, ant: m.ant });
      const base = generate(cfg);
      const mutated = applyMutant(base, m, cfg);
      const changed = mutated.filter((mod, i) => mod.text !== base[i].text).map((mod) => mod.name);
      expect(changed).toEqual([m.module]);
    }
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s is killed', async (_name, m) => {
    const r = await runMutant(m);
    expect(r.killed, `${m.name} survived the regression: ${m.description}`).toBe(true);
    expect(r.killedBy).toMatch(/^(cycles|trace|counters|outputs|hang)$/);
  });
});
