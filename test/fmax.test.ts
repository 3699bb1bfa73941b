/**
 * Place and route on an iCE40 (testbench/fmax.ts): the 3-pin shell drives every input bit of
 * the top once and observes every output bit, it lints clean with the design, and nextpnr's
 * figures are consistent (Fmax = 1 / critical path delay, readable signal names, resources
 * within the device).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate, TOP } from '../generator/index.ts';
import { arrayPorts } from '../generator/array.ts';
import { bits, portsOf } from '../generator/ports.ts';
import { designSignal, fmaxIce40, fmaxShell } from '../testbench/fmax.ts';
import { hasTool } from '../testbench/tools.ts';

/** Small enough for an iCE40 HX8K without DSPs. */
const TINY = { F: 2, I: 2, banks: 4, bankDepth: 4, aDepth: 8, bDepth: 8, dataWidth: 8, accWidth: 16, counterWidth: 16, coordWidth: 6, chanWidth: 4, tagWidth: 2 };

describe('the 3-pin shell', () => {
  const cfg = resolveConfig({ ...TINY, ant: 'window', pes: 2 });
  const modules = generate(cfg);
  const top = modules.find((m) => m.name === TOP)!;
  const ports = portsOf(arrayPorts(cfg));

  it('has every port of the top with its width', () => {
    expect(ports.map((p) => p.name)).toContain('clk');
    expect(ports.find((p) => p.name === 'clk')!.width).toBe(1);
    // The port list is the top's declaration: one declaration line per port, in order, with its width.
    const declared = top.text.slice(top.text.indexOf(`module ${TOP}`), top.text.indexOf(');')).split('\n').filter((l) => /^\s*(input|output)\b/.test(l));
    expect(ports.length).toBe(declared.length);
    declared.forEach((line, k) => {
      const p = ports[k];
      expect(line).toMatch(new RegExp(`^\\s*${p.dir}\\s+(wire|reg)\\s+${p.scalar ? '' : `\\[${bits(p) - 1}:0\\]\\s+`}${p.name},?$`));
    });
  });

  it('drives each input bit once and folds every output bit', () => {
    const { module, flipFlops } = fmaxShell(ports);
    const inW = ports.filter((p) => p.dir === 'input' && p.name !== 'clk' && p.name !== 'rst').reduce((s, p) => s + bits(p), 0);
    const outW = ports.filter((p) => p.dir === 'output').reduce((s, p) => s + bits(p), 0);
    expect(module.text).toContain(`reg [${inW - 1}:0] sh;`);
    expect(module.text).toContain(`reg [${outW - 1}:0] oq;`);
    expect(flipFlops).toBe(inW + outW + 1);
    for (const p of ports) expect(module.text).toContain(`.${p.name}(`);
  });

  it.skipIf(!hasTool('verilator'))('lints clean with the design under verilator -Wall', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-shell-'));
    try {
      const all = [...modules, fmaxShell(ports).module];
      for (const m of all) fs.writeFileSync(path.join(dir, m.file), m.text);
      const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'af_fmax_shell', ...all.map((m) => m.file)], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names design signals from nextpnr cell names', () => {
    expect(designSignal('dut.g_pe[0].u_pe.u_seq.j_stop_SB_LUT4_O_I2_SB_LUT4_I2_O_LC')).toBe('g_pe[0].u_pe.u_seq.j_stop');
    expect(designSignal('dut.g_pe[0].u_pe.u_range.u_abox.g_bank[2].row_SB_LUT4_O_I3_SB_CARRY_CO$CARRY')).toBe('g_pe[0].u_pe.u_range.u_abox.g_bank[2].row');
    expect(designSignal('$nextpnr_ICESTORM_LC_16')).toBeUndefined();
    expect(designSignal(undefined)).toBeUndefined();
  });
});

describe.skipIf(!hasTool('nextpnr-ice40') || !hasTool('yosys'))('nextpnr-ice40 on a tiny config', () => {
  it('reports a clock that is 1 / the critical path, readable signals, resources within the HX8K', () => {
    const r = fmaxIce40(resolveConfig({ ...TINY, ant: 'window' }), { device: 'hx8k' });
    console.log(`iCE40 hx8k, tiny config, ant window: ${r.fmaxMhz.toFixed(1)} MHz, ${r.utilization.ICESTORM_LC?.used} LCs, ${r.seconds.toFixed(1)} s; critical path ${r.criticalPath.signals.join(' -> ')}`);
    expect(r.fmaxMhz).toBeGreaterThan(0);
    expect(r.criticalPath.delayNs).toBeGreaterThan(0);
    expect(Math.abs(r.fmaxMhz - 1000 / r.criticalPath.delayNs) / r.fmaxMhz).toBeLessThan(0.01);
    expect(r.criticalPath.signals.length).toBeGreaterThan(0);
    for (const s of r.criticalPath.signals) expect(s).toMatch(/^[A-Za-z_][\w.[\]]*$/);
    const lc = r.utilization.ICESTORM_LC;
    expect(lc.used).toBeGreaterThan(r.shellFlipFlops / 2);
    expect(lc.used).toBeLessThanOrEqual(lc.available);
  }, 600_000);
});

if (!hasTool('nextpnr-ice40')) console.warn('test/fmax.test.ts: nextpnr-ice40 is not on PATH; the place-and-route test is skipped (npm run setup installs it)');
