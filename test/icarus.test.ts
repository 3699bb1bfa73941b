/**
 * Icarus Verilog as a second simulator: the same stimulus and compare path on Icarus must pass
 * and observe exactly what Verilator observes (every transaction, the cycle count, every
 * drained row), so the RTL's meaning does not depend on one simulator. Cases are tiny: Icarus
 * is an event-driven interpreter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import type { Txn } from '../golden/model/pe.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim, goldenRun } from '../testbench/cosim.ts';
import { genTestbench } from '../testbench/icarus.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const conv = (phase: string, g: Record<string, number>, seed: number) => ({
  kind: 'conv', phase, N: 1, C: 2, K: 2, H: 5, W: 5, R: 3, S: 3, stride: 1, pad: 1, ...g,
  density: { weights: 0.5, activations: 0.5, gradients: 0.5 }, seed,
});
const packed = { kind: 'matmul', M: 5, K: 6, N: 4, density: { a: 0.5, b: 0.5 }, seed: 3, mapping: 'packed' };

// Configs other test files cosimulate too, so their Verilator builds are usually cached.
const CONFIGS: [string, object][] = [
  ['1 PE, ant off', { F: 3, I: 2, banks: 8, bankDepth: 16 }],
  ['2 PEs, ant window', { pes: 2, F: 2, I: 2, banks: 8, bankDepth: 16, antLookahead: 2, ant: 'window' }],
];
const CASES: [string, object][] = [
  ['fwd 3x3', conv('fwd', {}, 1)],
  ['wgrad 3x3', conv('wgrad', {}, 2)],
  ['packed matmul', packed],
];

const show = (t: Txn | undefined) => JSON.stringify(t, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

describe.each(CONFIGS)('Icarus and Verilator agree on %s', (_name, over) => {
  const cfg = resolveConfig(over);
  it.each(CASES)('%s', async (_label, spec) => {
    const w = validateWorkload(JSON.parse(JSON.stringify(spec)));
    const v = await cosim(cfg, w, { keepObserved: true });
    const i = await cosim(cfg, w, { simulator: 'icarus', keepObserved: true });
    for (const r of [v, i]) {
      expect(r.cycles.rtl).toBe(r.cycles.golden);
      expect(r.trace.mismatches).toBe(0);
      expect(r.outputs.mismatches).toBe(0);
      expect(r.countersCheck.mismatched).toEqual([]);
      expect(r.pass).toBe(true);
    }
    expect(i.cycles.rtl).toBe(v.cycles.rtl);
    expect(i.counters).toEqual(v.counters);
    // Transactions, element by element: the first difference names cycle, kind and fields.
    const vt = v.observed!.txns, it_ = i.observed!.txns;
    expect(vt.length).toBeGreaterThan(0);
    for (let k = 0; k < Math.max(vt.length, it_.length); k++) {
      expect(show(it_[k]), `transaction ${k}: verilator ${show(vt[k])}`).toBe(show(vt[k]));
    }
    expect(i.observed!.out).toEqual(v.observed!.out);
    expect(v.observed!.out.length).toBeGreaterThan(0);
  });
});

describe('af_tb and the --simulator option', () => {
  it('the testbench is byte-stable and names what it reads', () => {
    const cfg = resolveConfig({ pes: 2 });
    const tb = genTestbench(cfg, 16);
    expect(genTestbench(cfg, 16)).toBe(tb);
    expect(tb).toMatch(/^module af_tb;$/m);
    expect(tb).toContain('af_array dut (');
    expect(tb).toContain('$readmemh');
    // Widths come from the same layouts as the Verilator harness.
    expect(tb).toMatch(/localparam N = 2, JW = \d+, AW = \d+, BW = \d+, OW = 1024, RW = \d+, CTW = 32, DEPTH = 16;/);
    // The generated modules plus af_tb are the whole compile: af_tb instantiates the top only.
    expect(generate(cfg).map((m) => m.name)).toContain('af_array');
  });

  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['scripts/antforge.mjs', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env },
  });
  const MATMUL = JSON.stringify({ kind: 'matmul', M: 4, K: 4, N: 4, seed: 1 });
  const SMALL = ['--set', 'F=2', '--set', 'I=2', '--set', 'banks=4', '--set', 'bankDepth=8'];

  it('cosim --simulator icarus passes through the CLI', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'af-icarus-cache-'));
    try {
      const r = cli(['cosim', '--simulator', 'icarus', '--workload', MATMUL, ...SMALL, '--json'], { ANTFORGE_CACHE: cache });
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.pass).toBe(true);
      expect(j.cycles.rtl).toBe(goldenRun(resolveConfig({ F: 2, I: 2, banks: 4, bankDepth: 8 }), validateWorkload(JSON.parse(MATMUL)), false).run.counters.cycles);
      // Only the Icarus compile was cached, no Verilator build.
      expect(fs.readdirSync(cache).filter((f) => !f.startsWith('.'))).toEqual([expect.stringMatching(/^icarus-[0-9a-f]{20}$/)]);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('an unknown simulator exits 2 naming the allowed values', () => {
    const r = cli(['cosim', '--simulator', 'vcs', '--workload', MATMUL]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^antforge: --simulator 'vcs' is not allowed; allowed: verilator \| icarus$/m);
  });

  it('a missing iverilog is a tool error naming the Debian package', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-icarus-path-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'cache'));
      fs.symlinkSync(process.execPath, path.join(dir, 'bin', 'node'));
      const r = cli(['cosim', '--simulator', 'icarus', '--workload', MATMUL, ...SMALL], { PATH: path.join(dir, 'bin'), ANTFORGE_CACHE: path.join(dir, 'cache') });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/iverilog is not on PATH; run 'npm run setup' \(installs Debian package 'iverilog'\)/);
      expect(fs.readdirSync(path.join(dir, 'cache'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
