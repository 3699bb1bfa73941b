/** `antforge mutate`: every mutant of the catalogue through a short cosim regression; all must be killed. */
import type { Command } from 'commander';
import { OptionError } from '../generator/errors.ts';
import { MUTANTS, runMutant, type MutantResult } from '../testbench/mutants.ts';
import { action, toJson, withJson } from './common.ts';

export function registerMutate(program: Command): void {
  const cmd = program
    .command('mutate')
    .description(`cosimulate each of the ${MUTANTS.length} catalogued RTL mutants on a short regression; exit 1 if any survives`)
    .option('--only <names>', 'comma-separated mutant names');
  withJson(cmd).action(action(async (opts: { json?: boolean; only?: string }) => {
    const names = opts.only?.split(',').map((s) => s.trim());
    const unknown = names?.filter((n) => !MUTANTS.some((m) => m.name === n)) ?? [];
    if (unknown.length) throw new OptionError(`--only: unknown mutant(s) ${unknown.join(', ')}; allowed: ${MUTANTS.map((m) => m.name).join(', ')}`);
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
