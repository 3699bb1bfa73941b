/** `antforge prove`: formal proofs of the blocks' contracts (testbench/formal); parse and print only. */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, parseSets, resolveConfig } from '../generator/config.ts';
import { checkFormalTools } from '../testbench/formal/run.ts';
import { MAX_DEPTH, PROVE_CONFIG, prove, type PropertyResult } from '../testbench/formal/prove.ts';
import { PROPERTIES } from '../testbench/formal/properties.ts';
import { action, collect, intOption, toJson, withJson } from './common.ts';

interface ProveOpts { config?: string; set: string[]; only?: string; mutant?: string; depth?: string; out: string; json?: boolean }

const line = (r: PropertyResult) => `${r.status === 'failed' ? 'FAILED' : 'ok    '} ${r.name.padEnd(14)} ${r.status.padEnd(20)} ${r.seconds.toFixed(1).padStart(6)} s`
  + (r.counterexample ? `  cycle ${r.counterexample.cycle}: ${r.counterexample.asserts.join(', ')}; counterexample ${r.counterexample.vcd}` : '');

export function registerProve(program: Command): void {
  const cmd = program
    .command('prove')
    .description(`formal proofs (Yosys + ABC, counterexamples replayed by yosys-smtbmc) of ${PROPERTIES.length} block contracts: ANT range safety, sequencer completeness, box memory, crossbar and accumulators; exit 1 if any fails`)
    .option('--config <file>', 'hardware config JSON (default: the small prove config; keys: see `antforge schema`)')
    .option('--set <key=value>', 'override one config key (repeatable)', collect, [])
    .option('--only <names>', `comma-separated properties: ${PROPERTIES.map((p) => p.name).join(', ')}`)
    .option('--mutant <name>', 'apply one catalogued mutant (see `antforge mutate`) and run the properties it touches')
    .option('--depth <n>', `cycles to search (1..${MAX_DEPTH}; default: each harness's own)`)
    .option('--out <dir>', 'folder for counterexample VCDs', 'prove-out');
  withJson(cmd).action(action(async (opts: ProveOpts) => {
    const cfg = opts.config !== undefined ? loadConfig(opts.config, opts.set) : resolveConfig(parseSets(opts.set), resolveConfig(PROVE_CONFIG));
    const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
    const depth = opts.depth === undefined ? undefined : intOption('--depth', opts.depth, 1, MAX_DEPTH);
    checkFormalTools();
    const report = prove(cfg, { only, mutant: opts.mutant, depth, outDir: path.join(opts.out, cfg.name) },
      opts.json ? undefined : (r) => process.stdout.write(line(r) + '\n'));
    if (opts.json) process.stdout.write(toJson({ ok: true, ...report }) + '\n');
    else if (opts.mutant && !report.properties.length) process.stdout.write(`mutant ${opts.mutant} touches no proved block; no property ran\n`);
    else process.stdout.write(`${report.held} of ${report.properties.length} properties hold${report.mutant ? ` with mutant ${report.mutant}` : ''} (config '${cfg.name}')\n`);
    return report.failed ? 1 : 0;
  }));
}
