/**
 * The job emitter every layer-mode mapper (fwd.ts, bwd.ts, wgrad.ts, matmul.ts) writes through:
 * the job and mapping types, the tiling helpers, the descriptor of a PE job, and the cutting of
 * a group's reduction steps into array jobs (operand vectors, buffer-depth chunks, the drain of
 * the last job). A mapper decides only which tiles a group holds and which elements each PE
 * loads per step; how that becomes jobs is decided here, once for every mode.
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import type { JobFieldName } from '../../generator/layout.ts';
import { type Element, type Vector, toVectors, checkFits } from './format.ts';

/** A PE job's registers: one number per field of the job layout (generator/layout.ts). */
export type JobDesc = Record<JobFieldName, number>;
/** One PE's job; tile -1 when the PE has no output tile in this group; idle: the PE has no job in this row (takes no descriptor). */
export interface Job { desc: JobDesc; a: Vector[]; b: Vector[]; tile: number; idle?: boolean }
/**
 * One job per PE. Each PE has its own job stream and runs decoupled; an array job only says
 * where PEs meet. bcast: every PE loads the same B vectors from one stream, so all of them
 * take the job in the same cycle. reduce: the drains of each aligned group of `group` PEs
 * (default: all) are summed on the group's first PE's port.
 */
export interface ArrayJob { pe: Job[]; bcast: boolean; reduce: boolean; group?: number }

/** One output tile: accumulator address -> flat index of the output tensor. */
export interface Tile {
  count: number; nc: number; limY: number; limX: number; origin: number[];
  /** A-side channels (wgrad) */
  nca?: number;
  /** Rows and columns of the stationary operand the PE loads [yLo, yHi, xLo, xHi] (fwd, bwd). */
  input?: number[];
}

export interface Mapping {
  pes: number; arrayJobs: ArrayJob[]; tiles: Tile[]; outShape: number[]; outIndex: (tile: Tile, addr: number) => number;
  /**
   * Tile groups (one array-job sequence each) in the layer, and how many were mapped (see
   * MapOptions.sample): counters scale by total / mapped. cycleScale, when set, is how cycles
   * scale instead (a sample of decoupled tiles run back to back on one PE group).
   */
  groups: { total: number; mapped: number; cycleScale?: number };
}

/**
 * sample: map only this many tile groups, evenly spaced over the layer (all when the layer has
 * no more). Groups of a layer are statistically alike, so whole-network models simulate a
 * sample and scale by groups.total / groups.mapped; cosimulation always maps everything.
 */
export interface MapOptions { sample?: number }

/** How a mode's coordinates enter the PE's affine job registers (see generator/layout.ts). */
export interface Geometry {
  signA: number; signB: number; matchEn: number; offY: number; offX: number;
  /** Accumulator address step per unit of A's and B's channel coordinate. */
  strideAC: number; strideBC: number;
  winTag?: number;
}

/** A reduction step of a group: each PE's stationary elements, and the broadcast B. */
export interface Step { a: Element[][]; b: Element[] }

export const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * Tile a (C x Y x X) output block to fit `cap` accumulators and the coordinate limits, with
 * at least `pes` spatial tiles where the plane allows, so every PE gets one.
 */
export function tileDims(C: number, Y: number, X: number, cap: number, maxY: number, maxX: number, maxC: number, pes = 1) {
  let ty = Math.min(Y, maxY);
  let tx = Math.min(X, maxX);
  if (ty * tx > cap) {
    tx = Math.min(tx, cap);
    ty = Math.min(ty, Math.floor(cap / tx));
  }
  const gx = Math.ceil(X / tx);
  if (Math.ceil(Y / ty) * gx < pes) ty = Math.max(1, Math.ceil(Y / Math.ceil(pes / gx)));
  if (Math.ceil(Y / ty) * Math.ceil(X / tx) < pes) tx = Math.max(1, Math.ceil(X / Math.ceil(pes / Math.ceil(Y / ty))));
  const tc = Math.max(1, Math.min(C, maxC, Math.floor(cap / (ty * tx))));
  return { tc, ty, tx };
}

/**
 * Planar tiling with output halos, over PE groups: the PEs form groups of G (a power of two,
 * aligned); each group takes a slice of the C output channels and gives each member a core
 * tile of ty x tx (of the stationary operand's Y x X plane) whose accumulators hold ext(ty, tx)
 * outputs per channel, tc channels at a time. A group's members share the streamed operand (it
 * is broadcast to them); different groups stream different slices and run decoupled. Small
 * planes and many channels want small groups, large planes large ones: the plan is chosen by
 * an estimate of the cycles from the operands' densities (passes x per-step load and pairs,
 * plus the drains).
 */
