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
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { AntforgeError, ConfigError, OutputError, WorkloadError } from '../generator/errors.ts';
import { ENERGY_COMPONENTS } from '../golden/cost/cost.ts';
import { defaultJobs } from '../golden/studies/network-model.ts';
import {
  evaluatePoint, loadSpace, pointJob, SWEEP_VERSION, type PointResult, type Space, type SweepPoint,
} from '../golden/sweep/sweep.ts';
import { action, toJson, withJson } from './common.ts';
import { renderSvg } from './plot.ts';

export { SPACE_SCHEMA, loadSpace, validateSpace } from '../golden/sweep/sweep.ts';

export const CHARTS = ['pareto-cycles-area.svg', 'pareto-energy-area.svg', 'energy-breakdown.svg'] as const;
export const OUTPUTS = ['results.json', 'results.csv', ...CHARTS, 'summary.md'] as const;

let tmpCounter = 0;
/** Write a file whole or not at all (temporary name in the same folder, then rename). */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw new OutputError(`cannot write '${file}': ${(e as Error).message}`);
  }
}

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

/** Temporary files left by a killed run (their process is gone). */
function removeStaleTemps(dir: string): void {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const n of names) {
    const m = /\.tmp-(\d+)-\d+$/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) { try { process.kill(pid, 0); alive = true; } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; } }
    if (!alive) { try { fs.unlinkSync(path.join(dir, n)); } catch { /* raced */ } }
  }
}

export interface PointFailure { hash: string; label: string; message: string; typed: boolean; area?: string }

/**
 * Run points (inline when jobs <= 1, else over worker threads); each result is written to
 * DIR/points/<hash>.json as soon as it arrives. A failing point is reported, the others go on.
 */
export async function runPoints(space: Space, points: SweepPoint[], out: string, jobs: number, onPoint?: (r: PointResult) => void): Promise<{ results: PointResult[]; failures: PointFailure[] }> {
  const results: PointResult[] = [];
  const failures: PointFailure[] = [];
  const done = (r: PointResult) => {
    writeAtomic(pointFile(out, r.hash), toJson(r) + '\n');
    results.push(r);
    onPoint?.(r);
  };
  if (jobs <= 1 || points.length <= 1) {
    for (const p of points) {
      try {
        done(evaluatePoint(pointJob(space, p)));
      } catch (e) {
        if (e instanceof OutputError) throw e;
        const typed = e instanceof AntforgeError;
        failures.push({ hash: p.hash, label: p.label, message: typed ? e.message : ((e as Error).stack ?? String(e)), typed, area: typed ? e.area : undefined });
      }
    }
    return { results, failures };
  }
  const byHash = new Map(points.map((p) => [p.hash, p]));
  let next = 0;
  let aborted = false;
  const url = new URL('../golden/sweep/sweep-worker.mjs', import.meta.url);
  await Promise.all(Array.from({ length: Math.min(jobs, points.length) }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(url);
    const fail = (e: unknown) => { aborted = true; void worker.terminate(); reject(e); };
    const feed = () => {
      if (aborted || next >= points.length) { void worker.terminate(); resolve(); return; }
      worker.postMessage(pointJob(space, points[next++]));
    };
    worker.on('message', (m: { hash: string; result?: PointResult; error?: string; typed?: boolean; area?: string }) => {
      if (m.result) {
        try { done(m.result); } catch (e) { fail(e); return; }
      } else {
        failures.push({ hash: m.hash, label: byHash.get(m.hash)!.label, message: m.error!, typed: !!m.typed, area: m.area });
      }
      feed();
    });
    worker.on('error', fail);
    feed();
  })));
  return { results, failures };
}

// ---------------------------------------------------------------------------------------------
// Pareto fronts and outputs

/** Which items no other item beats on both x and y (minimizing both; equal items are all kept). */
export function paretoFront<T>(items: T[], x: (t: T) => number, y: (t: T) => number): boolean[] {
  return items.map((a) => !items.some((b) => x(b) <= x(a) && y(b) <= y(a) && (x(b) < x(a) || y(b) < y(a))));
}

