/** `antforge fuzz`: random configs x random workloads, cosimulated; one build serves each group. */
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { ConfigError } from '../generator/errors.ts';
import type { GroupResult, FuzzFailure } from '../testbench/fuzz.ts';
import type { HwConfig } from '../generator/config.ts';
import { defaultJobs } from '../golden/studies/network-model.ts';
import { action, toJson, withJson } from './common.ts';

export interface FuzzSummary { cases: number; passed: number; failed: number; skipped: number; builds: number; seconds: number; failures: FuzzFailure[] }

/** Run groups of `perBuild` cases over `jobs` worker threads. */
export async function fuzz(cases: number, seed: number, jobs: number, perBuild: number, onGroup?: (g: GroupResult & { config: HwConfig }) => void): Promise<FuzzSummary> {
  const started = Date.now();
  const groups = Math.ceil(cases / perBuild);
  const sizes = Array.from({ length: groups }, (_, i) => Math.min(perBuild, cases - i * perBuild));
  const results: (GroupResult & { config: HwConfig })[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, groups) }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('../testbench/fuzz-worker.mjs', import.meta.url));
    const feed = () => {
      if (next >= groups) { void worker.terminate(); resolve(); return; }
      const index = next++;
      worker.postMessage({ seed, index, cases: sizes[index], shrink: true });
    };
    worker.on('message', (m: { index: number; result?: GroupResult & { config: HwConfig }; error?: string }) => {
      if (m.error) { void worker.terminate(); reject(new Error(m.error)); return; }
      results.push(m.result!);
      onGroup?.(m.result!);
      feed();
    });
    worker.on('error', reject);
    feed();
  })));
  const sum = (f: (g: GroupResult) => number) => results.reduce((s, g) => s + f(g), 0);
  return {
    cases: sum((g) => g.cases), passed: sum((g) => g.passed), failed: sum((g) => g.failed.length), skipped: sum((g) => g.skipped),
    builds: results.length, seconds: (Date.now() - started) / 1000, failures: results.flatMap((g) => g.failed),
  };
}

const int = (opt: string, v: string, lo: number, hi: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new ConfigError(`${opt} '${v}' is not allowed; allowed: an integer ${lo}..${hi}`);
  return n;
};

export function registerFuzz(program: Command): void {
  const cmd = program
    .command('fuzz')
    .description('random configs x random workloads in every mode, each cosimulated against the golden model; failing cases are shrunk and printed with a command that reproduces them')
    .option('--cases <n>', 'cases to run', '48')
    .option('--seed <n>', 'random seed', '1')
    .option('--jobs <n>', 'worker threads (default: one per core)')
    .option('--per-build <n>', 'cases that share one config (one Verilator build)', '16');
  withJson(cmd).action(action(async (opts: { cases: string; seed: string; jobs?: string; perBuild: string; json?: boolean }) => {
    const cases = int('--cases', opts.cases, 1, 1_000_000);
    const seed = int('--seed', opts.seed, 0, 2 ** 31 - 1);
    const jobs = opts.jobs === undefined ? defaultJobs() : int('--jobs', opts.jobs, 1, 64);
    const perBuild = int('--per-build', opts.perBuild, 1, 10_000);
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