export interface PlanarPlanInput {
  C: number; Y: number; X: number; cap: number; maxY: number; maxX: number; maxC: number; pes: number;
  /** Accumulators of one channel of a ty x tx tile (core plus halo). */
  ext: (ty: number, tx: number) => number;
  /** Reduction steps; stationary non-zeros per core position; streamed non-zeros per output channel and step. */
  steps: number; aPerPos: number; bPerChan: number;
  F: number; I: number; banks: number;
}
export interface PlanarPlan { G: number; slice: number; tc: number; ty: number; tx: number }
export function planarPlan(o: PlanarPlanInput): PlanarPlan {
  let best: (PlanarPlan & { cost: number }) | undefined;
  for (let G = 1; G <= o.pes; G *= 2) {
    const slice = Math.ceil(o.C / Math.floor(o.pes / G));
    for (let ty = 1; ty <= Math.min(o.Y, o.maxY); ty++) for (let tx = 1; tx <= Math.min(o.X, o.maxX); tx++) {
      const tiles = ceilDiv(o.Y, ty) * ceilDiv(o.X, tx);
      if (tiles > G && 2 * G <= o.pes) continue; // more tiles than members: a larger group takes them (only the largest group runs tiles in waves)
      const ext = o.ext(ty, tx);
      const tc = Math.min(slice, o.maxC, Math.floor(o.cap / ext));
      if (tc < 1) continue;
      const passes = ceilDiv(tiles, G) * ceilDiv(slice, tc);
      const aVec = Math.ceil((ty * tx * o.aPerPos) / o.I), bVec = Math.ceil((tc * o.bPerChan) / o.F);
      const cost = passes * (o.steps * (aVec * bVec + 3 + Math.max(aVec, bVec)) + ceilDiv(tc * ext, o.banks));
      if (!best || cost < best.cost) best = { G, slice, tc, ty, tx, cost };
    }
  }
  if (!best) throw new WorkloadError(`the smallest output tile with its halo (${o.ext(1, 1)} accumulators) does not fit the accumulators (banks*bankDepth = ${o.cap}); raise bankDepth`);
  const { G, slice, tc, ty, tx } = best;
  return { G, slice, tc, ty, tx };
}

/** Non-zero fraction of a tensor (what the tiler's cycle estimate needs). */
export function density(t: { data: ArrayLike<number | bigint> }): number {
  let nz = 0;
  for (let i = 0; i < t.data.length; i++) if (t.data[i]) nz++;
  return nz / Math.max(1, t.data.length);
}

/** Split a list into chunks of at most n (at least one chunk, possibly empty). */
export function chunks<T>(list: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out.length ? out : [[]];
}

/** Collects the array jobs and tiles of one layer, group by group. */
export class JobEmitter {
  readonly pes: number;
  /** Accumulator entries of a PE: the most outputs a tile may hold. */
  readonly cap: number;
  /** Values a row/column coordinate and a channel coordinate can take. */
  readonly coordLim: number;
  readonly chanLim: number;
  private readonly arrayJobs: ArrayJob[] = [];
  /** Each PE's jobs, in order. */
  private readonly lists: Job[][];
  private readonly tiles: Tile[] = [];
  private readonly addrMod: number;
  // Sampling: groups are numbered in emission order; take() says whether to map the next one.
  private gi = 0;
  private total = 0;
  private mapped = 0;
  private readonly chosen = new Set<number>();

  constructor(private readonly cfg: HwConfig, private readonly opts: MapOptions = {}) {
    this.pes = cfg.pes;
    this.cap = cfg.banks * cfg.bankDepth;
    this.coordLim = 2 ** cfg.coordWidth;
    this.chanLim = 2 ** cfg.chanWidth;
    this.addrMod = 2 ** derive(cfg).addrWidth;
    this.lists = Array.from({ length: cfg.pes }, () => []);
  }

  /**
   * The layer has n groups: choose which to map (all, or a sample). tilesPerGroup: a sample
   * of s means about s tiles, so groups of many tiles are sampled fewer (at least one).
   */
  setTotal(n: number, tilesPerGroup = 1): void {
    this.total = n;
    const s = Math.min(n, this.sampleOf(n, tilesPerGroup));
    // The middle of each of s equal strata: edge tiles are not over-represented.
    for (let k = 0; k < s; k++) this.chosen.add(Math.floor(((k + 0.5) * n) / s));
  }

  private sampleOf(n: number, tilesPerGroup: number): number {
    return this.opts.sample === undefined ? n : Math.max(1, Math.ceil(this.opts.sample / tilesPerGroup));
  }

  /** Does the layer map only a sample of its n groups (of tilesPerGroup tiles each)? */
  sampled(n: number, tilesPerGroup = 1): boolean {
    return this.sampleOf(n, tilesPerGroup) < n;
  }

  /** Cycles of the sampled mapping scale by this (see Mapping.groups). */
  cycleScale?: number;

  /** Is the next group (in emission order) one to map? */
  take(): boolean {
    const ok = this.chosen.has(this.gi++);
    if (ok) this.mapped++;
    return ok;
  }

