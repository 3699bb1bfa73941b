/**
 * The compressed sparse format the PE consumes: a job's non-zeros as elements carrying their
 * value and coordinates (match tag g, channel c, row y, column x), sorted row-major so that
 * the first and last elements of a vector bound the rows it covers, then cut into vectors of
 * F (streamed operand B) or I (stationary operand A) lanes.
 */
import { WorkloadError } from '../../generator/errors.ts';
import type { HwConfig } from '../../generator/config.ts';
import type { LaneFieldName } from '../../generator/layout.ts';

/** One non-zero: a value for each field of a vector lane (generator/layout.ts) but the lane-valid bit. */
export type Element = Record<Exclude<LaneFieldName, 'lv'>, number>;
export type Vector = Element[];

/** Sort keys: which coordinate comes first. Row-major spatial order inside a channel by default. */
export type SortKey = 'cyx' | 'yxc';

export function sortElements(els: Element[], key: SortKey): Element[] {
  const cmp = key === 'cyx'
    ? (a: Element, b: Element) => a.c - b.c || a.y - b.y || a.x - b.x || a.g - b.g
    : (a: Element, b: Element) => a.y - b.y || a.x - b.x || a.c - b.c || a.g - b.g;
  return els.sort(cmp);
}

/** Cut a sorted element list into vectors of `lanes` elements (the last may be partial). */
export function toVectors(els: Element[], lanes: number): Vector[] {
  const out: Vector[] = [];
  for (let i = 0; i < els.length; i += lanes) out.push(els.slice(i, i + lanes));
  return out;
}

/** Check that every coordinate fits its field; names the coordinate and the config key to raise. */
export function checkFits(els: Element[], cfg: HwConfig, what: string): void {
  const lim = (w: number) => 2 ** w;
  for (const e of els) {
    if (e.y >= lim(cfg.coordWidth) || e.x >= lim(cfg.coordWidth) || e.y < 0 || e.x < 0) {
      throw new WorkloadError(`${what} coordinate (y=${e.y}, x=${e.x}) does not fit coordWidth=${cfg.coordWidth} (0..${lim(cfg.coordWidth) - 1}); raise coordWidth or use a smaller layer`);
    }
    if (e.c >= lim(cfg.chanWidth)) throw new WorkloadError(`${what} channel coordinate ${e.c} does not fit chanWidth=${cfg.chanWidth} (0..${lim(cfg.chanWidth) - 1}); raise chanWidth`);
    if (e.g >= lim(cfg.tagWidth)) throw new WorkloadError(`${what} match tag ${e.g} does not fit tagWidth=${cfg.tagWidth} (0..${lim(cfg.tagWidth) - 1}); raise tagWidth`);
  }
}
