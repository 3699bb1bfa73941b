/**
 * `antforge sweep --space FILE --out DIR`: every point of a design space (the cartesian product
 * of config value lists) through the golden model and the cost model, one independent job a
 * point over worker threads, one result file a point (DIR/points/<hash>.json, written as it
 * finishes, so an interrupted sweep resumes where it stopped), then results.json, results.csv,
 * three Vega-Lite charts and summary.md with the Pareto-optimal configs.
 *
 * `--engine slurm` runs the same points as a Slurm job array instead (golden/sweep/slurm.ts):
 * DIR/sweep.sbatch, submitted, followed until every task ends, then the same outputs; exit 1
 * when a point has no result (each reported with its task's state, exit status and log tail).
 *
 * JSON (--json): { ok, engine, out, points, ran, skipped, seconds, files, pareto: { cyclesArea,
 * energyArea: [{hash, label, cycles, speedup, energyPj, areaMm2}] } }; with --engine slurm also
 * { script, submitted, jobs: [{id, hashes}], followed, failed: [{hash, label, task, state,
 * exitStatus, log, logTail}], missing: [{hash, label, reason}] }, and with --dry-run / --no-wait
 * only { ok, engine, out, dryRun | waited: false, script, submitted, jobs, followed }. With
 * --point: { ok, hash, skipped, file, result }. --list prints one JSON line a point: { hash,
 * label, values, config, done?, command? }.
 */
import type { Command } from 'commander';
import { OptionError } from '../generator/errors.ts';
import { defaultJobs } from '../golden/util/pool.ts';
import { loadSpace, type PointResult, type Space } from '../golden/sweep/sweep.ts';
import { sci, x2 } from '../golden/sweep/outputs.ts';
import { readPoint, runOnePoint, runSweep, type SweepResult } from '../golden/sweep/run.ts';
import { checkMem, checkPartition, checkTime, runSlurmSweep, type SlurmOptions } from '../golden/sweep/slurm.ts';
import { action, intOption, notAllowed, numOption, toJson, withJson } from './common.ts';

export interface SweepCliOpts {
  space: string; out?: string; jobs?: string; json?: boolean; list?: boolean; point?: string;
  engine?: string; partition?: string; maxRunning?: string; time?: string; mem?: string; wait?: boolean; dryRun?: boolean; poll?: string;
}

const ENGINES = ['local', 'slurm'] as const;
/** Options that only mean something to the Slurm engine, by their flag. */
const SLURM_ONLY: [keyof SweepCliOpts, string][] = [['partition', '--partition'], ['maxRunning', '--max-running'], ['time', '--time'], ['mem', '--mem'], ['dryRun', '--dry-run'], ['poll', '--poll']];

