/**
 * `antforge prove`: each catalogued property's harness around the blocks generated from one
 * config (optionally with one catalogued mutant applied), searched, and reported as proved,
 * proved to depth N, or failed with a counterexample VCD.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { HwConfig } from '../../generator/config.ts';
import { OptionError } from '../../generator/errors.ts';
import { generate } from '../../generator/index.ts';
import { writeFilesAtomic } from '../../golden/util/atomic.ts';
import { applyMutant, MUTANTS, type Mutant } from '../mutants.ts';
import { PROPERTIES, type Property } from './properties.ts';
import { runFormal } from './run.ts';

/**
 * The default prove config: the widths and sizes at which every proof finishes in about a
 * minute. Every template loop runs more than once (F = I = 2, two candidates, four banks).
 */
export const PROVE_CONFIG = {
  name: 'prove', F: 2, I: 2, banks: 4, bankDepth: 4, dataWidth: 4, accWidth: 8, pes: 2, antLookahead: 2,
  aDepth: 3, bDepth: 2, coordWidth: 2, chanWidth: 1, tagWidth: 1, counterWidth: 16,
};

export const MAX_DEPTH = 64;

export interface Counterexample { vcd: string; cycle: number; asserts: string[] }

export interface PropertyResult {
  name: string;
  description: string;
  /** proved | proved to depth N | failed */
  status: string;
  depth: number;
  engine: string;
  seconds: number;
  counterexample?: Counterexample;
}

export interface ProveOptions { only?: string[]; mutant?: string; depth?: number; outDir: string }


/** Check --only, --mutant and --depth; throws OptionError naming what is allowed. */
export function checkOptions(o: { only?: string[]; mutant?: string; depth?: number }): { props: Property[]; mutant?: Mutant } {
  const unknown = (o.only ?? []).filter((n) => !PROPERTIES.some((p) => p.name === n));
  if (unknown.length) throw new OptionError(`--only: unknown propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; allowed: ${PROPERTIES.map((p) => p.name).join(', ')}`);
  let mutant: Mutant | undefined;
  if (o.mutant !== undefined) {
    mutant = MUTANTS.find((m) => m.name === o.mutant);
    if (!mutant) throw new OptionError(`--mutant: unknown mutant '${o.mutant}'; allowed: ${MUTANTS.map((m) => m.name).join(', ')}`);
  }
  if (o.depth !== undefined && !(Number.isInteger(o.depth) && o.depth >= 1 && o.depth <= MAX_DEPTH)) {
    throw new OptionError(`--depth '${o.depth}' is not allowed; allowed: an integer 1..${MAX_DEPTH}`);
  }
  return { props: PROPERTIES.filter((p) => !o.only || o.only.includes(p.name)), mutant };
}

/** The blocks a property instantiates, with the mutant applied where its pattern is; undefined when the mutant does not touch them. */
export function propertyModules(p: Property, cfg: HwConfig, mutant?: Mutant) {
  const c = { ...cfg, ant: p.ant };
  const mods = generate(c).filter((m) => p.modules.includes(m.name));
  if (!mutant) return mods;
  const target = mods.find((m) => m.name === mutant.module);
  if (!target || !mutant.pattern.test(target.text)) return undefined;
  return applyMutant(mods, mutant, c);
}

/** The properties a mutant changes (all of them without a mutant). */
export function affected(props: Property[], cfg: HwConfig, mutant?: Mutant): Property[] {
  return props.filter((p) => propertyModules(p, cfg, mutant) !== undefined);
}

export function proveOne(p: Property, cfg: HwConfig, o: ProveOptions & { mutantOf?: Mutant }): PropertyResult {
  const t0 = performance.now();
  const modules = propertyModules(p, cfg, o.mutantOf);
  if (!modules) throw new Error(`mutant ${o.mutantOf?.name} does not touch ${p.name}`);
  const c = { ...cfg, ant: p.ant };
  const full = p.depth(c);
  const depth = o.depth ?? full;
  const r = runFormal({ top: p.top, harness: p.harness(c), modules, engine: p.engine, depth });
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const base = { name: p.name, description: p.description, depth, engine: p.engine === 'pdr' ? 'abc pdr' : 'abc bmc3', seconds };
  if (r.outcome === 'proved') return { ...base, status: 'proved' };
  if (r.outcome === 'bounded') return { ...base, status: p.complete && depth >= full ? 'proved' : `proved to depth ${r.depth}` };
  const file = path.join(o.outDir, `${p.name}${o.mutantOf ? `.${o.mutantOf.name}` : ''}.vcd`);
  fs.mkdirSync(o.outDir, { recursive: true });
  writeFilesAtomic([{ path: file, data: r.vcd ?? '' }]);
  return { ...base, status: 'failed', counterexample: { vcd: file, cycle: r.cycle ?? 0, asserts: r.asserts ?? [] } };
}

export interface ProveReport {
  config: string;
  mutant?: string;
  /** With a mutant: the properties whose blocks it changes (the others are not run). */
  properties: PropertyResult[];
  held: number;
  failed: number;
}

/** Run the chosen properties (with a mutant: those it touches), in catalogue order. */
export function prove(cfg: HwConfig, o: ProveOptions, progress?: (r: PropertyResult) => void): ProveReport {
  const { props, mutant } = checkOptions(o);
  const chosen = affected(props, cfg, mutant);
  const properties = chosen.map((p) => {
    const r = proveOne(p, cfg, { ...o, mutantOf: mutant });
    progress?.(r);
    return r;
  });
  const failed = properties.filter((r) => r.status === 'failed').length;
  return { config: cfg.name, ...(mutant ? { mutant: mutant.name } : {}), properties, held: properties.length - failed, failed };
}
