/**
 * `antforge sweep --space FILE --out DIR`: every point of a design space (the cartesian product
 * of config value lists) through the golden model and the cost model, one independent job a
 * point over worker threads, one result file a point (DIR/points/<hash>.json, written as it
 * finishes, so an interrupted sweep resumes where it stopped), then results.json, results.csv,
 * three Vega-Lite charts and summary.md with the Pareto-optimal configs.
 *
 * JSON (--json): { ok, out, points, ran, skipped, seconds, files, pareto: { cyclesArea,
 * energyArea: [{hash, label, cycles, speedup, energyPj, areaMm2}] } }; with --point: { ok, hash,
 * skipped, file, result }. --list prints one JSON line a point: { hash, label, values, config,
 * done?, command? }.
 */
import type { Command } from 'commander';
import { OptionError } from '../generator/errors.ts';
import { defaultJobs } from '../golden/util/pool.ts';
import { loadSpace, type PointResult } from '../golden/sweep/sweep.ts';
import { sci, x2 } from '../golden/sweep/outputs.ts';
import { readPoint, runOnePoint, runSweep } from '../golden/sweep/run.ts';
import { action, intOption, toJson, withJson } from './common.ts';

export interface SweepCliOpts { space: string; out?: string; jobs?: string; json?: boolean; list?: boolean; point?: string }

const pointLine = (r: PointResult) =>
  `${r.label}: ${sci(r.cycles.design)} cycles (${x2(r.speedup)} over off), ${sci(r.energy.total)} pJ, ${r.area.total.toFixed(4)} mm^2 (${r.seconds.toFixed(1)} s)`;

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('design-space sweep: every point (config) of a space through the golden model and the cost model, one job a point over worker threads, resumable; writes DIR/points/<hash>.json, results.json, results.csv, pareto-cycles-area.svg, pareto-energy-area.svg, energy-breakdown.svg and summary.md')
    .requiredOption('--space <file>', 'space JSON: {"config": {"F": [2, 4], "ant": ["off", "window"]}, "base"?: {...}, "networks"?: [...], "workloads"?: [...], "gemms"?: [...], "model"?: {...}, "tech"?: FILE, "node"?: NM} (schema: SPACE_SCHEMA in golden/sweep/sweep.ts)')
    .option('--out <dir>', 'output folder (required unless --list)')
    .option('--jobs <n>', 'worker threads, one point each (default: one per core)')
    .option('--list', 'print the points, one JSON line each (hash, label, values, config; with --out also done and the command that runs it), and run nothing')
    .option('--point <hash>', 'run just this point (a hash from --list, or a unique prefix) and write its result file; a plain rerun afterwards writes the aggregate outputs');
  withJson(cmd).action(action(async (opts: SweepCliOpts) => {
    const jobs = opts.jobs === undefined ? defaultJobs() : intOption('--jobs', opts.jobs, 1, 256);
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
    if (!opts.json) process.stdout.write(`sweep: ${space.points.length} points, ${Math.min(jobs, space.points.length)} worker${jobs > 1 ? 's' : ''}\n`);
    const r = await runSweep(space, out, {
      jobs,
      onPoint: opts.json ? undefined : (p, done, total) => process.stdout.write(`[${done}/${total}] ${pointLine(p)}\n`),
    });
    const front = (sel: boolean[]) => r.points.filter((_, i) => sel[i]).sort((a, b) => a.area.total - b.area.total)
      .map((p) => ({ hash: p.hash, label: p.label, cycles: p.cycles.design, speedup: p.speedup, energyPj: p.energy.total, areaMm2: p.area.total }));
    const pareto = { cyclesArea: front(r.pareto.cyclesArea), energyArea: front(r.pareto.energyArea) };
    if (opts.json) {
      process.stdout.write(toJson({ ok: true, out, points: r.points.length, ran: r.ran.length, skipped: r.skipped.length, seconds: r.seconds, files: r.files, pareto }) + '\n');
      return;
    }
    process.stdout.write([
      `${r.points.length} points: ran ${r.ran.length}, skipped ${r.skipped.length} (already done) in ${r.seconds.toFixed(1)} s`,
      `Pareto-optimal, cycles vs area: ${pareto.cyclesArea.map((p) => p.label).join('; ')}`,
      `Pareto-optimal, energy vs area: ${pareto.energyArea.map((p) => p.label).join('; ')}`,
      `wrote ${r.files.join(', ')}`,
    ].join('\n') + '\n');
  }));
}
