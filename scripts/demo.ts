/** `antforge demo`: the main job on the embedded default config: generate, cosimulate every mode (testbench/demo.ts), report. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl } from '../generator/index.ts';
import { runDemo } from '../testbench/demo.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export function registerDemo(program: Command): void {
  const cmd = program.command('demo').description('generate the default PE, cosimulate one sparse layer per mode, then the same layers with ANT (window) when the config has ant = off, and print a report');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts) => {
    const cfg = configFrom(opts);
    const out = path.join('rtl-out', cfg.name);
    const files = writeRtl(generate(cfg), out);
    if (!opts.json) process.stdout.write(`generated ${files.length} modules in ${out}/\n`);
    const say = (s: string) => { if (!opts.json) process.stdout.write(s); };
    const { rows, antRows, pass } = await runDemo(cfg, {
      row: (r) => say(`${r.pass ? 'PASS' : 'FAIL'}  ${r.workload.padEnd(62)} cycles ${String(r.cycles.rtl).padStart(6)} (golden ${r.cycles.golden})  ` +
        `pairs ${r.counters.pairs}, valid ${r.counters.valid}/${r.counters.products} products, ${r.trace.events} transactions, ${r.outputs.compared} outputs equal\n`),
      antStart: (antCfg) => say(`ANT: the same layers with ant = window (lookahead ${antCfg.antLookahead}), cosimulated:\n`),
      antRow: (r, base) => say(`${r.pass ? 'PASS' : 'FAIL'}  ${r.workload.padEnd(62)} cycles ${String(r.cycles.rtl).padStart(6)} (golden ${r.cycles.golden})  ` +
        `${r.speedup.toFixed(2)}x fewer than off, ${base.counters.rcps ? `${(100 * r.rcpsAnticipated).toFixed(1)}% of its RCPs anticipated` : 'no RCPs to anticipate'}, ${r.outputs.compared} outputs equal\n`),
    });
    if (opts.json) process.stdout.write(toJson({ ok: true, pass, out, files, results: rows, ant: antRows }) + '\n');
    else process.stdout.write(pass ? `demo: all modes${antRows.length ? ', with and without ANT,' : ''} cycle-exact and bit-exact\n` : 'demo: FAILED\n');
    return pass ? 0 : 1;
  }));
}
