/** What the convolution mappers (fwd.ts, bwd.ts, wgrad.ts) share. */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import { type Geometry, type JobEmitter, type PlanarPlan, type Step, type Tile, ceilDiv } from './jobs.ts';

/** Strided layers match stride phases by tag: stride^2 phases must fit tagWidth. */
export function checkStrideTags(w: ConvWorkload, cfg: HwConfig): void {
  const u = w.stride;
  if (u > 1 && u * u > 2 ** cfg.tagWidth) throw new WorkloadError(`stride ${u} needs ${u * u} stride phases as match tags; tagWidth=${cfg.tagWidth} holds ${2 ** cfg.tagWidth}; raise tagWidth`);
}

/** fwd and bwd tiles: origin (n, channel, y, x) into an N x Ch x Y x X output. */
export function convOut(shape: number[]) {
  const [, Ch, Y, X] = shape;
  return (tile: Tile, addr: number) => {
    const per = tile.limY * tile.limX;
    const cc = Math.floor(addr / per), rem = addr % per;
    const y = Math.floor(rem / tile.limX), x = rem % tile.limX;
    const [n, c0, y0, x0] = tile.origin;
    return ((n * Ch + c0 + cc) * Y + y0 + y) * X + x0 + x;
  };
}

/**
 * Emit a planar-tiled layer (fwd, bwd) over the PE groups of a plan: for every batch element,
 * slice of output channels (one per group, decoupled), pass of tc channels and wave of G
 * tiles, one broadcast group of jobs. A sampled model maps a sample of these units, back to
 * back on group 0 (cycles then scale by a group's units over the sample).
 */
export function emitPlanar(em: JobEmitter, plan: PlanarPlan, N: number, Cout: number,
  tilesOf: (n: number, c0: number, ct: number) => Tile[], stepsOf: (n: number, c0: number, ct: number, tiles: Tile[]) => Step[], geoOf: (tile: Tile) => Geometry): void {
  const { G, slice, tc } = plan;
  const groups = Math.floor(em.pes / G);
  const units: { n: number; g: number; c0: number; ct: number; wave: number }[] = [];
  for (let n = 0; n < N; n++) for (let g = 0; g < groups; g++) {
    const end = Math.min(Cout, (g + 1) * slice);
    for (let c0 = g * slice; c0 < end; c0 += tc) {
      const waves = ceilDiv(tilesOf(n, c0, Math.min(tc, end - c0)).length, G);
      for (let wave = 0; wave < waves; wave++) units.push({ n, g, c0, ct: Math.min(tc, end - c0), wave });
    }
  }
  const sampled = em.sampled(units.length, G);
  em.setTotal(units.length, G);
  let mapped = 0;
  for (const u of units) {
    if (!em.take()) continue;
    mapped++;
    const grp = tilesOf(u.n, u.c0, u.ct).slice(u.wave * G, (u.wave + 1) * G);
    const members: (Tile | null)[] = Array.from({ length: G }, (_, i) => grp[i] ?? null);
    em.emitGroup(sampled ? 0 : u.g * G, members, members.map((tl) => (tl ? geoOf(tl) : geoOf(grp[0]))), stepsOf(u.n, u.c0, u.ct, grp));
  }
  if (sampled) em.cycleScale = Math.max(...Array.from({ length: groups }, (_, g) => units.filter((u) => u.g === g).length)) / Math.max(1, mapped);
}