export interface Pareto { cyclesArea: boolean[]; energyArea: boolean[] }

export function paretoOf(points: PointResult[]): Pareto {
  return {
    cyclesArea: paretoFront(points, (p) => p.area.total, (p) => p.cycles.design),
    energyArea: paretoFront(points, (p) => p.area.total, (p) => p.energy.total),
  };
}

const csvCell = (v: unknown) => { const s = String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };

export function resultsCsv(space: Space, points: PointResult[], pareto: Pareto): string {
  const areaKeys = Object.keys(points[0]?.area.components ?? {});
  const head = ['hash', ...space.varying, 'cycles', 'offCycles', 'speedup', 'energyPj', 'offEnergyPj', 'areaMm2',
    ...ENERGY_COMPONENTS.map((c) => `energy_${c}_pJ`), ...areaKeys.map((c) => `area_${c}_mm2`), 'paretoCyclesArea', 'paretoEnergyArea'];
  const rows = points.map((p, i) => [
    p.hash, ...space.varying.map((k) => p.values[k]), p.cycles.design, p.cycles.off, p.speedup, p.energy.total, p.energy.off, p.area.total,
    ...ENERGY_COMPONENTS.map((c) => p.energy.components[c] ?? 0), ...areaKeys.map((c) => p.area.components[c]),
    pareto.cyclesArea[i] ? 1 : 0, pareto.energyArea[i] ? 1 : 0,
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const VL = 'https://vega.github.io/schema/vega-lite/v5.json';

async function paretoChart(points: PointResult[], front: boolean[], y: { field: string; title: string; get: (p: PointResult) => number }, title: string): Promise<string> {
  const data = points.map((p, i) => ({ label: p.label, hash: p.hash, area: p.area.total, value: y.get(p), pareto: front[i] ? 'Pareto-optimal' : 'dominated' }));
  const frontData = data.filter((d) => d.pareto === 'Pareto-optimal').sort((a, b) => a.area - b.area || a.value - b.value);
  return renderSvg({
    $schema: VL, title, width: 420, height: 280,
    layer: [
      { data: { values: frontData }, mark: { type: 'line', interpolate: 'step-after', color: '#d62728', strokeDash: [4, 3] },
        encoding: { x: { field: 'area', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, order: { field: 'area', type: 'quantitative' } } },
      { data: { values: data }, mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'area', type: 'quantitative', title: 'area (mm^2)', scale: { zero: false } },
          y: { field: 'value', type: 'quantitative', title: y.title, axis: { format: '.3s' } },
          color: { field: 'pareto', type: 'nominal', title: null, scale: { domain: ['Pareto-optimal', 'dominated'], range: ['#d62728', '#9e9e9e'] } },
          tooltip: [{ field: 'label' }, { field: 'hash' }, { field: 'area', format: '.4f' }, { field: 'value', format: '.4s' }],
        } },
      { data: { values: frontData }, mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 9 },
        encoding: { x: { field: 'area', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
}

export async function sweepCharts(points: PointResult[], pareto: Pareto): Promise<Record<(typeof CHARTS)[number], string>> {
  const breakdown = points.flatMap((p) => ENERGY_COMPONENTS.map((c) => ({ point: p.label, component: c, pJ: p.energy.components[c] ?? 0 })));
  return {
    'pareto-cycles-area.svg': await paretoChart(points, pareto.cyclesArea, { field: 'cycles', title: 'cycles (design ant mode)', get: (p) => p.cycles.design }, 'Cycles vs area (minimizing both)'),
    'pareto-energy-area.svg': await paretoChart(points, pareto.energyArea, { field: 'energy', title: 'energy (pJ)', get: (p) => p.energy.total }, 'Energy vs area (minimizing both)'),
    'energy-breakdown.svg': await renderSvg({
      $schema: VL, title: 'Energy by component (design ant mode)', width: { step: 34 }, height: 260,
      data: { values: breakdown }, mark: 'bar',
      encoding: {
        x: { field: 'point', type: 'nominal', sort: null, title: null, axis: { labelAngle: -40 } },
        y: { field: 'pJ', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'energy (pJ)', axis: { format: '.3s' } },
        color: { field: 'component', type: 'nominal', sort: [...ENERGY_COMPONENTS], title: 'component' },
        tooltip: [{ field: 'point' }, { field: 'component' }, { field: 'pJ', aggregate: 'sum', format: '.4s' }],
      },
    }),
  };
}

const sci = (v: number) => (v >= 1e4 ? v.toExponential(3) : v.toFixed(v >= 100 ? 0 : 2));
const x2 = (v: number) => `${v.toFixed(2)}x`;

function workDescription(space: Space): string[] {
  const w = space.work;
  const out: string[] = [];
  if (w.networks.length) out.push(`networks ${w.networks.map((n) => `${n.name} (${n.dataset})`).join(', ')} at ${w.model.sparsity} sparsity, batch ${w.model.batch}, phases ${w.model.phases.join(',')}, ${w.model.actPattern}, sample ${w.model.sample}, seed ${w.model.seed}`);
  if (w.workloads.length) out.push(`${w.workloads.length} conv/matmul workload${w.workloads.length > 1 ? 's' : ''}`);
  if (w.gemms.length) out.push(`GEMMs ${w.gemms.map((g) => `${g.name} (${g.pattern} ${g.sparsity})`).join(', ')}`);
  return out;
}

export function summaryMarkdown(space: Space, points: PointResult[], pareto: Pareto, run: { ran: number; skipped: number; seconds: number }): string {
  const fixed = Object.entries(space.dims).filter(([, v]) => v.length === 1).map(([k, v]) => `${k} = ${v[0]}`);
  const baseKeys = Object.entries(space.base).map(([k, v]) => `${k} = ${v}`);
  const row = (p: PointResult) => `| ${p.label} | ${sci(p.cycles.design)} | ${x2(p.speedup)} | ${sci(p.energy.total)} | ${p.area.total.toFixed(4)} | \`${p.hash}\` |`;
  const table = (sel: boolean[]) => ['| config | cycles | speedup over off | energy (pJ) | area (mm^2) | point |', '|---|---|---|---|---|---|',
    ...points.filter((_, i) => sel[i]).sort((a, b) => a.area.total - b.area.total).map(row)].join('\n');
  const mark = (i: number) => [pareto.cyclesArea[i] ? 'C' : '', pareto.energyArea[i] ? 'E' : ''].join('') || '';
  return `# Sweep of ${path.basename(space.file)}

Generated by \`npx antforge sweep --space ${space.file}\`: ${points.length} point${points.length > 1 ? 's' : ''} over ${space.varying.map((k) => `${k} in {${space.dims[k].join(', ')}}`).join(' x ') || '(one point)'}${fixed.length || baseKeys.length ? `; fixed: ${[...fixed, ...baseKeys].join(', ')}` : ''}.
Workloads on every point: ${workDescription(space).join('; ')}. Cost table ${space.tech.name} at ${space.tech.resolvedNode} nm.
This run computed ${run.ran} point${run.ran === 1 ? '' : 's'} and reused ${run.skipped} finished one${run.skipped === 1 ? '' : 's'} in ${run.seconds.toFixed(1)} s.

Cycles are those of each config's own \`ant\` mode (the design), summed over the workloads; "speedup over off" divides
the same config's cycles with ant = off by them. Energy is the design's counters times the cost table
(golden/cost/cost.ts: what the counters cannot see - loads, clears, drains, DRAM - is left out); area is the whole array.
Pareto-optimal: no other point has both less (or equal) area and fewer (or equal) cycles / less energy, one of them strictly.

## Pareto-optimal on cycles vs area

${table(pareto.cyclesArea)}

![cycles vs area](pareto-cycles-area.svg)

## Pareto-optimal on energy vs area

${table(pareto.energyArea)}

![energy vs area](pareto-energy-area.svg)

## Energy by component

![energy by component](energy-breakdown.svg)

## All points

| config | cycles | off cycles | speedup | energy (pJ) | area (mm^2) | Pareto (C: cycles-area, E: energy-area) |
|---|---|---|---|---|---|---|
${points.map((p, i) => `| ${p.label} | ${sci(p.cycles.design)} | ${sci(p.cycles.off)} | ${x2(p.speedup)} | ${sci(p.energy.total)} | ${p.area.total.toFixed(4)} | ${mark(i)} |`).join('\n')}

Data: [results.json](results.json), [results.csv](results.csv), one file a point in [points/](points/).
`;
}

// ---------------------------------------------------------------------------------------------
// The whole sweep

export interface SweepResult {
  space: Space;
  out: string;
  points: PointResult[];
  pareto: Pareto;
  ran: string[];
  skipped: string[];
  seconds: number;
  files: string[];
}

export interface SweepOptions { jobs: number; onPoint?: (r: PointResult, done: number, total: number) => void }

function makeOut(out: string): void {
  try {
    fs.mkdirSync(path.join(out, 'points'), { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create the sweep folder '${out}': ${(e as Error).message}`);
  }
}

/** Run (or resume) a sweep: skip finished points, run the rest, write the aggregate outputs. */
export async function runSweep(space: Space, out: string, o: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  makeOut(out);
  const finished = new Map<string, PointResult>();
  for (const p of space.points) { const r = readPoint(out, p.hash); if (r) finished.set(p.hash, r); }
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
  const points = space.points.map((p) => ({ ...finished.get(p.hash)!, label: p.label, values: p.values, config: p.config }));
  const pareto = paretoOf(points);
  const seconds = (Date.now() - started) / 1000;
  const ran = results.map((r) => r.hash), skipped = space.points.filter((p) => !ran.includes(p.hash)).map((p) => p.hash);
  const charts = await sweepCharts(points, pareto);
  const files: Record<(typeof OUTPUTS)[number], string> = {
    'results.json': toJson({
      ok: true, version: SWEEP_VERSION,
      space: { file: space.file, dims: space.dims, varying: space.varying, base: space.base, work: space.work, tech: { name: space.tech.name, node: space.tech.resolvedNode, file: space.tech.file ?? null } },
      pareto: { cyclesArea: points.filter((_, i) => pareto.cyclesArea[i]).map((p) => p.hash), energyArea: points.filter((_, i) => pareto.energyArea[i]).map((p) => p.hash) },
      points,
    }) + '\n',
    'results.csv': resultsCsv(space, points, pareto),
    ...charts,
    'summary.md': summaryMarkdown(space, points, pareto, { ran: ran.length, skipped: skipped.length, seconds }),
  };
  for (const [name, text] of Object.entries(files)) writeAtomic(path.join(out, name), text);
  removeStaleTemps(out);
  return { space, out, points, pareto, ran, skipped, seconds, files: Object.keys(files).map((f) => path.join(out, f)) };
}

/** Run one point (for external job runners); skipped when its result file exists. */
export function runOnePoint(space: Space, hash: string, out: string): { point: SweepPoint; result: PointResult; skipped: boolean; file: string } {
  const matches = space.points.filter((p) => p.hash.startsWith(hash));
  if (!/^[0-9a-f]{1,16}$/.test(hash) || matches.length !== 1) {
    throw new ConfigError(`--point '${hash}' ${matches.length > 1 ? 'matches several points' : 'is not a point of this space'}; allowed: one of the hashes \`antforge sweep --space ${space.file} --list\` prints (${space.points.slice(0, 4).map((p) => p.hash).join(', ')}${space.points.length > 4 ? ', ...' : ''})`);
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

// ---------------------------------------------------------------------------------------------
// Command

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
    let jobs = defaultJobs();
    if (opts.jobs !== undefined) {
      jobs = Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new ConfigError(`--jobs '${opts.jobs}' is not allowed; allowed: an integer 1..256`);
    }
    if (opts.list && opts.point) throw new ConfigError('give --list or --point, not both');
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
    if (opts.out === undefined) throw new ConfigError('--out <dir> is required (the folder the results go to), unless --list');
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
