/**
 * Random cosimulation: random configs (every key within its range) x random workloads (every
 * mode, random shapes, strides, pads, densities from 0 to 1 including the extremes), grouped
 * so that one Verilator build serves a whole group. A failing case is shrunk (smaller layers
 * that still fail) and comes with a one-line command that reproduces it.
 */
import { AntforgeError } from '../generator/errors.ts';
import { runPool } from '../golden/util/pool.ts';
import { DEFAULT_CONFIG, resolveConfig, type HwConfig } from '../generator/config.ts';
import { Rng } from '../golden/workload/rng.ts';
import { validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { cosim } from './cosim.ts';

export interface FuzzCase { config: HwConfig; workload: Workload }
export interface FuzzFailure extends FuzzCase { detail: string; reproduce: string; shrunk?: { workload: Workload; reproduce: string } }
export interface GroupResult { cases: number; passed: number; failed: FuzzFailure[]; skipped: number }
export interface FuzzSummary { cases: number; passed: number; failed: number; skipped: number; builds: number; seconds: number; failures: FuzzFailure[] }

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
/** Array sizes: every small one, and the large ones up to SCNN's 64 (broadcast and reduction groups, idle PEs). */
const PES = [1, 2, 3, 4, 6, 8, 16, 32, 48, 64];
/** Densities including the extremes. */
const density = (rng: Rng) => pick(rng, [0, 1, rng.next(), rng.next(), rng.next() * 0.3]);

export function randomConfig(rng: Rng, index: number): HwConfig {
  const dataWidth = rng.int(4, 32);
  return resolveConfig({
    name: `fuzz${index}`,
    F: rng.int(1, 6), I: rng.int(1, 6),
    banks: pick(rng, [1, 2, 4, 8, 16, 32]), bankDepth: rng.int(4, 48),
    dataWidth, accWidth: rng.int(Math.max(8, Math.min(64, dataWidth)), 64),
    pes: PES[rng.int(0, PES.length - 1)], ant: pick(rng, ['off', 'filter', 'window'] as const), antLookahead: rng.int(1, 8),
    aDepth: rng.int(1, 48), bDepth: rng.int(1, 48),
    coordWidth: rng.int(5, 10), chanWidth: rng.int(3, 8), tagWidth: rng.int(3, 6), counterWidth: rng.int(16, 48),
    // Drawn last, so the configs of earlier seeds keep their other keys.
    gating: pick(rng, ['off', 'lanes'] as const),
  });
}

export function randomWorkload(rng: Rng, cfg: HwConfig, seed: number): Workload {
  const overflow = rng.next() < 0.15 ? { valueMax: 2 ** (cfg.dataWidth - 1) - 1 } : {};
  if (rng.next() < 0.25) {
    return validateWorkload({ kind: 'matmul', M: rng.int(1, 14), K: rng.int(1, 12), N: rng.int(1, 14), density: { a: density(rng), b: density(rng) },
      seed, mapping: pick(rng, ['perk', 'packed']), ...overflow });
  }
  const R = rng.int(1, 5), S = rng.int(1, 5), pad = rng.int(0, 2), stride = rng.int(1, 3);
  return validateWorkload({
    kind: 'conv', phase: pick(rng, ['fwd', 'bwd', 'wgrad']), N: rng.int(1, 2), C: rng.int(1, 4), K: rng.int(1, 4),
    H: rng.int(Math.max(1, R - 2 * pad), 13), W: rng.int(Math.max(1, S - 2 * pad), 13), R, S, stride, pad,
    density: { weights: density(rng), activations: density(rng), gradients: density(rng) }, seed,
    pattern: pick(rng, ['uniform', 'clustered']), ...overflow,
  });
}

/** `--set` arguments for the keys that differ from the default config. */
export function reproduce(cfg: HwConfig, w: Workload): string {
  const sets = Object.entries(cfg).filter(([k, v]) => (DEFAULT_CONFIG as unknown as Record<string, unknown>)[k] !== v).map(([k, v]) => `--set ${k}=${v}`);
  return `npx antforge cosim ${sets.join(' ')} --workload '${JSON.stringify(w)}'`;
}

/** Why a case failed, or undefined when it passed. Inputs the config cannot hold are not failures. */
async function check(cfg: HwConfig, w: Workload): Promise<string | undefined | 'skip'> {
  try {
    const r = await cosim(cfg, w);
    if (r.pass) return undefined;
    const f = r.trace.first;
    return f ? `cycle ${f.cycle}, job ${f.job}, ${f.signal}: expected ${f.expected}, got ${f.actual}`
      : `cycles rtl ${r.cycles.rtl} golden ${r.cycles.golden}; outputs ${r.outputs.mismatches} mismatched; counters ${r.countersCheck.mismatched.join(', ')}`;
  } catch (e) {
    if (e instanceof AntforgeError && (e.area === 'workload' || e.area === 'config')) return 'skip';
    if (e instanceof AntforgeError && e.area === 'simulation') return e.message;
    throw e;
  }
}

/** Smaller variants of a workload: halve one dimension (or drop to the minimum) at a time. */
function smaller(w: Workload): Workload[] {
  const out: Workload[] = [];
  const keys = w.kind === 'matmul' ? ['M', 'K', 'N'] : ['N', 'C', 'K', 'H', 'W'];
  for (const k of keys) {
    const v = (w as unknown as Record<string, number>)[k];
    for (const nv of [1, Math.floor(v / 2), v - 1]) {
      if (nv >= 1 && nv < v) out.push({ ...w, [k]: nv } as Workload);
    }
  }
  return out;
}

/** Greedy shrink: keep taking the first smaller variant that still fails. */
export async function shrink(cfg: HwConfig, w: Workload, budget = 30): Promise<Workload> {
  let best = w;
  for (let tries = 0; tries < budget;) {
    let improved = false;
    for (const cand of smaller(best)) {
      if (tries++ >= budget) break;
      let valid: Workload;
      try { valid = validateWorkload(JSON.parse(JSON.stringify(cand))); } catch { continue; }
      const why = await check(cfg, valid);
      if (why && why !== 'skip') { best = valid; improved = true; break; }
    }
    if (!improved) break;
  }
  return best;
}

/** One group: one config (one build) and `cases` random workloads. */
export async function runGroup(seed: number, index: number, cases: number, doShrink = true): Promise<GroupResult & { config: HwConfig }> {
  const rng = new Rng(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const config = randomConfig(rng, index);
  const res: GroupResult = { cases: 0, passed: 0, failed: [], skipped: 0 };
  for (let n = 0; n < cases; n++) {
    let w: Workload | undefined;
    let why: string | undefined | 'skip' = 'skip';
    // Redraw layers the config cannot hold (coordinates wider than its fields, say): not failures.
    for (let attempt = 0; attempt < 5 && why === 'skip'; attempt++) {
      w = randomWorkload(rng, config, rng.int(0, 1_000_000));
      why = await check(config, w);
      if (why === 'skip') res.skipped++;
    }
    if (why === 'skip') continue;
    res.cases++;
    if (!why) { res.passed++; continue; }
    const failure: FuzzFailure = { config, workload: w!, detail: why, reproduce: reproduce(config, w!) };
    if (doShrink) {
      const s = await shrink(config, w!);
      if (s !== w) failure.shrunk = { workload: s, reproduce: reproduce(config, s) };
    }
    res.failed.push(failure);
  }
  return { ...res, config };
}

/** The pool's task (golden/util/pool.ts): one group, with its own build. */
export function fuzzGroup(g: { seed: number; index: number; cases: number; shrink: boolean }): Promise<GroupResult & { config: HwConfig }> {
  return runGroup(g.seed, g.index, g.cases, g.shrink);
}

/** Run `cases` cases in groups of `perBuild` (one config and one build a group) over `jobs` threads. */
export async function fuzz(cases: number, seed: number, jobs: number, perBuild: number, onGroup?: (g: GroupResult & { config: HwConfig }) => void): Promise<FuzzSummary> {
  const started = Date.now();
  const groups = Array.from({ length: Math.ceil(cases / perBuild) }, (_, index) => ({ seed, index, cases: Math.min(perBuild, cases - index * perBuild), shrink: true }));
  const results: (GroupResult & { config: HwConfig })[] = [];
  await runPool({ module: import.meta.url, fn: 'fuzzGroup', shared: undefined }, groups, jobs, {
    result: (_i, g: GroupResult & { config: HwConfig }) => { results.push(g); onGroup?.(g); },
  });
  const sum = (f: (g: GroupResult) => number) => results.reduce((s, g) => s + f(g), 0);
  return {
    cases: sum((g) => g.cases), passed: sum((g) => g.passed), failed: sum((g) => g.failed.length), skipped: sum((g) => g.skipped),
    builds: results.length, seconds: (Date.now() - started) / 1000, failures: results.flatMap((g) => g.failed),
  };
}
