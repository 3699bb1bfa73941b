/**
 * Vector packing: the job and lane layouts (generator/layout.ts) and pack(), and the sparse
 * format the mapper cuts into vectors (golden/mapping/format.ts).
 */
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import { JOB_FIELDS, LANE_FIELDS, type Layout, fits, jobLayout, laneLayout, pack } from '../../generator/layout.ts';
import { type Element, checkFits, sortElements, toVectors } from '../../golden/mapping/format.ts';
import { Rng } from '../../golden/workload/rng.ts';

const CONFIGS = [{}, { coordWidth: 4, chanWidth: 2, tagWidth: 1, dataWidth: 8 }, { bankDepth: 4096, banks: 64, aDepth: 65536, coordWidth: 16, dataWidth: 32 }].map((c) => resolveConfig(c));

/** The inverse of pack, read off the layout's offsets. */
function unpack(layout: Layout, word: bigint): Record<string, bigint> {
  return Object.fromEntries(layout.fields.map((f) => {
    const raw = (word >> BigInt(layout.offsets[f.name])) & ((1n << BigInt(f.width)) - 1n);
    return [f.name, f.signed ? BigInt.asIntN(f.width, raw) : raw];
  }));
}

describe('layouts', () => {
  it.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: fields in tuple order, LSB first, contiguous', (_i, cfg) => {
    for (const [layout, names] of [[jobLayout(cfg), JOB_FIELDS], [laneLayout(cfg), LANE_FIELDS]] as const) {
      expect(layout.fields.map((f) => f.name)).toEqual([...names]);
      let at = 0;
      for (const f of layout.fields) {
        expect(f.width).toBeGreaterThan(0);
        expect(layout.offsets[f.name]).toBe(at);
        at += f.width;
      }
      expect(layout.width).toBe(at);
    }
  });

  it.each(CONFIGS.map((c, i) => [i, c] as const))('config %i: pack then unpack gives the values back', (_i, cfg) => {
    const rng = new Rng(7);
    for (const layout of [jobLayout(cfg), laneLayout(cfg)] as Layout[]) {
      for (let trial = 0; trial < 200; trial++) {
        const values = Object.fromEntries(layout.fields.map((f) => {
          const lo = f.signed ? -(2 ** (f.width - 1)) : 0, hi = f.signed ? 2 ** (f.width - 1) - 1 : 2 ** f.width - 1;
          const v = trial === 0 ? lo : trial === 1 ? hi : lo + Math.floor(rng.next() * (hi - lo + 1));
          expect(fits(f, v)).toBe(true);
          return [f.name, BigInt(v)];
        }));
        const word = pack(layout, values);
        expect(word >= 0n && word < 1n << BigInt(layout.width)).toBe(true);
        expect(unpack(layout, word)).toEqual(values);
      }
    }
  });

  it('a value outside its field is a RangeError, and fits() says so; missing fields pack as 0', () => {
    const cfg = resolveConfig({});
    const job = jobLayout(cfg), lane = laneLayout(cfg);
    const offY = job.fields.find((f) => f.name === 'offY')!;
    expect(fits(offY, -(2 ** (offY.width - 1)) - 1)).toBe(false);
    expect(() => pack(job, { offY: -(2 ** (offY.width - 1)) - 1 })).toThrow(RangeError);
    expect(() => pack(job, { drain: 2 })).toThrow(/field drain=2 does not fit 1 unsigned bits/);
    expect(() => pack(lane, { x: -1 })).toThrow(RangeError);
    expect(pack(job, {})).toBe(0n);
    expect(pack(lane, { lv: 1 })).toBe(1n << BigInt(lane.offsets.lv));
    expect(pack(lane, { val: -1 })).toBe((1n << BigInt(cfg.dataWidth)) - 1n);
  });
});

describe('sparse format', () => {
  const el = (y: number, x: number, c: number, g = 0): Element => ({ val: 1, g, c, y, x });

  it('sorts row-major inside a channel (cyx) or channel-minor (yxc)', () => {
    const els = [el(1, 0, 0), el(0, 1, 1), el(0, 0, 1), el(0, 1, 0, 1), el(0, 1, 0)];
    expect(sortElements([...els], 'cyx').map((e) => [e.c, e.y, e.x, e.g])).toEqual([[0, 0, 1, 0], [0, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0]]);
    expect(sortElements([...els], 'yxc').map((e) => [e.y, e.x, e.c, e.g])).toEqual([[0, 0, 1, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 0]]);
  });

  it('cuts vectors of `lanes` elements, the last partial', () => {
    const els = Array.from({ length: 10 }, (_, i) => el(0, i, 0));
    expect(toVectors(els, 4).map((v) => v.length)).toEqual([4, 4, 2]);
    expect(toVectors(els, 4).flat()).toEqual(els);
    expect(toVectors([], 4)).toEqual([]);
  });

  it('coordinates that do not fit name the field to raise', () => {
    const cfg = resolveConfig({ coordWidth: 4, chanWidth: 2, tagWidth: 1 });
    expect(() => checkFits([el(15, 15, 3, 1)], cfg, 'A')).not.toThrow();
    expect(() => checkFits([el(16, 0, 0)], cfg, 'A')).toThrow(WorkloadError);
    expect(() => checkFits([el(0, 16, 0)], cfg, 'A')).toThrow(/raise coordWidth/);
    expect(() => checkFits([el(0, -1, 0)], cfg, 'A')).toThrow(/raise coordWidth/);
    expect(() => checkFits([el(0, 0, 4)], cfg, 'A')).toThrow(/raise chanWidth/);
    expect(() => checkFits([el(0, 0, 0, 2)], cfg, 'A')).toThrow(/raise tagWidth/);
  });
});