const pointLine = (r: PointResult) =>
  `${r.label}: ${sci(r.cycles.design)} cycles (${x2(r.speedup)} over off), ${sci(r.energy.total)} pJ, ${r.area.total.toFixed(4)} mm^2 (${r.seconds.toFixed(1)} s)`;

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('design-space sweep: every point (config) of a space through the golden model and the cost model, one job a point over worker threads or as a Slurm job array (--engine slurm), resumable; writes DIR/points/<hash>.json, results.json, results.csv, pareto-cycles-area.svg, pareto-energy-area.svg, energy-breakdown.svg and summary.md')
    .requiredOption('--space <file>', 'space JSON: {"config": {"F": [2, 4], "ant": ["off", "window"]}, "base"?: {...}, "networks"?: [...], "workloads"?: [...], "gemms"?: [...], "model"?: {...}, "tech"?: FILE, "node"?: NM} (schema: SPACE_SCHEMA in golden/sweep/sweep.ts)')
    .option('--out <dir>', 'output folder (required unless --list)')
    .option('--jobs <n>', 'worker threads, one point each (default: one per core)')
    .option('--list', 'print the points, one JSON line each (hash, label, values, config; with --out also done and the command that runs it), and run nothing')
    .option('--point <hash>', 'run just this point (a hash from --list, or a unique prefix) and write its result file; a plain rerun afterwards writes the aggregate outputs')
    .option('--engine <engine>', `where the points run: local (worker threads on this machine) or slurm (a Slurm job array: DIR/sweep.sbatch, one task a point, submitted with sbatch and followed with squeue)`, 'local')
    .option('--partition <p>', 'slurm: the partition to submit to (default: the cluster\'s default)')
    .option('--max-running <k>', 'slurm: at most K tasks of the array running at once (--array=...%K)')
    .option('--time <limit>', 'slurm: time limit per task, in Slurm\'s format (MINUTES, HH:MM:SS, DAYS-HH, ...)')
    .option('--mem <m>', 'slurm: memory per task (e.g. 4G)')
    .option('--no-wait', 'slurm: submit and return; a rerun of the same command follows the running array and then writes the outputs')
    .option('--dry-run', 'slurm: write DIR/sweep.sbatch and submit nothing')
    .option('--poll <seconds>', 'slurm: seconds between two squeue calls while following (default 5)');
  withJson(cmd).action(action(async (opts: SweepCliOpts) => {
    const engine = opts.engine ?? 'local';
    if (!(ENGINES as readonly string[]).includes(engine)) throw notAllowed('--engine', engine, ENGINES.join(', '));
    if (engine === 'local' || opts.list || opts.point) {
      const given = SLURM_ONLY.filter(([k]) => opts[k] !== undefined).map(([, f]) => f);
      if (opts.wait === false) given.push('--no-wait');
      const one = given.length === 1;
      if (given.length) {
        throw new OptionError(engine === 'local'
          ? `${given.join(', ')} ${one ? 'applies' : 'apply'} to --engine slurm only`
          : `${given.join(', ')} ${one ? 'does' : 'do'} not apply to ${opts.list ? '--list' : '--point'} (it runs nothing on Slurm)`);
      }
    }
    if (engine === 'slurm' && opts.jobs !== undefined) throw new OptionError('--jobs sets the local worker threads; with --engine slurm use --max-running to bound the tasks running at once');
    const jobs = opts.jobs === undefined ? defaultJobs() : intOption('--jobs', opts.jobs, 1, 256);
    const slurm: Omit<SlurmOptions, 'onPoint' | 'onSubmit'> = {
      partition: opts.partition === undefined ? undefined : checkPartition(opts.partition),
      maxRunning: opts.maxRunning === undefined ? undefined : intOption('--max-running', opts.maxRunning, 1, 1_000_000),
      time: opts.time === undefined ? undefined : checkTime(opts.time),
      mem: opts.mem === undefined ? undefined : checkMem(opts.mem),
      wait: opts.wait !== false,
      dryRun: opts.dryRun === true,
      pollSeconds: opts.poll === undefined ? 5 : numOption('--poll', opts.poll, 0.1, 3600),
    };
    if (opts.list && opts.point) throw new OptionError('give --list or --point, not both');
    const space = loadSpace(opts.space);
    if (opts.list) {
      for (const p of space.points) {
        const line: Record<string, unknown> = { hash: p.hash, label: p.label, values: p.values, config: p.config };
        if (opts.out !== undefined) {
          line.done = readPoint(opts.out, p.hash) !== undefined;
          line.command = `npx antforge sweep --space ${opts.space} --out ${opts.out} --point ${p.hash}`;
        }
        process.stdout.write(JSON.stringify(line) + '\n');
      }
      return;
    }
    if (opts.out === undefined) throw new OptionError('--out <dir> is required (the folder the results go to), unless --list');
    const out = opts.out;
    if (opts.point !== undefined) {
      const r = runOnePoint(space, opts.point, out);
      if (opts.json) process.stdout.write(toJson({ ok: true, hash: r.point.hash, skipped: r.skipped, file: r.file, result: r.result }) + '\n');
      else process.stdout.write(`${r.skipped ? 'already done' : 'ran'}: ${pointLine(r.result)}\nwrote ${r.file}\n`);
      return;
    }
    const onPoint = opts.json ? undefined : (p: PointResult, done: number, total: number) => process.stdout.write(`[${done}/${total}] ${pointLine(p)}\n`);
    if (engine === 'slurm') return slurmSweep(space, out, { ...slurm, onPoint }, opts.json === true);
    if (!opts.json) process.stdout.write(`sweep: ${space.points.length} points, ${Math.min(jobs, space.points.length)} worker${jobs > 1 ? 's' : ''}\n`);
    const r = await runSweep(space, out, { jobs, onPoint });
    printSweep(r, opts.json === true);
  }));
}

