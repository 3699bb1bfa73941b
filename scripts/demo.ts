/** `antforge demo`: the main job on the embedded default config: generate, cosimulate every mode, report. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl } from '../generator/index.ts';
import { validateWorkload } from '../golden/workload.ts';
import { cosim } from '../testbench/cosim.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';
import { describeWorkload } from './cosim.ts';

/** Small sparse layers, one per mode, that finish in seconds. */
export const DEMO_WORKLOADS = [
  { kind: 'conv', phase: 'fwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.3, activations: 0.4 }, seed: 1 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 4, K: 8, H: 14, W: 14, R: 3, S: 3, stride: 2, pad: 1, density: { weights: 0.3, gradients: 0.4 }, seed: 2 },
  { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 3 },
  { kind: 'matmul', M: 32, K: 24, N: 32, density: { a: 0.3, b: 0.3 }, seed: 4 },
];

export function registerDemo(program: Command): void {
  const cmd = program.command('demo').description('generate the default PE, cosimulate one sparse layer per mode, and print a report');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts) => {
    const cfg = configFrom(opts);
    const out = path.join('rtl-out', cfg.name);
    const files = writeRtl(generate(cfg), out);
    if (!opts.json) process.stdout.write(`generated ${files.length} modules in ${out}/\n`);
    const rows = [];
    for (const spec of DEMO_WORKLOADS) {
      const w = validateWorkload(spec);
      const r = await cosim(cfg, w);
      rows.push({ workload: describeWorkload(w), pass: r.pass, cycles: r.cycles, counters: r.counters, trace: r.trace, outputs: r.outputs, build: r.build });
      if (!opts.json) {
        const c = r.counters;
        process.stdout.write(`${r.pass ? 'PASS' : 'FAIL'}  ${describeWorkload(w).padEnd(62)} cycles ${String(r.cycles.rtl).padStart(6)} (golden ${r.cycles.golden})  ` +
          `pairs ${c.pairs}, valid ${c.valid}/${c.products} products, ${r.trace.events} transactions, ${r.outputs.compared} outputs equal\n`);
      }
    }
    const pass = rows.every((r) => r.pass);
    if (opts.json) process.stdout.write(toJson({ ok: true, pass, out, files, results: rows }) + '\n');
    else process.stdout.write(pass ? 'demo: all modes cycle-exact and bit-exact\n' : 'demo: FAILED\n');
    return pass ? 0 : 1;
  }));
}
