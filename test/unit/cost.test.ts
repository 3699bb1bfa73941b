/**
 * The cost model without any EDA tool: the cost table's scaling rules on known points, the ANT
 * unit's area, and the control logic charging exactly af_pe's counters.
 * (Energy from RTL counters, bad tables through `size`, and Yosys: test/cost.test.ts.)
 */
import { describe, it, expect } from 'vitest';
import { OPERAND_SLOTS, resolveConfig } from '../../generator/config.ts';
import { COUNTER_NAMES } from '../../generator/counters.ts';
import {
  addA, addE, area, cmpE, loadTech, multA, multE, nodeFactors, pipelineBits, scaleWidth, sramReadE, sramWriteE,
  REQUIRED_ENERGY, REQUIRED_AREA, ANT_PAPER_MM2,
  boxWidth,
} from '../../golden/cost/cost.ts';

const t45 = loadTech();
const T = t45.table;
const ratio = (a: number, b: number) => a / b;

describe('scaling rules on known points', () => {
  it('adders scale linearly: 32b from 8b lands at 1.2x Horowitz energy, 1.05x area', () => {
    const e32 = scaleWidth(T.energy.int_add_8.value, 8, 32, T.scaling.width.int_add.exponent);
    const a32 = scaleWidth(T.area.int_add_8.value, 8, 32, T.scaling.width.int_add.exponent);
    expect(e32).toBeCloseTo(0.12, 10);
    // Horowitz: 0.1 pJ, 137 um^2. Linear scaling from 8b over-estimates by 20% (energy) and 5% (area).
    expect(ratio(e32, T.energy.int_add_32.value)).toBeCloseTo(1.2, 10);
    expect(ratio(a32, T.area.int_add_32.value)).toBeCloseTo(144 / 137, 10);
    // 16b from 8b: 0.06 vs 0.05 pJ, 72 vs 67 um^2.
    expect(ratio(scaleWidth(0.03, 8, 16, 1), 0.05)).toBeCloseTo(1.2, 10);
    // At a reference width the rule returns the entry itself.
    expect(addE(t45, 32)).toBe(0.1);
    expect(addA(t45, 8)).toBe(36);
  });

  it('multipliers scale quadratically: 32b from 8b is 3.2 pJ vs Horowitz 3.1 (+3.2%), 4512 vs 3495 um^2 (+29%)', () => {
    const e32 = scaleWidth(T.energy.int_mult_8.value, 8, 32, T.scaling.width.int_mult.exponent);
    const a32 = scaleWidth(T.area.int_mult_8.value, 8, 32, T.scaling.width.int_mult.exponent);
    expect(e32).toBeCloseTo(3.2, 10);
    expect(a32).toBeCloseTo(4512, 10);
    const eErr = ratio(e32, T.energy.int_mult_32.value) - 1, aErr = ratio(a32, T.area.int_mult_32.value) - 1;
    console.log(`quadratic 8b -> 32b multiplier: energy ${e32} pJ vs Horowitz 3.1 (${(100 * eErr).toFixed(1)}%), area ${a32} um^2 vs 3495 (${(100 * aErr).toFixed(1)}%)`);
    expect(eErr).toBeCloseTo(0.1 / 3.1, 10); // the energy lands close...
    expect(aErr).toBeCloseTo(4512 / 3495 - 1, 10); // ...the area does not: Horowitz's 32b multiplier is denser than 16 8b ones
    // 16b sits half-way (in log) between 8b and 32b: ties go to the wider reference.
    expect(multE(t45, 16)).toBeCloseTo(3.1 / 4, 12);
    expect(multA(t45, 16)).toBeCloseTo(3495 / 4, 12);
    expect(multE(t45, 8)).toBe(0.2);
  });

  it('comparator = 16b adder, linear in width', () => {
    expect(cmpE(t45, 16)).toBe(0.05);
    expect(cmpE(t45, 12)).toBeCloseTo(0.0375, 12);
  });

  it('SRAM fit passes within 3% of Horowitz 8 KB / 32 KB / 1 MB, and width scaling lands on the 32-bit 8 KB read', () => {
    expect(t45.sramFit.b).toBeGreaterThan(0.45);
    expect(t45.sramFit.b).toBeLessThan(0.5);
    for (const [bytes, pj] of [[8192, 10], [32768, 20], [1 << 20, 100]]) {
      expect(Math.abs(ratio(sramReadE(t45, bytes, 64), pj) - 1)).toBeLessThan(0.03);
    }
    expect(Math.abs(ratio(sramReadE(t45, 8192, 32), 5) - 1)).toBeLessThan(0.03);
    expect(sramWriteE(t45, 8192, 64)).toBeCloseTo(10, 10); // the write entry, by construction
  });

  it('node scaling: Stillmaker-Baas factors on listed nodes, interpolation between them, 40 nm entries brought to 45 nm', () => {
    const n = T.scaling.node;
    const p = (c: number[], v: number) => c[0] * v * v + c[1] * v + c[2];
    const e7 = p([0.1776, -0.09097, 0.02447], 0.9) / p([1.103, -0.362, 0.2767], 0.9);
    const f7 = nodeFactors(n, T.vdd, 45, 7);
    expect(f7.energy).toBeCloseTo(e7, 12);
    expect(f7.energy).toBeCloseTo(0.1024, 4);
    expect(f7.area).toBe(0.059);
    const t7 = loadTech(undefined, 7);
    expect(multE(t7, 32)).toBeCloseTo(3.1 * e7, 12);
    expect(multA(t7, 32)).toBeCloseTo(3495 * 0.059, 9);
    expect(nodeFactors(n, T.vdd, 45, 32).area).toBe(0.46);
    // 28 nm lies between 32 and 20: 1/3 of the way from 32.
    expect(nodeFactors(n, T.vdd, 45, 28).area).toBeCloseTo(0.46 + (0.21 - 0.46) / 3, 12);
    // Round trip.
    expect(nodeFactors(n, T.vdd, 45, 16).energy * nodeFactors(n, T.vdd, 16, 45).energy).toBeCloseTo(1, 12);
    // Aladdin's 40 nm register (0.009 pJ/bit, 5.98 um^2/bit) at 45 nm.
    const f40 = nodeFactors(n, T.vdd, 40, 45);
    expect(t45.energy.reg_write_bit).toBeCloseTo(0.009 * f40.energy, 12);
    expect(f40.energy).toBeGreaterThan(1.1);
    expect(t45.area.reg_bit).toBeCloseTo(5.98 / (1 - (5 / 13) * 0.54), 9);
    expect(() => loadTech(undefined, 3)).toThrow(/--node 3 nm is outside/);
  });

  it('every entry of the built-in table cites a source', () => {
    for (const k of REQUIRED_ENERGY) expect(T.energy[k].source.length).toBeGreaterThan(20);
    for (const k of REQUIRED_AREA) expect(T.area[k].source.length).toBeGreaterThan(20);
    expect(T.energy.compare_16.source).toMatch(/16b add/);
  });
});

