/** `antforge mutate`: every mutant of the catalogue through a short cosim regression; all must be killed. */
import type { Command } from 'commander';
import { AntforgeError } from '../generator/errors.ts';
import { resolveConfig, type HwConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { MUTANTS, applyMutant, type Mutant } from '../testbench/mutants.ts';
import { action, toJson, withJson } from './common.ts';
import { describeWorkload } from './cosim.ts';

/** Small config with two PEs, so array, reduction and (for ANT mutants) window logic are all exercised. */
export const MUTATE_CONFIG = { name: 'mutate', pes: 2, F: 2, I: 2, banks: 8, bankDepth: 16, aDepth: 32, bDepth: 32, antLookahead: 2 };

/** The regression: one short layer per mode, chosen so every block does real work. */
export const MUTATE_REGRESSION: object[] = [
  { kind: 'conv', phase: 'wgrad', N: 1, C: 2, K: 2, H: 9, W: 9, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.4, gradients: 0.4 }, seed: 11 },
  { kind: 'conv', phase: 'fwd', N: 1, C: 2, K: 3, H: 9, W: 8, R: 3, S: 3, stride: 2, pad: 1, density: { weights: 0.5, activations: 0.5 }, seed: 12 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 3, K: 2, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 0, density: { weights: 0.5, gradients: 0.5 }, seed: 13 },
  { kind: 'matmul', M: 9, K: 8, N: 7, density: { a: 0.4, b: 0.4 }, seed: 14, mapping: 'packed' },
  // Jobs of one or two vectors a side, so a box is read in the cycle it is written.
  { kind: 'conv', phase: 'bwd', N: 1, C: 2, K: 2, H: 4, W: 4, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.2, gradients: 0.25 }, seed: 1 },
];

export interface MutantResult { name: string; description: string; module: string; killed: boolean; killedBy?: string; workload?: string; detail?: string }

/** Cosimulate one mutant until a check fails; the first failing check is what killed it. */
export async function runMutant(m: Mutant, base: HwConfig = resolveConfig(MUTATE_CONFIG), regression = MUTATE_REGRESSION): Promise<MutantResult> {
  const cfg = { ...base, ant: m.ant };
  const modules = applyMutant(generate(cfg), m, cfg);
  for (const spec of regression) {
    const w: Workload = validateWorkload(spec);
    let r;
    try {
      r = await cosim(cfg, w, { modules });
    } catch (e) {
      if (e instanceof AntforgeError && e.area === 'simulation') {
        return { name: m.name, description: m.description, module: m.module, killed: true, killedBy: 'hang', workload: describeWorkload(w), detail: e.message };
      }
      throw e;
    }
    if (r.pass) continue;
    const killedBy = r.cycles.rtl !== r.cycles.golden ? 'cycles' : r.trace.mismatches ? 'trace' : r.countersCheck.mismatched.length ? 'counters' : 'outputs';
    const f = r.trace.first;
    const detail = f ? `first divergence at cycle ${f.cycle}, job ${f.job}, ${f.signal}: expected ${f.expected}, got ${f.actual}`
      : r.outputs.first ? `output [${r.outputs.first.index.join(',')}]: expected ${r.outputs.first.expected}, got ${r.outputs.first.actual}`
      : `cycles rtl ${r.cycles.rtl} golden ${r.cycles.golden}; counters ${r.countersCheck.mismatched.join(', ')}`;
    return { name: m.name, description: m.description, module: m.module, killed: true, killedBy, workload: describeWorkload(w), detail };
  }
  return { name: m.name, description: m.description, module: m.module, killed: false };
}

export function registerMutate(program: Command): void {
  const cmd = program
    .command('mutate')
    .description(`cosimulate each of the ${MUTANTS.length} catalogued RTL mutants on a short regression; exit 1 if any survives`)
    .option('--only <names>', 'comma-separated mutant names');
  withJson(cmd).action(action(async (opts: { json?: boolean; only?: string }) => {
    const names = opts.only?.split(',').map((s) => s.trim());
    const unknown = names?.filter((n) => !MUTANTS.some((m) => m.name === n)) ?? [];
    if (unknown.length) throw new AntforgeError(`--only: unknown mutant(s) ${unknown.join(', ')}; allowed: ${MUTANTS.map((m) => m.name).join(', ')}`, 2, 'config');
    const chosen = MUTANTS.filter((m) => !names || names.includes(m.name));
    const results: MutantResult[] = [];
    for (const m of chosen) {
      const r = await runMutant(m);
      results.push(r);
      if (!opts.json) process.stdout.write(`${r.killed ? 'killed  ' : 'SURVIVED'} ${m.name.padEnd(32)} ${r.killed ? `by ${r.killedBy} on ${r.workload}` : m.description}\n`);
    }
    const killed = results.filter((r) => r.killed).length;
    if (opts.json) process.stdout.write(toJson({ ok: true, mutants: results.length, killed, results }) + '\n');
    else process.stdout.write(`${killed} of ${results.length} mutants killed\n`);
    return killed === results.length ? 0 : 1;
  }));
}
