/** `antforge fuzz`: random configs x random workloads, cosimulated; one build serves each group. */
import type { Command } from 'commander';
import { fuzz } from '../testbench/fuzz.ts';
import { defaultJobs } from '../golden/util/pool.ts';
import { action, intOption, toJson, withJson } from './common.ts';

export function registerFuzz(program: Command): void {
  const cmd = program
    .command('fuzz')
    .description('random configs x random workloads in every mode, each cosimulated against the golden model; failing cases are shrunk and printed with a command that reproduces them')
    .option('--cases <n>', 'cases to run', '48')
    .option('--seed <n>', 'random seed', '1')
    .option('--jobs <n>', 'worker threads (default: one per core)')
    .option('--per-build <n>', 'cases that share one config (one Verilator build)', '16');
  withJson(cmd).action(action(async (opts: { cases: string; seed: string; jobs?: string; perBuild: string; json?: boolean }) => {
    const cases = intOption('--cases', opts.cases, 1, 1_000_000);
    const seed = intOption('--seed', opts.seed, 0, 2 ** 31 - 1);
    const jobs = opts.jobs === undefined ? defaultJobs() : intOption('--jobs', opts.jobs, 1, 64);
    const perBuild = intOption('--per-build', opts.perBuild, 1, 10_000);
    const s = await fuzz(cases, seed, jobs, perBuild, opts.json ? undefined : (g) => {
      const c = g.config;
      process.stdout.write(`${g.failed.length ? 'FAIL' : 'ok  '} ${c.name}: pes=${c.pes} F=${c.F} I=${c.I} banks=${c.banks}x${c.bankDepth} dw=${c.dataWidth} acc=${c.accWidth} ant=${c.ant}/${c.antLookahead} gating=${c.gating}: ${g.passed}/${g.cases} passed\n`);
      for (const f of g.failed) process.stdout.write(`  ${f.detail}\n  reproduce: ${f.shrunk?.reproduce ?? f.reproduce}\n`);
    });
    if (opts.json) process.stdout.write(toJson({ ok: true, ...s }) + '\n');
    else process.stdout.write(`${s.passed} of ${s.cases} cases passed, ${s.failed} failed, ${s.builds} builds, ${s.skipped} layers redrawn (did not fit a config), ${s.seconds.toFixed(0)} s\n`);
    return s.failed ? 1 : 0;
  }));
}
