/**
 * What a finished sweep writes besides its point files: the Pareto fronts (cycles vs area,
 * energy vs area), results.csv, three Vega-Lite charts and summary.md.
 */
import path from 'node:path';
import { ENERGY_COMPONENTS } from '../cost/cost.ts';
import { renderSvg } from '../util/plot.ts';
import type { PointResult, Space } from './sweep.ts';

/** A point without a result (see golden/sweep/run.ts). */
export interface Missing { hash: string; label: string; reason: string }

export const CHARTS = ['pareto-cycles-area.svg', 'pareto-energy-area.svg', 'energy-breakdown.svg'] as const;
export const OUTPUTS = ['results.json', 'results.csv', ...CHARTS, 'summary.md'] as const;

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

export const sci = (v: number) => (v >= 1e4 ? v.toExponential(3) : v.toFixed(v >= 100 ? 0 : 2));
export const x2 = (v: number) => `${v.toFixed(2)}x`;

function workDescription(space: Space): string[] {
  const w = space.work;
  const out: string[] = [];
  if (w.networks.length) out.push(`networks ${w.networks.map((n) => `${n.name} (${n.dataset})`).join(', ')} at ${w.model.sparsity} sparsity, batch ${w.model.batch}, phases ${w.model.phases.join(',')}, ${w.model.actPattern}, sample ${w.model.sample}, seed ${w.model.seed}`);
  if (w.workloads.length) out.push(`${w.workloads.length} conv/matmul workload${w.workloads.length > 1 ? 's' : ''}`);
  if (w.gemms.length) out.push(`GEMMs ${w.gemms.map((g) => `${g.name} (${g.pattern} ${g.sparsity})`).join(', ')}`);
  return out;
}

export function summaryMarkdown(space: Space, points: PointResult[], pareto: Pareto, run: { ran: number; skipped: number; seconds: number }, missing: Missing[] = []): string {
  const fixed = Object.entries(space.dims).filter(([, v]) => v.length === 1).map(([k, v]) => `${k} = ${v[0]}`);
  const baseKeys = Object.entries(space.base).map(([k, v]) => `${k} = ${v}`);
  const row = (p: PointResult) => `| ${p.label} | ${sci(p.cycles.design)} | ${x2(p.speedup)} | ${sci(p.energy.total)} | ${p.area.total.toFixed(4)} | \`${p.hash}\` |`;
  const table = (sel: boolean[]) => ['| config | cycles | speedup over off | energy (pJ) | area (mm^2) | point |', '|---|---|---|---|---|---|',
    ...points.filter((_, i) => sel[i]).sort((a, b) => a.area.total - b.area.total).map(row)].join('\n');
  const mark = (i: number) => [pareto.cyclesArea[i] ? 'C' : '', pareto.energyArea[i] ? 'E' : ''].join('') || '';
  const total = points.length + missing.length;
  // A sweep with failed points still reports the finished ones, but says first that the fronts are partial.
  const missingText = missing.length ? `
**${missing.length} of ${total} point${total > 1 ? 's' : ''} ${missing.length === 1 ? 'is' : 'are'} missing** (no result: see [Missing points](#missing-points)); the Pareto fronts
and tables below cover the ${points.length} finished point${points.length === 1 ? '' : 's'} only. Rerun the same command to run just the missing ones.
` : '';
  const missingSection = missing.length ? `
## Missing points

| config | point | why |
|---|---|---|
${missing.map((m) => `| ${m.label} | \`${m.hash}\` | ${m.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`).join('\n')}
` : '';
  return `# Sweep of ${path.basename(space.file)}

Generated by \`npx antforge sweep --space ${space.file}\`: ${total} point${total > 1 ? 's' : ''} over ${space.varying.map((k) => `${k} in {${space.dims[k].join(', ')}}`).join(' x ') || '(one point)'}${fixed.length || baseKeys.length ? `; fixed: ${[...fixed, ...baseKeys].join(', ')}` : ''}.
Workloads on every point: ${workDescription(space).join('; ')}. Cost table ${space.tech.name} at ${space.tech.resolvedNode} nm.
This run computed ${run.ran} point${run.ran === 1 ? '' : 's'} and reused ${run.skipped} finished one${run.skipped === 1 ? '' : 's'} in ${run.seconds.toFixed(1)} s.
${missingText}
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
${missingSection}
Data: [results.json](results.json), [results.csv](results.csv), one file a point in [points/](points/).
`;
}