const paretoJson = (r: SweepResult) => {
  const front = (sel: boolean[]) => r.points.filter((_, i) => sel[i]).sort((a, b) => a.area.total - b.area.total)
    .map((p) => ({ hash: p.hash, label: p.label, cycles: p.cycles.design, speedup: p.speedup, energyPj: p.energy.total, areaMm2: p.area.total }));
  return { cyclesArea: front(r.pareto.cyclesArea), energyArea: front(r.pareto.energyArea) };
};

function printSweep(r: SweepResult, json: boolean, extra: Record<string, unknown> = {}): void {
  const pareto = paretoJson(r);
  if (json) {
    process.stdout.write(toJson({ ok: r.missing.length === 0, engine: 'local', out: r.out, points: r.points.length + r.missing.length, ran: r.ran.length, skipped: r.skipped.length, seconds: r.seconds, files: r.files, pareto, ...extra }) + '\n');
    return;
  }
  process.stdout.write([
    `${r.points.length + r.missing.length} points: ran ${r.ran.length}, skipped ${r.skipped.length} (already done)${r.missing.length ? `, missing ${r.missing.length} (failed)` : ''} in ${r.seconds.toFixed(1)} s`,
    `Pareto-optimal, cycles vs area: ${pareto.cyclesArea.map((p) => p.label).join('; ')}`,
    `Pareto-optimal, energy vs area: ${pareto.energyArea.map((p) => p.label).join('; ')}`,
    `wrote ${r.files.join(', ')}`,
  ].join('\n') + '\n');
}

async function slurmSweep(space: Space, out: string, o: SlurmOptions, json: boolean): Promise<number> {
  const say = (s: string) => { if (!json) process.stdout.write(s + '\n'); };
  const r = await runSlurmSweep(space, out, {
    ...o,
    onSubmit: (jobs, script, followed) => {
      for (const j of followed) say(`sweep: Slurm job ${j.id} of an earlier run is still running (${j.hashes.length} point${j.hashes.length > 1 ? 's' : ''}): following it, not resubmitting them`);
      for (const j of jobs) say(`sweep: submitted Slurm job ${j.id}: ${j.hashes.length} point${j.hashes.length > 1 ? 's' : ''} of ${space.points.length} (script ${script}, logs ${out}/slurm/logs/)`);
      if (!jobs.length && !followed.length) say(`sweep: all ${space.points.length} points are done, nothing to submit`);
    },
  });
  const slurmJson = { script: r.script ?? null, todo: r.todo.length, submitted: r.submitted, jobs: r.jobs, followed: r.followed.map((j) => j.id) };
  if (!r.sweep) {
    const ids = [...r.followed, ...r.jobs].map((j) => j.id);
    if (json) process.stdout.write(toJson({ ok: true, engine: 'slurm', out, ...(o.dryRun ? { dryRun: true } : { waited: false }), ...slurmJson }) + '\n');
    else if (o.dryRun) say(r.script ? `wrote ${r.script}: an array of the ${r.todo.length} unfinished points of ${space.points.length}; submit it with \`sbatch ${r.script}\`, or run this command without --dry-run` : `all ${space.points.length} points are done: no script to write`);
    else say(ids.length ? `not waiting: watch with \`squeue -j ${ids.join(',')}\`; rerun the same command without --no-wait to follow the jobs and write the outputs` : 'nothing running');
    return 0;
  }
  const failed = r.failures.map((f) => ({ hash: f.hash, label: f.label, task: f.task, state: f.state, exitStatus: f.exitStatus, log: f.log, logTail: f.logTail }));
  printSweep(r.sweep, json, { engine: 'slurm', ...slurmJson, failed, missing: r.sweep.missing });
  if (!failed.length) return 0;
  for (const f of r.failures) {
    process.stderr.write(`antforge: point ${f.label} (${f.hash}) failed: task ${f.task} ${f.state}${f.exitStatus !== null ? `, exit status ${f.exitStatus}` : ''}; log ${f.log || '(none)'}:\n${f.logTail.map((l) => `    ${l}`).join('\n')}\n`);
  }
  process.stderr.write(`antforge: ${failed.length} of ${space.points.length} points failed; the outputs cover the ${r.sweep.points.length} finished one${r.sweep.points.length === 1 ? '' : 's'} and name the missing (summary.md, results.json); rerun the same command to submit only those\n`);
  return 1;
}

