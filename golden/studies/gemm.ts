/**
 * Structured-sparsity GEMMs on the array: a named GEMM workload whose weight operand B is
 * pruned with a pattern (golden/workload/patterns.ts) and whose activation operand A has its own
 * density, run as packed matmuls through the exact counters-only model for every ANT mode,
 * next to the dense GEMM on the same array and to unstructured (ew) pruning at the same
 * sparsity.
 */
import { ANT_MODES, type AntMode, type HwConfig } from '../../generator/config.ts';
import { fastRun } from '../model/fastpe.ts';
import { gemmWorkload, type Gemm } from './gemm-tables.ts';
import { mapWorkload } from '../mapping/mapper.ts';
import { PATTERNS, prune, type Pattern } from '../workload/patterns.ts';
import { COUNTER_NAMES, zeroCounters, type Counters } from '../../generator/counters.ts';
import { energy, loadTech, type Tech } from '../cost/cost.ts';
import { Rng, seedFor } from '../workload/rng.ts';
import type { Tensor } from '../workload/tensor.ts';
import { validateWorkload } from '../workload/workload.ts';

export interface GemmOptions { pattern: Pattern; sparsity: number; actDensity: number; seed: number; sample: number; batch: number; tile?: number; block?: number; /** default packed */ mapping?: 'perk' | 'packed' }

export interface GemmRow { gemm: string; M: number; K: number; N: number; count: number; macs: number; achievedSparsity: number; groups: { total: number; mapped: number }; modes: Record<AntMode, Counters> }

/** Non-zero integers up to vmax, so sums of products stay inside 32-bit accumulators. */
function denseInts(n: number, rng: Rng, density: number, vmax: number): Int32Array {
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) if (rng.next() < density) { const v = 1 + Math.floor(rng.next() * vmax); d[i] = rng.next() < 0.5 ? -v : v; }
  return d;
}

/** The operands of one GEMM: A at the activation density; B pruned with the pattern (or, for attention's activation x activation products, at the activation density too). */
export function gemmOperands(g: Gemm, o: GemmOptions, salt: number): { a: Tensor; b: Tensor; achieved: number } {
  const rng = new Rng(seedFor(o.seed, `${g.name}-${salt}`));
  const a = denseInts(g.M * g.K, rng, o.actDensity, 7);
  if (!g.weight) {
    const b = denseInts(g.K * g.N, rng, o.actDensity, 7);
    return { a: { shape: [g.M, g.K], data: a }, b: { shape: [g.K, g.N], data: b }, achieved: 1 - o.actDensity };
  }
  // Weights: a wide value range, so magnitude pruning sees few ties.
  const b = denseInts(g.K * g.N, rng, 1, 1000);
  let achieved = 0;
  if (o.sparsity > 0) {
    const r = prune([{ shape: [g.K, g.N], data: b }], o.pattern, { sparsity: o.pattern === 'vw' ? undefined : o.sparsity, tile: o.tile, block: o.block });
    for (let i = 0; i < b.length; i++) if (!r.masks[0][i]) b[i] = 0;
    achieved = r.achieved;
  }
  return { a: { shape: [g.M, g.K], data: a }, b: { shape: [g.K, g.N], data: b }, achieved };
}

/** Run one named GEMM workload: every GEMM, every ant mode, scaled from sampled tile groups. */
export function runGemm(cfg: HwConfig, name: string, o: GemmOptions): GemmRow[] {
  return gemmWorkload(name, o.batch).gemms.map((g, i) => {
    const { a, b, achieved } = gemmOperands(g, o, i);
    const w = validateWorkload({ kind: 'matmul', M: g.M, K: g.K, N: g.N, density: { a: o.actDensity, b: 1 - achieved }, seed: o.seed, mapping: o.mapping ?? 'packed' });
    const mapping = mapWorkload(w, { a, b }, cfg, { sample: o.sample });
    const scale = mapping.groups.total / Math.max(1, mapping.groups.mapped);
    const modes = {} as Record<AntMode, Counters>;
    for (const ant of ANT_MODES) {
      const c = fastRun({ ...cfg, ant }, mapping).counters;
      const s = {} as Counters;
      for (const n of COUNTER_NAMES) s[n] = n === 'cycles' ? cfg.bankDepth + (c.cycles - cfg.bankDepth) * scale : c[n] * scale;
      modes[ant] = s;
    }
    return { gemm: g.name, M: g.M, K: g.K, N: g.N, count: g.count, macs: g.M * g.K * g.N, achievedSparsity: achieved, groups: mapping.groups, modes };
  });
}