describe('area', () => {
  it('ANT unit: zero for ant = off, its share reported beside the paper', () => {
    const off = area(resolveConfig({}), t45);
    expect(off.components.rangeUnit.um2).toBe(0);
    expect(off.ant.share).toBe(0);
    const win = area(resolveConfig({ ant: 'window' }), t45);
    expect(win.ant.um2).toBeGreaterThan(0);
    expect(win.ant.storage + win.ant.logic).toBeCloseTo(win.ant.um2, 6);
    expect(win.ant.paperMm2).toBe(ANT_PAPER_MM2);
    expect(win.total - win.ant.um2).toBeCloseTo(off.total, 6);
    // pes multiplies every PE's component; the array adds its own blocks.
    const four = area(resolveConfig({ ant: 'window', pes: 4 }), t45);
    expect(four.perPe).toBeCloseTo(win.perPe, 6);
    expect(four.total).toBeCloseTo(4 * win.total + four.components.reductionTree.um2 + four.components.groupSelect.um2, 6);
    expect(win.components.reductionTree.um2 + win.components.groupSelect.um2).toBe(0);
  });

  it('the array\'s adder tree has banks adders per pair of aligned groups: (N - 1) x banks at a power of two', () => {
    for (const pes of [2, 4, 16, 64]) {
      const cfg = resolveConfig({ pes });
      const a = area(cfg, t45);
      expect(a.components.reductionTree.um2).toBeCloseTo((pes - 1) * cfg.banks * addA(t45, cfg.accWidth), 6);
      expect(a.components.groupSelect.um2).toBeGreaterThan(0);
    }
    // A partial last group: 6 PEs pair as (0,1) (2,3) (4,5), then (01,23), then (0123,45).
    const six = resolveConfig({ pes: 6 });
    expect(area(six, t45).components.reductionTree.um2).toBeCloseTo(5 * six.banks * addA(t45, six.accWidth), 6);
  });

  // The box memories hold both operand slots (double-buffered like the operand buffers), and
  // past a lookahead of 8 the A boxes spread over 16 banks with their per-bank logic.
  it('ANT unit is small next to the default PE: under 8% at the default lookahead, 10% up to 8, 12% up to 16, boxes in RAM', () => {
    for (const ant of ['filter', 'window'] as const) {
      expect(area(resolveConfig({ ant }), t45).ant.share).toBeLessThan(0.08);
      for (let L = 1; L <= 16; L++) {
        const a = area(resolveConfig({ ant, antLookahead: L }), t45);
        expect(a.ant.share, `${ant} L=${L}`).toBeLessThan(L <= 8 ? 0.1 : 0.12);
        // Storage is the boxes' SRAM bits and one read register per bank, not a flip-flop per box bit.
        const cfg = resolveConfig({ ant, antLookahead: L });
        expect(a.ant.storage).toBeLessThan(OPERAND_SLOTS * (cfg.aDepth + cfg.bDepth) * boxWidth(cfg) * t45.area.reg_bit / 4);
      }
    }
  });
});

describe('control: the counters af_pe has', () => {
  it('one counterWidth register and one incrementer per counter of generator/counters.ts', () => {
    const narrow = resolveConfig({ counterWidth: 32 }), wide = resolveConfig({ counterWidth: 48 });
    const n = COUNTER_NAMES.length;
    expect(pipelineBits(wide).parts.perfCounters).toBe(n * 48);
    const perCounter = 16 * t45.area.reg_bit + addA(t45, 48) - addA(t45, 32);
    const grown = area(wide, t45).components.control.um2 - area(narrow, t45).components.control.um2;
    expect(grown).toBeCloseTo(n * perCounter, 6);
    expect(area(narrow, t45).components.control.detail).toMatch(new RegExp(`\\+ ${n + 5} incrementers`));
  });
});
