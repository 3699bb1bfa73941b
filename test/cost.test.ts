/**
 * Sizing through the tools: energy from golden and RTL counters of one cosimulated run, bad
 * tables exit 2, Yosys FPGA resources of a small config, and the fields of `size --json`.
 * (The scaling rules and the area model alone: test/unit/cost.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, vi } from 'vitest';
import { Command } from 'commander';
import { resolveConfig } from '../generator/config.ts';
import { ConfigError } from '../generator/errors.ts';
import { energy, loadTech, readTechTable, ENERGY_COMPONENTS, boxWidth } from '../golden/cost/cost.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim, goldenRun } from '../testbench/cosim.ts';
import { hasTool } from '../testbench/tools.ts';
import { registerSize } from '../scripts/size.ts';

const t45 = loadTech();

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

describe('size command', () => {
  it('--json has the documented fields', async () => {
    const r = await runSize(['--json', '--set', 'ant=window', '--node', '16']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j.config.ant).toBe('window');
    expect(j.tech).toMatchObject({ name: 'tech-45nm', node: 16, tableNode: 45, vdd: 0.9, nodeRule: 'stillmaker-baas', areaFactor: 0.19 });
    expect(j.tech.energyFactor).toBeCloseTo(0.1873, 4);
    expect(Object.keys(j.area.components)).toEqual(['multipliers', 'crossbar', 'accumulators', 'operandBuffers', 'coordinate', 'rangeUnit', 'control', 'reductionTree', 'groupSelect']);
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
