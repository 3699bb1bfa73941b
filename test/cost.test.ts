/**
 * Sizing: the cost table's scaling rules on known points, energy from golden and RTL counters
 * of one cosimulated run, bad tables exit 2, Yosys FPGA resources of a small config, and the
 * fields of `size --json`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, vi } from 'vitest';
import { Command } from 'commander';
import { resolveConfig } from '../generator/config.ts';
import { ConfigError } from '../generator/errors.ts';
import {
  addA, addE, area, cmpE, energy, loadTech, multA, multE, nodeFactors, readTechTable, scaleWidth, sramReadE, sramWriteE,
  ENERGY_COMPONENTS, REQUIRED_ENERGY, REQUIRED_AREA, ANT_PAPER_MM2,
  boxWidth,
} from '../golden/cost/cost.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim, goldenRun } from '../testbench/cosim.ts';
import { hasTool } from '../testbench/tools.ts';
import { registerSize } from '../scripts/size.ts';

const t45 = loadTech();
const T = t45.table;
const ratio = (a: number, b: number) => a / b;

/** Run `antforge size ...` in-process; returns exit code, stdout and stderr. */
async function runSize(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command().name('antforge').exitOverride();
  registerSize(program);
  for (const c of program.commands) c.exitOverride();
  let out = '', err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  const before = process.exitCode;
  let code: number;
  try {
    await program.parseAsync(['node', 'antforge', 'size', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch {
    code = 2; // a commander usage error (the CLI maps these to 2)
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = before;
  }
  return { code, out, err };
}

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

describe('energy from counters', () => {
  it('golden and RTL counters of one cosim run give the same energy (default config, ant window)', async () => {
    const cfg = resolveConfig({ ant: 'window' });
    const w = validateWorkload({ kind: 'conv', phase: 'wgrad', N: 1, C: 2, K: 2, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 3 });
    const r = await cosim(cfg, w);
    expect(r.pass).toBe(true);
    const golden = goldenRun(cfg, w, false).run.counters;
    expect(r.counters).toEqual(golden);
    const eRtl = energy(r.counters, cfg, t45), eGold = energy(golden, cfg, t45);
    expect(eRtl).toEqual(eGold);
    expect(eRtl.total).toBeGreaterThan(0);
    expect(Object.keys(eRtl.components)).toEqual([...ENERGY_COMPONENTS]);
    expect(eRtl.components.rangeUnit).toBeGreaterThan(0);
    const sum = Object.values(eRtl.components).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(eRtl.total, 6);
    // Skipped pairs cost the range test only; RCPs issued cost a full multiply.
    const mults = eRtl.actions.find((a) => a.action === 'multiply')!;
    expect(mults.count).toBe(r.counters.products);
    expect(mults.count).toBe(r.counters.valid + r.counters.rcps);
    expect(eRtl.actions.find((a) => a.action === 'multiply (skipped pair)')!.pJ).toBe(0);
    expect(eRtl.actions.find((a) => a.action === 'range test')!.count).toBe(r.counters.visited);
    // The same jobs without ANT cost more energy (golden model).
    const off = goldenRun({ ...cfg, ant: 'off' }, w, false).run.counters;
    const eOff = energy(off, { ...cfg, ant: 'off' }, t45);
    expect(eOff.components.rangeUnit).toBe(0);
    expect(eOff.total).toBeGreaterThan(eRtl.total);
    console.log(`wgrad 8x8 C=K=2: window ${eRtl.total.toFixed(0)} pJ (${r.counters.cycles} cycles) vs off ${eOff.total.toFixed(0)} pJ (${off.cycles} cycles)`);
  });
});

describe('user tables', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-cost-test-'));
  const write = (name: string, mutate: (t: any) => void): string => {
    const t = JSON.parse(fs.readFileSync(new URL('../golden/cost/tech-45nm.json', import.meta.url), 'utf8'));
    mutate(t);
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(t));
    return f;
  };

  it('a copy of the built-in table loads and gives the same numbers', () => {
    const f = write('same.json', () => {});
    expect(loadTech(f).energy).toEqual(t45.energy);
  });

  it.each([
    ['missing entry', (t: any) => { delete t.energy.int_mult_8; }, /energy\.int_mult_8 is missing/],
    ['negative entry', (t: any) => { t.area.int_add_8.value = -36; }, /area\.int_add_8\.value is negative/],
    ['entry without source', (t: any) => { delete t.energy.compare_16.source; }, /energy\.compare_16\.source is missing/],
    ['node rule of mismatched length', (t: any) => { t.scaling.node.area.pop(); }, /one entry per node/],
  ])('%s: ConfigError, and `size --tech` exits 2 naming it', async (name, mutate, msg) => {
    const f = write(`${name.replace(/\W+/g, '-')}.json`, mutate);
    expect(() => readTechTable(f)).toThrow(ConfigError);
    expect(() => readTechTable(f)).toThrow(msg);
    const r = await runSize(['--tech', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.out).toBe('');
  });

  it('unreadable and non-JSON tables exit 2', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    expect((await runSize(['--tech', bad])).err).toMatch(/is not valid JSON/);
    const r = await runSize(['--tech', path.join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot be read/);
    expect((await runSize(['--node', 'x'])).code).toBe(2);
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
    // pes multiplies everything.
    expect(area(resolveConfig({ ant: 'window', pes: 4 }), t45).total).toBeCloseTo(4 * win.total, 6);
  });

  it('ANT unit is small next to the default PE: under 10% of its area at every lookahead, boxes in RAM', () => {
    for (const ant of ['filter', 'window'] as const) {
      for (let L = 1; L <= 16; L++) {
        const a = area(resolveConfig({ ant, antLookahead: L }), t45);
        expect(a.ant.share, `${ant} L=${L}`).toBeLessThan(0.1);
        // Storage is the boxes' SRAM bits and one read register per bank, not a flip-flop per box bit.
        const cfg = resolveConfig({ ant, antLookahead: L });
        expect(a.ant.storage).toBeLessThan((cfg.aDepth + cfg.bDepth) * boxWidth(cfg) * t45.area.reg_bit / 4);
      }
    }
  });
});

describe('size command', () => {
  it('--json has the documented fields', async () => {
    const r = await runSize(['--json', '--set', 'ant=window', '--node', '16']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j.config.ant).toBe('window');
    expect(j.tech).toMatchObject({ name: 'tech-45nm', node: 16, tableNode: 45, vdd: 0.9, nodeRule: 'stillmaker-baas', areaFactor: 0.19 });
    expect(j.tech.energyFactor).toBeCloseTo(0.1873, 4);
    expect(Object.keys(j.area.components)).toEqual(['multipliers', 'crossbar', 'accumulators', 'operandBuffers', 'coordinate', 'rangeUnit', 'control']);
    for (const p of Object.values(j.area.components) as { um2: number; detail: string }[]) expect(typeof p.detail).toBe('string');
    expect(j.area).toMatchObject({ unit: 'um^2', node: 16 });
    expect(j.area.totalMm2).toBeCloseTo(j.area.total / 1e6, 12);
    expect(j.area.ant).toMatchObject({ paperMm2: 0.0017 });
    for (const k of ['um2', 'share', 'storage', 'logic', 'ratioToPaper']) expect(typeof j.area.ant[k]).toBe('number');
    expect(j.area.ant.paperSource).toMatch(/ISCA 2022/);
    expect(j.energyPerAction.length).toBeGreaterThan(5);
    for (const a of j.energyPerAction) expect(Object.keys(a)).toEqual(['component', 'action', 'kind', 'perAction', 'derivation']);
    expect(new Set(j.energyPerAction.map((a: { kind: string }) => a.kind))).toEqual(new Set(['random', 'gated', 'repeated']));
    expect(j.table.energy.int_mult_32).toMatchObject({ value: 3.1, unit: 'pJ' });
    expect(j.table.energy.int_mult_32.scaled).toBeCloseTo(3.1 * j.tech.energyFactor, 9);
    expect(j.table.area.int_mult_32.scaled).toBeCloseTo(3495 * 0.19, 9);
    expect(j.scaling.sramFit.b).toBeCloseTo(t45.sramFit.b, 12);
    expect(j.fpga).toBeUndefined();
    // Text output names the paper's figure.
    const text = await runSize(['--set', 'ant=window']);
    expect(text.out).toMatch(/the ANT paper: 0\.0017 mm\^2/);
  });

  it.skipIf(!hasTool('yosys'))('--fpga xilinx on a small config: non-zero LUTs, flip-flops and DSPs, per block', async () => {
    const t0 = performance.now();
    const r = await runSize(['--json', '--fpga', 'xilinx', '--set', 'F=2', '--set', 'I=2', '--set', 'banks=4', '--set', 'bankDepth=4',
      '--set', 'aDepth=8', '--set', 'bDepth=8', '--set', 'ant=window']);
    expect(r.code, r.err).toBe(0);
    const f = JSON.parse(r.out).fpga;
    console.log(`yosys synth_xilinx, small config: ${((performance.now() - t0) / 1000).toFixed(1)} s; total ${JSON.stringify({ luts: f.total.luts, ffs: f.total.ffs, dsps: f.total.dsps, brams: f.total.brams, lutram: f.total.lutram })}`);
    expect(f.family).toBe('xilinx');
    expect(f.total.luts).toBeGreaterThan(0);
    expect(f.total.ffs).toBeGreaterThan(0);
    expect(f.total.dsps).toBeGreaterThan(0);
    expect(f.blocks.af_mularray.dsps).toBe(4); // one DSP48E1 per 16x16 product
    expect(f.blocks.af_accbank.instances).toBe(4);
    expect(f.blocks.af_opbuf.instances).toBe(2);
    expect(f.blocks.af_range.luts).toBeGreaterThan(0);
    expect(f.blocks['af_pe (control)'].ffs).toBeGreaterThan(0);
    // The ANT unit beside the PE, and its boxes in RAM: far fewer flip-flops than box bits.
    expect(f.ant.luts).toBe(f.blocks.af_range.luts);
    expect(f.ant.lutShare).toBeCloseTo(f.ant.luts / f.pe.luts, 9);
    expect(f.ant.lutram + f.ant.brams).toBeGreaterThan(0);
    expect(f.ant.ffs).toBeLessThan(16 * boxWidth(resolveConfig({})));
    const sum = Object.values(f.blocks as Record<string, { luts: number }>).reduce((s, b) => s + b.luts, 0);
    expect(sum).toBeLessThanOrEqual(f.total.luts); // the rest is af_array's glue
  });
});

if (!hasTool('yosys')) console.warn('test/cost.test.ts: yosys is not on PATH; the FPGA synthesis test is skipped (npm run setup installs it)');
