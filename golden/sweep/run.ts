/**
 * Running a sweep: every point not yet finished through the pool, one result file a point
 * (DIR/points/<hash>.json, written as it finishes, so an interrupted sweep resumes where it
 * stopped), then the aggregate outputs (golden/sweep/outputs.ts), all written atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AntforgeError, ConfigError, OptionError, OutputError, WorkloadError } from '../../generator/errors.ts';
import { removeStaleTemps, writeFilesAtomic, writeAtomic } from '../util/atomic.ts';
import { toJson } from '../util/json.ts';
import { runPool } from '../util/pool.ts';
import { evaluatePoint, pointJob, SWEEP_VERSION, type PointResult, type Space, type SweepPoint } from './sweep.ts';
import { paretoOf, resultsCsv, summaryMarkdown, sweepCharts, type Missing, type OUTPUTS, type Pareto } from './outputs.ts';

export const pointFile = (out: string, hash: string) => path.join(out, 'points', `${hash}.json`);

/** A finished point's result, or undefined when it has not run (or its file is not a result of this point). */
export function readPoint(out: string, hash: string): PointResult | undefined {
  let text: string;
  try { text = fs.readFileSync(pointFile(out, hash), 'utf8'); } catch { return undefined; }
  try {
    const r = JSON.parse(text) as PointResult;
    return r.hash === hash && r.version === SWEEP_VERSION ? r : undefined;
  } catch {
    return undefined;
  }
}

export interface PointFailure { hash: string; label: string; message: string; typed: boolean; area?: string }

/**
 * Run points over the pool (golden/util/pool.ts; inline with one job); each result is written
 * to DIR/points/<hash>.json as soon as it arrives. A failing point is reported and the others
 * go on, but an output that cannot be written stops the sweep.
 */
export async function runPoints(space: Space, points: SweepPoint[], out: string, jobs: number, onPoint?: (r: PointResult) => void): Promise<{ results: PointResult[]; failures: PointFailure[] }> {
  const results: PointResult[] = [];
  const failures: PointFailure[] = [];
  await runPool({ module: new URL('./sweep.ts', import.meta.url), fn: 'evaluatePoint', shared: undefined }, points.map((p) => pointJob(space, p)), jobs, {
    result: (_i, r: PointResult) => {
      writeAtomic(pointFile(out, r.hash), toJson(r) + '\n');
      results.push(r);
      onPoint?.(r);
    },
    error: (i, e) => {
      if (e instanceof OutputError) throw e;
      const typed = e instanceof AntforgeError;
      failures.push({ hash: points[i].hash, label: points[i].label, message: typed ? e.message : (e.stack ?? String(e)), typed, area: typed ? e.area : undefined });
    },
  });
  return { results, failures };
}

export interface SweepResult {
  space: Space;
  out: string;
  points: PointResult[];
  pareto: Pareto;
  ran: string[];
  skipped: string[];
  /** Points without a result (failed tasks of another engine): named in results.json and summary.md, not dropped silently. */
  missing: MissingPoint[];
  seconds: number;
  files: string[];
}

export type MissingPoint = Missing;

export interface SweepOptions { jobs: number; onPoint?: (r: PointResult, done: number, total: number) => void }

export function makeOut(out: string): void {
  try {
    fs.mkdirSync(path.join(out, 'points'), { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create the sweep folder '${out}': ${(e as Error).message}`);
  }
}

/** The points of the space whose result file is there, by hash. */
export function finishedPoints(space: Space, out: string): Map<string, PointResult> {
  const finished = new Map<string, PointResult>();
  for (const p of space.points) { const r = readPoint(out, p.hash); if (r) finished.set(p.hash, r); }
  return finished;
}

/** Run (or resume) a sweep: skip finished points, run the rest, write the aggregate outputs. */
export async function runSweep(space: Space, out: string, o: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  makeOut(out);
  const finished = finishedPoints(space, out);
  const todo = space.points.filter((p) => !finished.has(p.hash));
  let count = finished.size;
  const { results, failures } = await runPoints(space, todo, out, o.jobs, (r) => o.onPoint?.(r, ++count, space.points.length));
  for (const r of results) finished.set(r.hash, r);
  removeStaleTemps(path.join(out, 'points'));
  if (failures.length) {
    const list = failures.map((f) => `${f.label} (${f.hash}): ${f.message}`).join('; ');
    const msg = `${failures.length} of ${space.points.length} points failed: ${list}; the ${finished.size} finished points are kept in ${path.join(out, 'points')}, fix the space and rerun`;
    throw failures.every((f) => f.typed) ? (failures[0].area === 'config' ? new ConfigError(msg) : new WorkloadError(msg)) : new Error(msg);
  }
  return writeOutputs(space, out, finished, results.map((r) => r.hash), started);
}

/**
 * The aggregate outputs over the finished points (in the space's order, so they do not depend
 * on where or in which order the points ran); `missing` names the points without a result.
 */
export async function writeOutputs(space: Space, out: string, finished: Map<string, PointResult>, ran: string[], started: number, missing: MissingPoint[] = []): Promise<SweepResult> {
  const points = space.points.filter((p) => finished.has(p.hash)).map((p) => ({ ...finished.get(p.hash)!, label: p.label, values: p.values, config: p.config }));
  const pareto = paretoOf(points);
  const seconds = (Date.now() - started) / 1000;
  const skipped = points.filter((p) => !ran.includes(p.hash)).map((p) => p.hash);
  const charts = await sweepCharts(points, pareto);
  const files: Record<(typeof OUTPUTS)[number], string> = {
    'results.json': toJson({
      ok: missing.length === 0, version: SWEEP_VERSION,
      space: { file: space.file, dims: space.dims, varying: space.varying, base: space.base, work: space.work, tech: { name: space.tech.name, node: space.tech.resolvedNode, file: space.tech.file ?? null } },
      pareto: { cyclesArea: points.filter((_, i) => pareto.cyclesArea[i]).map((p) => p.hash), energyArea: points.filter((_, i) => pareto.energyArea[i]).map((p) => p.hash) },
      missing,
      points,
    }) + '\n',
    'results.csv': resultsCsv(space, points, pareto),
    ...charts,
    'summary.md': summaryMarkdown(space, points, pareto, { ran: ran.length, skipped: skipped.length, seconds }, missing),
  };
  writeFilesAtomic(Object.entries(files).map(([name, text]) => ({ path: path.join(out, name), data: text })));
  removeStaleTemps(out);
  return { space, out, points, pareto, ran, skipped, missing, seconds, files: Object.keys(files).map((f) => path.join(out, f)) };
}

/** Run one point (for external job runners); skipped when its result file exists. */
export function runOnePoint(space: Space, hash: string, out: string): { point: SweepPoint; result: PointResult; skipped: boolean; file: string } {
  const matches = space.points.filter((p) => p.hash.startsWith(hash));
  if (!/^[0-9a-f]{1,16}$/.test(hash) || matches.length !== 1) {
    throw new OptionError(`--point '${hash}' ${matches.length > 1 ? 'matches several points' : 'is not a point of this space'}; allowed: one of the hashes \`antforge sweep --space ${space.file} --list\` prints (${space.points.slice(0, 4).map((p) => p.hash).join(', ')}${space.points.length > 4 ? ', ...' : ''})`);
  }
  const point = matches[0];
  makeOut(out);
  const file = pointFile(out, point.hash);
  const old = readPoint(out, point.hash);
  if (old) return { point, result: old, skipped: true, file };
  const result = evaluatePoint(pointJob(space, point));
  writeAtomic(file, toJson(result) + '\n');
  return { point, result, skipped: false, file };
}

