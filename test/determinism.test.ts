/**
 * Determinism: the same config and seed give byte-identical RTL, stimulus, transaction records
 * and reports (wall-clock fields aside).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { generate } from '../generator/index.ts';
import { validateWorkload, makeOperands } from '../golden/workload/workload.ts';
import { mapWorkload } from '../golden/mapping/mapper.ts';
import { writeStimulus } from '../testbench/stimulus.ts';
import { buildSim } from '../testbench/build.ts';
import { runSim } from '../testbench/run.ts';
import { readAllRecords } from '../testbench/records.ts';
import { runCli } from './cli.ts';

const cfg = resolveConfig({ pes: 2, F: 3, I: 2, banks: 8, bankDepth: 16, ant: 'window' });
const spec = { kind: 'conv', phase: 'wgrad', N: 1, C: 3, K: 2, H: 10, W: 9, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.4, gradients: 0.4 }, seed: 9, pattern: 'clustered' };

function stimulus(dir: string) {
  const w = validateWorkload(spec);
  const m = mapWorkload(w, makeOperands(w, cfg).tensors, cfg);
  writeStimulus(cfg, m.arrayJobs, dir);
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]));
}

describe('determinism', () => {
  it('RTL, stimulus and transaction records are identical across runs', async () => {
    expect(generate(cfg).map((m) => m.text)).toEqual(generate(cfg).map((m) => m.text));
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'af-det-')));
    const [s0, s1] = dirs.map(stimulus);
    expect(Object.keys(s0).length).toBeGreaterThan(3);
    expect(s1).toEqual(s0);
    const exe = buildSim(cfg, generate(cfg)).exe;
    const runs = [];
    for (const dir of dirs) {
      const r = await runSim(exe, { stimDir: dir, maxCycles: 100_000, records: dir });
      expect(r.status).toBe('done');
      const bytes = [0, 1].map((p) => fs.readFileSync(path.join(dir, `rec${p}.bin`)).toString('hex'));
      runs.push({ perPe: r.perPe, bytes, txns: readAllRecords(cfg, dir) });
    }
    expect(runs[1].bytes).toEqual(runs[0].bytes);
    expect(runs[1].perPe).toEqual(runs[0].perPe);
    expect(runs[0].txns.length).toBeGreaterThan(50);
  });

  it('cosim and model reports are identical across runs, but for timings', async () => {
    const strip = (text: string) => JSON.stringify(JSON.parse(text), (k, v) => (['seconds', 'cyclesPerSecond', 'cached', 'build', 'sim'].includes(k) ? undefined : v));
    for (const args of [
      ['cosim', '--set', 'ant=filter', '--workload', JSON.stringify(spec), '--json'],
      ['model', '--network', 'resnet18', '--dataset', 'cifar', '--phases', 'wgrad', '--sample', '1', '--json'],
    ]) {
      const [a, b] = [await runCli(args), await runCli(args)];
      expect(a.status).toBe(0);
      expect(strip(b.stdout)).toBe(strip(a.stdout));
    }
  });
});
