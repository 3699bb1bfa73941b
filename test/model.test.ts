/**
 * The whole-network model: the exact cycle model it uses agrees with cosimulated RTL on
 * scaled-down layers from every network, in every phase and ant mode; and the model and
 * report commands produce what they promise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { resolveConfig } from '../generator/config.ts';
import { network, NETWORK_NAMES, type ConvLayer } from '../golden/studies/networks.ts';
import { evaluateTask, layerWorkload, PHASES } from '../golden/studies/network-model.ts';
import { cosim } from '../testbench/cosim.ts';
import { runCli } from './cli.ts';

/** A layer of the network shrunk to cosimulation size (channels and plane capped). */
function scaledDown(name: string): ConvLayer[] {
  const net = network(name, name === 'wrn28-10' ? 'cifar' : 'imagenet');
  const convs = net.layers.filter((l): l is ConvLayer => l.kind === 'conv');
  const pick = [convs[Math.floor(convs.length / 2)], convs.find((l) => l.R === 1 && l.stride === 1) ?? convs[1]];
  return pick.map((l) => ({ ...l, C: Math.min(l.C, 3), K: Math.min(l.K, 3), H: Math.min(l.H, 9), W: Math.min(l.W, 9), pad: Math.min(l.pad, 2) }));
}

describe('model cycles equal cosimulated RTL on scaled-down layers of every network', () => {
  const base = { pes: 2, F: 2, I: 2, banks: 8, bankDepth: 16, antLookahead: 2 };
  const opts = { sparsity: 0.7, batch: 1, pattern: 'clustered' as const, seed: 3 };
  for (const name of NETWORK_NAMES) {
    for (const layer of scaledDown(name)) {
      for (const phase of PHASES) {
        it(`${name} ${layer.name} ${layer.R}x${layer.S}/${layer.stride} ${phase}`, async () => {
          const task = { network: name, index: 0, layer, phase, batch: 1, workload: layerWorkload(layer, phase, opts, 7) };
          const row = evaluateTask(resolveConfig(base), task, 1 << 30);
          expect(row.groups.mapped).toBe(row.groups.total);
          for (const ant of ['off', 'filter', 'window'] as const) {
            const r = await cosim(resolveConfig({ ...base, ant }), task.workload);
            expect(r.pass).toBe(true);
            expect(row.modes[ant].cycles).toBe(r.cycles.rtl);
            expect(row.modes[ant].rcps).toBe(r.counters.rcps);
            expect(row.modes[ant].pairs).toBe(r.counters.pairs);
          }
        });
      }
    }
  }
});

describe('model and report commands', () => {

  it('model --json carries the per-network figures the issue names', async () => {
    const r = await runCli(['model', '--network', 'resnet18', '--dataset', 'cifar', '--sample', '1', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const n = j.networks[0];
    expect(n.baseline.cycles).toBeGreaterThan(0);
    for (const m of ['filter', 'window']) {
      expect(n.ant[m].cycles).toBeGreaterThan(0);
      expect(n.speedup[m]).toBeCloseTo(n.baseline.cycles / n.ant[m].cycles, 10);
      expect(n.rcp.anticipatedFraction[m]).toBeGreaterThan(0);
    }
    expect(n.rcp.shareOfBaseline).toBeGreaterThan(0);
    // Energy: baseline.energyPj, ant.energyPj per mode and energyReduction, with a per-component breakdown.
    expect(n.baseline.energyPj).toBeGreaterThan(0);
    expect(Object.values(n.baseline.energyBreakdown as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(n.baseline.energyPj, 3);
    for (const m of ['filter', 'window']) expect(n.energyReduction[m]).toBeCloseTo(n.baseline.energyPj / n.ant[m].energyPj, 10);
    expect(Object.keys(n.macs)).toEqual(['fwd', 'bwd', 'wgrad']);
    expect(n.layers.length).toBeGreaterThan(20);
    // Multiplier utilization: valid work over the multiplier slots, the physical limit over the cycles.
    for (const m of ['filter', 'window']) expect(n.utilization[m]).toBeCloseTo(n.limitCycles / n.ant[m].cycles, 10);
    expect(n.utilization.off).toBeCloseTo(n.limitCycles / n.baseline.cycles, 10);
    expect(n.utilization.window).toBeGreaterThan(n.utilization.off);
    expect(n.utilization.window).toBeLessThanOrEqual(1);
  });

  it('bad model options exit 2 with a message', async () => {
    for (const [args, msg] of [
      [['model'], /exactly one of --network/],
      [['model', '--network', 'alexnet'], /--network 'alexnet'.*resnet18/],
      [['model', '--all', '--sparsity', '1.5'], /--sparsity '1.5'/],
      [['model', '--all', '--phases', 'fwd,up'], /--phases/],
    ] as [string[], RegExp][]) {
      const r = await runCli(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('report writes the markdown, two SVG charts and the JSON', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'af-report-'));
    const r = await runCli(['report', '--network', 'resnet18', '--dataset', 'cifar', '--phases', 'wgrad', '--sample', '1', '--out', out]);
    expect(r.status).toBe(0);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| resnet18 \| cifar \|/);
    expect(md).toMatch(/3\.71x/);
    for (const f of ['speedup.svg', 'rcp.svg']) expect(fs.readFileSync(path.join(out, f), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    // The paper's scale leads (64 PEs), the config asked for (1 PE) follows as the small view.
    expect(md.indexOf('## At the paper\'s scale: 64 PEs')).toBeGreaterThan(0);
    expect(md.indexOf('## The small view: 1 PE')).toBeGreaterThan(md.indexOf('## At the paper\'s scale: 64 PEs'));
    const scale = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')), one = JSON.parse(fs.readFileSync(path.join(out, 'model-1pe.json'), 'utf8'));
    expect(scale.networks).toHaveLength(1);
    expect(scale.config.pes).toBe(64);
    expect(one.config.pes).toBe(1);
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('errors keep their class across worker threads', () => {
  const firstLine = (s: string) => s.split('\n')[0];
  it('a bad input exits 2 and an internal error exits 1 with its stack, with the same message for --jobs 1 and 2', async () => {
    // Bad input found inside a layer task: ImageNet planes do not fit 5-bit coordinates.
    const bad = ['model', '--network', 'resnet18', '--set', 'coordWidth=5', '--phases', 'wgrad', '--sample', '1'];
    const [b1, b2] = [await runCli([...bad, '--jobs', '1']), await runCli([...bad, '--jobs', '2'])];
    for (const r of [b1, b2]) {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^antforge: stationary operand coordinate .* does not fit coordWidth=5/);
      expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    }
    expect(b2.stderr).toBe(b1.stderr);
    // An internal error (injected into every layer task) stays internal: exit 1, the stack printed.
    const internal = ['model', '--network', 'resnet18', '--dataset', 'cifar', '--phases', 'wgrad', '--sample', '1'];
    const env = { ANTFORGE_TEST_FAULT: 'layerTask' };
    const [i1, i2] = [await runCli([...internal, '--jobs', '1'], { env }), await runCli([...internal, '--jobs', '2'], { env })];
    for (const r of [i1, i2]) {
      expect(r.status).toBe(1);
      expect(firstLine(r.stderr)).toBe('antforge: internal error: Error: injected fault in task layerTask (ANTFORGE_TEST_FAULT)');
      expect(r.stderr).toMatch(/^\s+at /m);
    }
  });
});
