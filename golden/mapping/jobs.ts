/**
 * The job emitter every layer-mode mapper (fwd.ts, bwd.ts, wgrad.ts, matmul.ts) writes through:
 * the job and mapping types, the tiling helpers, the descriptor of a PE job, and the cutting of
 * a group's reduction steps into array jobs (operand vectors, buffer-depth chunks, the drain of
 * the last job). A mapper decides only which tiles a group holds and which elements each PE
 * loads per step; how that becomes jobs is decided here, once for every mode.
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import type { JobFieldName } from '../../generator/layout.ts';
import { type Element, type Vector, toVectors, checkFits } from './format.ts';

/** A PE job's registers: one number per field of the job layout (generator/layout.ts). */
export type JobDesc = Record<JobFieldName, number>;
/** One PE's job; tile -1 when the PE has no output tile in this group. */
export interface Job { desc: JobDesc; a: Vector[]; b: Vector[]; tile: number }
/** One job per PE, started together. bcast: every PE loads the same B vectors from one stream. reduce: drains are summed across PEs. */
export interface ArrayJob { pe: Job[]; bcast: boolean; reduce: boolean }

/** One output tile: accumulator address -> flat index of the output tensor. */
export interface Tile { count: number; nc: number; limY: number; limX: number; origin: number[]; /** A-side channels (wgrad) */ nca?: number }

export interface Mapping {
  pes: number; arrayJobs: ArrayJob[]; tiles: Tile[]; outShape: number[]; outIndex: (tile: Tile, addr: number) => number;
  /** Tile groups (one array-job sequence each) in the layer, and how many were mapped (see MapOptions.sample). */
  groups: { total: number; mapped: number };
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

/** A reduction step of a group: each PE's stationary elements, and B shared (broadcast) or per PE. */
export interface Step { a: Element[][]; b: Element[] | Element[][] }

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
  }

  /** The layer has n groups: choose which to map (all, or a sample). */
  setTotal(n: number): void {
    this.total = n;
    const s = Math.min(n, this.opts.sample ?? n);
    // The middle of each of s equal strata: edge tiles are not over-represented.
    for (let k = 0; k < s; k++) this.chosen.add(Math.floor(((k + 0.5) * n) / s));
  }

  /** Is the next group (in emission order) one to map? */
  take(): boolean {
    const ok = this.chosen.has(this.gi++);
    if (ok) this.mapped++;
    return ok;
  }

  /** Group a list of tiles into sets of `pes` (the last set may have idle PEs). */
  groupsOf<T>(list: T[]): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < list.length; i += this.pes) out.push(list.slice(i, i + this.pes));
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
   * Emit the array jobs of one group. bcast (reduce false): tiles[p] is PE p's own tile (or
   * null) and B is shared; reduce: every PE accumulates the one tile tiles[0] and B is per PE.
   */
  emitGroup(groupTiles: (Tile | null)[], geos: Geometry[], steps: Step[], reduce: boolean): void {
    const index = reduce ? [this.tiles.push(groupTiles[0]!) - 1] : groupTiles.map((tl) => (tl ? this.tiles.push(tl) - 1 : -1));
    const tileOf = (p: number) => (reduce ? groupTiles[0] : groupTiles[p] ?? null);
    const tileIdx = (p: number) => (reduce ? index[0] : index[p] ?? -1);
    const job = (p: number, a: Vector[], b: Vector[]): Job => ({ desc: this.descFor(tileOf(p), geos[p] ?? geos[0], a.length, b.length), a, b, tile: tileIdx(p) });
    const first = this.arrayJobs.length;
    for (const step of steps) {
      step.a.forEach((list) => checkFits(list, this.cfg, 'stationary operand'));
      const av = step.a.map((list) => toVectors(list, this.cfg.I));
      if (reduce) this.emitPerPeStep(av, step.b as Element[][], job);
      else this.emitBroadcastStep(av, step.b as Element[], job);
    }
    const all = Array.from({ length: this.pes }, (_, p) => p);
    if (this.arrayJobs.length === first) this.arrayJobs.push({ bcast: false, reduce: false, pe: all.map((p) => job(p, [], [])) });
    // The group's last job drains its tiles.
    const last = this.arrayJobs[this.arrayJobs.length - 1];
    last.reduce = reduce;
    last.pe.forEach((j, p) => {
      const tl = tileOf(p);
      if (tl) {
        j.desc.drain = 1;
        j.desc.drainRows = ceilDiv(tl.count, this.cfg.banks);
      }
    });
  }

  /** One step with B broadcast: every A chunk of every PE meets every B chunk. */
  private emitBroadcastStep(av: Vector[][], bList: Element[], job: (p: number, a: Vector[], b: Vector[]) => Job): void {
    const { cfg, pes } = this;
    if (bList.length === 0 || av.every((v) => v.length === 0)) return; // no product: a driver skips it
    checkFits(bList, cfg, 'streamed operand');
    const bv = toVectors(bList, cfg.F);
    const aChunks = Array.from({ length: pes }, (_, p) => chunks(av[p] ?? [], cfg.aDepth));
    const nA = Math.max(...aChunks.map((c) => c.length));
    for (const b of chunks(bv, cfg.bDepth)) {
      for (let ci = 0; ci < nA; ci++) {
        this.arrayJobs.push({ bcast: true, reduce: false, pe: Array.from({ length: pes }, (_, p) => job(p, aChunks[p][ci] ?? [], b)) });
      }
    }
  }

  /** One step with B per PE: each PE walks its own (A chunk, B chunk) pairs, in lockstep jobs. */
  private emitPerPeStep(av: Vector[][], bLists: Element[][], job: (p: number, a: Vector[], b: Vector[]) => Job): void {
    const { cfg, pes } = this;
    const perPe = Array.from({ length: pes }, (_, p) => {
      const bList = bLists[p] ?? [];
      if (!av[p]?.length || !bList.length) return [] as [Vector[], Vector[]][];
      checkFits(bList, cfg, 'streamed operand');
      const bv = toVectors(bList, cfg.F);
      const out: [Vector[], Vector[]][] = [];
      for (const a of chunks(av[p], cfg.aDepth)) for (const b of chunks(bv, cfg.bDepth)) out.push([a, b]);
      return out;
    });
    const n = Math.max(...perPe.map((l) => l.length));
    for (let i = 0; i < n; i++) {
      this.arrayJobs.push({ bcast: false, reduce: false, pe: perPe.map((l, p) => (l[i] ? job(p, l[i][0], l[i][1]) : job(p, [], []))) });
    }
  }

  /** The finished mapping of the layer. */
  finish(outShape: number[], outIndex: Mapping['outIndex']): Mapping {
    return { pes: this.pes, arrayJobs: this.arrayJobs, tiles: this.tiles, groups: { total: this.total, mapped: this.mapped }, outShape, outIndex };
  }
}