  /** Split a list into sets of n (the last set may be shorter). */
  groupsOf<T>(list: T[], n = this.pes): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
    return out;
  }

  descFor(tile: Tile | null, geo: Geometry, nA: number, nB: number): JobDesc {
    const limY = tile?.limY ?? 1, limX = tile?.limX ?? 1, m = this.addrMod;
    return {
      nA, nB, signA: geo.signA, signB: geo.signB, matchEn: geo.matchEn, drain: 0, winTag: geo.winTag ?? 0,
      offY: geo.offY, offX: geo.offX, limY, limX,
      strideAC: geo.strideAC % m, strideBC: geo.strideBC % m,
      offAddr: (((geo.offY * limX + geo.offX) % m) + m) % m, drainRows: 0,
    };
  }

  /**
   * Append to the job lists of PEs first.. one group of planar tiles with B broadcast:
   * groupTiles[i] is PE first+i's own tile (or null); every step's B meets every member's A.
   * The members load B in lockstep, so all of them get every job (an empty A where they have
   * none); each member's last job drains its tile (shared: the one tile all members hold
   * partial sums of).
   */
  emitGroup(first: number, groupTiles: (Tile | null)[], geos: Geometry[], steps: Step[], shared = false): void {
    const { cfg } = this;
    const members = groupTiles.length;
    // shared: the members accumulate partial sums of one tile (reduced as they drain).
    const one = shared && groupTiles[0] ? this.tiles.push(groupTiles[0]) - 1 : -1;
    const index = groupTiles.map((tl) => (shared ? one : tl ? this.tiles.push(tl) - 1 : -1));
    const job = (i: number, a: Vector[], b: Vector[]): Job => ({ desc: this.descFor(groupTiles[i], geos[i] ?? geos[0], a.length, b.length), a, b, tile: index[i] });
    const out: Job[][] = Array.from({ length: members }, () => []);
    for (const step of steps) {
      step.a.forEach((list) => checkFits(list, cfg, 'stationary operand'));
      const av = step.a.map((list) => toVectors(list, cfg.I));
      if (step.b.length === 0 || av.every((v) => v.length === 0)) continue; // no product: a driver skips it
      checkFits(step.b, cfg, 'streamed operand');
      const bv = toVectors(step.b, cfg.F);
      const aChunks = Array.from({ length: members }, (_, i) => chunks(av[i] ?? [], cfg.aDepth));
      const nA = Math.max(...aChunks.map((c) => c.length));
      for (const b of chunks(bv, cfg.bDepth)) for (let ci = 0; ci < nA; ci++) out.forEach((l, i) => l.push(job(i, aChunks[i][ci] ?? [], b)));
    }
    if (!out[0].length) out.forEach((l, i) => l.push(job(i, [], [])));
    out.forEach((l, i) => {
      const tl = groupTiles[i];
      if (tl) {
        l[l.length - 1].desc.drain = 1;
        l[l.length - 1].desc.drainRows = ceilDiv(tl.count, cfg.banks);
      }
      this.lists[first + i].push(...l);
    });
  }

  /**
   * The finished mapping of the layer: row r of array jobs holds each PE's r-th job (a PE with
   * fewer jobs is idle: it takes no descriptor). flags: how PEs meet (see ArrayJob).
   */
  finish(outShape: number[], outIndex: Mapping['outIndex'], flags: { bcast: boolean; reduce: boolean; group: number }): Mapping {
    const rows = Math.max(1, ...this.lists.map((l) => l.length));
    const idleGeo: Geometry = { signA: 0, signB: 0, matchEn: 0, offY: 0, offX: 0, strideAC: 0, strideBC: 0 };
    const idle: Job = Object.freeze({ desc: Object.freeze(this.descFor(null, idleGeo, 0, 0)), a: [], b: [], tile: -1, idle: true }) as Job;
    const g = Math.min(this.pes, flags.group);
    for (let r = 0; r < rows; r++) {
      const pe = this.lists.map((l) => l[r] ?? idle);
      // A broadcast group loads B in lockstep: all of its members take the job, or none does.
      if (flags.bcast) for (let g0 = 0; g0 < this.pes; g0 += g) {
        const idleMembers = pe.slice(g0, g0 + g).filter((j) => j.idle).length;
        if (idleMembers && idleMembers < Math.min(g, this.pes - g0)) throw new Error(`mapper: row ${r} gives a job to only part of the broadcast group at PE ${g0}`);
      }
      this.arrayJobs.push({ ...flags, group: Math.min(this.pes, flags.group), pe });
    }
    const groups = { total: this.total, mapped: this.mapped, ...(this.cycleScale !== undefined ? { cycleScale: this.cycleScale } : {}) };
    return { pes: this.pes, arrayJobs: this.arrayJobs, tiles: this.tiles, groups, outShape, outIndex };
  }
}