export interface GemmSummary { cycles: Record<AntMode, number>; energyPj: Record<AntMode, number>; valid: number; products: number; utilization: Record<AntMode, number>; macs: number }

/** Totals over a workload's GEMMs (times their counts); energy = summed counters x the cost table. */
export function summarizeGemm(cfg: HwConfig, rows: GemmRow[], tech: Tech = loadTech()): GemmSummary {
  const cycles = {} as Record<AntMode, number>, utilization = {} as Record<AntMode, number>, energyPj = {} as Record<AntMode, number>;
  const valid = rows.reduce((s, r) => s + r.modes.off.valid * r.count, 0);
  for (const ant of ANT_MODES) {
    const c = zeroCounters();
    for (const r of rows) for (const n of COUNTER_NAMES) c[n] += r.modes[ant][n] * r.count;
    cycles[ant] = c.cycles;
    energyPj[ant] = energy(c, { ...cfg, ant }, tech).total;
    utilization[ant] = valid / (cycles[ant] * cfg.F * cfg.I * cfg.pes);
  }
  return { cycles, energyPj, valid, products: rows.reduce((s, r) => s + r.modes.off.products * r.count, 0), utilization, macs: rows.reduce((s, r) => s + r.macs * r.count, 0) };
}

/** The dense GEMM on the same array: no pruning, dense activations, per-k mapping (no cross-k RCPs), ant off is its baseline. */
export function denseGemm(cfg: HwConfig, name: string, o: GemmOptions): GemmSummary {
  return summarizeGemm(cfg, runGemm(cfg, name, { ...o, pattern: 'ew', sparsity: 0, actDensity: 1, mapping: 'perk' }));
}

export interface GemmComparison { gemm: string; options: GemmOptions; rows: GemmRow[]; summary: GemmSummary; dense: GemmSummary; ew: GemmSummary; vsDense: Record<string, number>; vsEw: Record<string, number> }

/** A pruned GEMM workload next to the dense GEMM on the same array and to ew at the same sparsity (`model --gemm`). */
export function compareGemm(cfg: HwConfig, name: string, go: GemmOptions): GemmComparison {
  const rows = runGemm(cfg, name, go);
  const summary = summarizeGemm(cfg, rows);
  const dense = denseGemm(cfg, name, go);
  const ew = go.pattern === 'ew' ? summary : summarizeGemm(cfg, runGemm(cfg, name, { ...go, pattern: 'ew' }));
  const modes = Object.keys(summary.cycles) as AntMode[];
  return {
    gemm: name, options: go, rows, summary, dense, ew,
    vsDense: Object.fromEntries(modes.map((m) => [m, dense.cycles.off / summary.cycles[m]])),
    vsEw: Object.fromEntries(modes.map((m) => [m, ew.cycles[m] / summary.cycles[m]])),
  };
}

export interface GemmReportRow { pattern: Pattern; sparsity: number; cycles: number; vsDense: number; vsEw: number; energyPj: number; energyVsDense: number; energyVsEw: number; utilization: number; valid: number }

/** Every pattern at every sparsity (ant = window), against dense and ew (`gemm-report`). */
export function gemmReportRows(cfg: HwConfig, name: string, sparsities: number[], actDensity: number, sample: number, seed = 1): { rows: GemmReportRow[]; dense: GemmSummary } {
  const base = { actDensity, sample, seed, batch: 16 };
  const dense = denseGemm(cfg, name, { ...base, pattern: 'ew', sparsity: 0 });
  const rows: GemmReportRow[] = [];
  for (const sparsity of sparsities) {
    const ew = summarizeGemm(cfg, runGemm(cfg, name, { ...base, pattern: 'ew', sparsity }));
    for (const pattern of PATTERNS) {
      // vw is fixed by its N:M; run it at the 4:16 default (75%) only.
      if (pattern === 'vw' && Math.abs(sparsity - 0.75) > 1e-9) continue;
      if (pattern === 'tvw' && sparsity < 0.5) continue;
      const s = pattern === 'ew' ? ew : summarizeGemm(cfg, runGemm(cfg, name, { ...base, pattern, sparsity }));
      rows.push({ pattern, sparsity, cycles: s.cycles.window, vsDense: dense.cycles.off / s.cycles.window, vsEw: ew.cycles.window / s.cycles.window,
        energyPj: s.energyPj.window, energyVsDense: dense.energyPj.off / s.energyPj.window, energyVsEw: ew.energyPj.window / s.energyPj.window, utilization: s.utilization.window, valid: s.valid });
    }
  }
  return { rows, dense };
}
