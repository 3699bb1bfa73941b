/** `antforge demo`: the main job on the embedded default config: generate, cosimulate every mode, report. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl } from '../generator/index.ts';
import { validateWorkload } from '../golden/workload/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';
import { describeWorkload } from './cosim.ts';

/** Small sparse layers, one per mode, that finish in seconds. */
export const DEMO_WORKLOADS = [
  { kind: 'conv', phase: 'fwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.3, activations: 0.4 }, seed: 1 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 2, pad: 1, density: { weights: 0.3, gradients: 0.4 }, seed: 2 },
  { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 3 },
  { kind: 'matmul', M: 32, K: 24, N: 32, density: { a: 0.3, b: 0.3 }, seed: 4, mapping: 'packed' },
];

export function registerDemo(program: Command): void {
  const cmd = program.command('demo').description('generate the default PE, cosimulate one sparse layer per mode, then the same layers with ANT (window) when the config has ant = off, and print a report');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts) => {
    const cfg = configFrom(opts);
    const out = path.join('rtl-out', cfg.name);
    const files = writeRtl(generate(cfg), out);
    if (!opts.json) process.stdout.write(`generated ${files.length} modules in ${out}/\n`);
    const say = (s: string) => { if (!opts.json) process.stdout.write(s); };
    const rows = [];
    for (const spec of DEMO_WORKLOADS) {
      const w = validateWorkload(spec);
      const r = await cosim(cfg, w);
      rows.push({ workload: describeWorkload(w), ant: cfg.ant, pass: r.pass, cycles: r.cycles, counters: r.counters, rcp: r.rcp, trace: r.trace, outputs: r.outputs, build: r.build });
      const c = r.counters;
      say(`${r.pass ? 'PASS' : 'FAIL'}  ${describeWorkload(w).padEnd(62)} cycles ${String(r.cycles.rtl).padStart(6)} (golden ${r.cycles.golden})  ` +
        `pairs ${c.pairs}, valid ${c.valid}/${c.products} products, ${r.trace.events} transactions, ${r.outputs.compared} outputs equal\n`);
    }
    // The same layers through the ANT PE, against the baseline rows above.
    const antRows = [];
    if (cfg.ant === 'off') {
      const antCfg = { ...cfg, ant: 'window' as const };
      say(`ANT: the same layers with ant = window (lookahead ${cfg.antLookahead}), cosimulated:\n`);
      for (const [k, spec] of DEMO_WORKLOADS.entries()) {
        const w = validateWorkload(spec);
        const r = await cosim(antCfg, w);
        const base = rows[k];
        const speedup = base.cycles.rtl / r.cycles.rtl;
        const anticipated = base.counters.rcps ? (base.counters.rcps - r.counters.rcps) / base.counters.rcps : 0;
        antRows.push({ workload: describeWorkload(w), ant: antCfg.ant, pass: r.pass, cycles: r.cycles, counters: r.counters, speedup, rcpsAnticipated: anticipated, trace: r.trace, outputs: r.outputs, build: r.build });
        say(`${r.pass ? 'PASS' : 'FAIL'}  ${describeWorkload(w).padEnd(62)} cycles ${String(r.cycles.rtl).padStart(6)} (golden ${r.cycles.golden})  ` +
          `${speedup.toFixed(2)}x fewer than off, ${base.counters.rcps ? `${(100 * anticipated).toFixed(1)}% of its RCPs anticipated` : 'no RCPs to anticipate'}, ${r.outputs.compared} outputs equal\n`);
      }
    }
    const pass = [...rows, ...antRows].every((r) => r.pass);
    if (opts.json) process.stdout.write(toJson({ ok: true, pass, out, files, results: rows, ant: antRows }) + '\n');
    else process.stdout.write(pass ? `demo: all modes${antRows.length ? ', with and without ANT,' : ''} cycle-exact and bit-exact\n` : 'demo: FAILED\n');
    return pass ? 0 : 1;
  }));
}
