/**
 * af_axi (`generate --wrapper axi`): lint-clean, accepted by Icarus, and cosimulated against the
 * golden model through an AXI bus model (testbench/axi.ts): drained rows bit for bit, outputs,
 * counters read through the register map, the array's cycle count; the register map's
 * behaviour (read after write, ap_done clear on read, ISR toggle on write, interrupt); an
 * overflow is flagged, never silent; a corrupted row would be caught.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { resolveConfig, type HwConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { genAxi, registerTable } from '../generator/axi.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { assembleOutput, compareOutputs } from '../testbench/compare.ts';
import { axiCosim, compareDrains, type AxiReport } from '../testbench/axi.ts';
import { runCli, ROOT } from './cli.ts';

const SMALL = { F: 2, I: 2, banks: 8, bankDepth: 16 };
const conv = (phase: string, seed: number) => ({
  kind: 'conv', phase, N: 1, C: 2, K: 2, H: 5, W: 5, R: 3, S: 3, stride: 1, pad: 1,
  density: { weights: 0.5, activations: 0.5, gradients: 0.5 }, seed,
});
const CASES: [string, object][] = [
  ['fwd 3x3', conv('fwd', 1)],
  ['wgrad 3x3', conv('wgrad', 2)],
  ['packed matmul', { kind: 'matmul', M: 5, K: 6, N: 4, density: { a: 0.5, b: 0.5 }, seed: 3, mapping: 'packed' }],
];

const run = (cfg: HwConfig, spec: object, opts = {}) => axiCosim(cfg, validateWorkload(JSON.parse(JSON.stringify(spec))), opts);

function inDir<T>(cfg: HwConfig, body: (dir: string, files: string[]) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-axi-'));
  try {
    const mods = [genAxi(cfg), ...generate(cfg)];
    for (const m of mods) fs.writeFileSync(path.join(dir, m.file), m.text);
    return body(dir, mods.map((m) => m.file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([1, 4])('af_axi at %i PE(s)', (pes) => {
  const cfg = resolveConfig({ ...SMALL, pes });
  it('is clean under verilator --lint-only -Wall', () => {
    inDir(cfg, (dir, files) => {
      const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'af_axi', ...files], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  });
  it('is accepted by Icarus (iverilog -g2012)', () => {
    inDir(cfg, (dir, files) => {
      const r = spawnSync('iverilog', ['-g2012', '-s', 'af_axi', '-o', 'sim.vvp', ...files], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.status).toBe(0);
    });
  });
  it.each(CASES)('cosimulates %s exactly through AXI', async (_label, spec) => {
    const r = await run(cfg, spec);
    expect(r.drains.mismatches).toBe(0);
    expect(r.drains.received).toBeGreaterThan(0);
    expect(r.outputs.mismatches).toBe(0);
    expect(r.outputs.compared).toBeGreaterThan(0);
    expect(r.countersCheck.mismatched).toEqual([]);
    expect(r.cycles.array).toBe(r.cycles.golden);
    // The run ends once the last rows have left the out stream: a few cycles after the array.
    expect(r.cycles.run).toBeGreaterThan(r.cycles.array);
    expect(r.regs).toMatchObject({ LOST: 0, STATUS: 0, ROWS: r.drains.received });
    expect(r.pass).toBe(true);
  });
});

describe('af_axi register map and failure modes', () => {
  const cfg = resolveConfig({ ...SMALL, pes: 1 });
  let shared: AxiReport | undefined;
  const fwd = async () => (shared ??= await run(cfg, CASES[0][1]));

  it('reads back what was written, clears ap_done on read, toggles ISR on write', async () => {
    const c = (await fwd()).checks;
    expect(c.jobs).toBe(0xa5a5f00d);
    expect(c.csel).toBe(0x5678); // CSEL holds 16 bits
    expect([c.gie, c.ier]).toEqual([1, 1]);
    expect(c.ctrlIdle).toBe(0b1100); // ap_idle, ap_ready
    expect(c.ctrlRunning).toBe(0); // started: not idle, not done
    expect(c.ctrlDone).toBe(0b1110); // ap_done with ap_idle and ap_ready
    expect(c.ctrlAfter).toBe(0b1100); // the first read cleared ap_done
    expect([c.isr, c.isrToggled, c.isrToggledAgain]).toEqual([1, 0, 1]);
    expect([c.intBefore, c.intAfter]).toEqual([1, 0]);
  });

  it('catches a corrupted drained row', async () => {
    const r = await fwd();
    const bad = r.observed.map((x) => ({ ...x, data: [...x.data] }));
    bad[0].data[0] ^= 1n;
    expect(compareDrains(cfg, r.golden.rows, bad).mismatches).toBe(1);
    expect(compareOutputs(r.golden.ref, assembleOutput(cfg, r.golden.mapping, bad, cfg.accWidth)).mismatches).toBeGreaterThan(0);
  });

  it('flags rows dropped when the out stream is not ready (sticky overflow, LOST count)', async () => {
    const r = await run(cfg, CASES[0][1], { fifoDepth: 2, stallOut: 400 });
    expect(r.regs.LOST).toBeGreaterThan(0);
    expect(r.regs.STATUS & 1).toBe(1);
    expect(r.regs.ROWS + r.regs.LOST).toBe(r.drains.expected);
    expect(r.pass).toBe(false);
  });

  it('documents the register map in the README, from the same table', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(registerTable(resolveConfig({})));
  });
});

describe('generate --wrapper', () => {
  it('axi adds af_axi.v and makes it the top; the default output is unchanged', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'af-wrap-'));
    try {
      const a = await runCli(['generate', '--wrapper', 'axi', '--out', path.join(out, 'a'), '--json']);
      expect(a.status).toBe(0);
      const ja = JSON.parse(a.stdout);
      expect(ja.top).toBe('af_axi');
      expect(ja.files[0]).toBe(path.join(out, 'a', 'af_axi.v'));
      const d = await runCli(['generate', '--out', path.join(out, 'd'), '--json']);
      const jd = JSON.parse(d.stdout);
      expect(jd.top).toBe('af_array');
      expect(jd.files.some((f: string) => f.endsWith('af_axi.v'))).toBe(false);
      expect(fs.existsSync(path.join(out, 'd', 'af_axi.v'))).toBe(false);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('a bad value exits 2 naming the allowed values', async () => {
    const r = await runCli(['generate', '--wrapper', 'wishbone', '--out', path.join(os.tmpdir(), 'af-never')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--wrapper 'wishbone' is not allowed; allowed: none, axi/);
  });
});
