/** `antforge cosim`: RTL under Verilator (or Icarus Verilog) against the golden model, cycle for cycle. */
import type { Command } from 'commander';
import type { HwConfig } from '../generator/config.ts';
import { parseWorkload, type Workload } from '../golden/workload/workload.ts';
import { describeWorkload } from '../golden/workload/describe.ts';
import { cosim, type CosimReport } from '../testbench/cosim.ts';
import type { Counters } from '../generator/counters.ts';
import { OptionError } from '../generator/errors.ts';
import { action, configFrom, notAllowed, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export interface CosimCliOpts extends ConfigOpts { workload: string; vcd?: string; dump?: string; fullTrace?: boolean; maxCycles?: string; simulator?: string }

export const SIMULATORS = ['verilator', 'icarus'] as const;

export function reportText(cfg: HwConfig, w: Workload, r: CosimReport): string {
  const c = r.counters;
  const lines = [
    `cosim ${describeWorkload(w)} on ${cfg.name} (${cfg.pes} PE${cfg.pes > 1 ? 's' : ''}, F=${cfg.F} I=${cfg.I} banks=${cfg.banks}x${cfg.bankDepth} ant=${cfg.ant})`,
    `  array jobs ${r.jobs}; cycles rtl ${r.cycles.rtl} ${r.cycles.rtl === r.cycles.golden ? '==' : '!='} golden ${r.cycles.golden}`,
    `  counters: pairs ${c.pairs}, products ${c.products}, valid ${c.valid}, RCPs ${c.rcps}, conflict stalls ${c.stalls}` +
      (r.countersCheck.mismatched.length ? `; MISMATCHED: ${r.countersCheck.mismatched.map((name) => {
        const [pe, n] = name.split('.') as [string, keyof Counters];
        const p = Number(pe.slice(2));
        return `${name} rtl ${r.countersCheck.rtl[p]?.[n]} golden ${r.countersCheck.golden[p]?.[n]}`;
      }).join(', ')}` : ''),
    `  RCPs: ${r.rcp.issued} issued of ${r.rcp.baselineIssued} in the baseline, ${(100 * r.rcp.anticipatedFraction).toFixed(1)}% anticipated; pairs visited ${r.rcp.pairsVisited}, skipped ${r.rcp.pairsSkipped}`,
    `  trace: ${r.trace.events} transactions expected, ${r.trace.mismatches} mismatches`,
    `  outputs: ${r.outputs.compared} compared, ${r.outputs.mismatches} mismatches`,
  ];
  if (r.trace.first) {
    const f = r.trace.first;
    lines.push(`  first divergence: cycle ${f.cycle}, job ${f.job}, ${f.signal}: expected ${f.expected}, got ${f.actual}`);
  }
  if (r.outputs.first) lines.push(`  first output mismatch at [${r.outputs.first.index.join(',')}]: expected ${r.outputs.first.expected}, got ${r.outputs.first.actual}`);
  for (const warn of r.warnings) lines.push(`  warning: ${warn}`);
  lines.push(r.pass ? 'PASS' : 'FAIL');
  return lines.join('\n') + '\n';
}

export function registerCosim(program: Command): void {
  const cmd = program
    .command('cosim')
    .description('simulate the generated RTL in Verilator (or Icarus Verilog, --simulator icarus) on a workload and compare it with the golden model, cycle for cycle')
    .requiredOption('--workload <json|file>', 'workload: a JSON file or an inline JSON string (see `antforge schema --workload`)')
    .option('--vcd <file>', 'also write a waveform here, for debugging (af_array\'s ports; add --full-trace for every signal); a separate flat build with tracing')
    .option('--full-trace', 'with --vcd: every internal signal, not only the ports (large VCDs)')
    .option('--dump <dir>', 'write the operands and the RTL output as .npy plus workload.json')
    .option('--max-cycles <n>', 'stop the simulation after this many cycles (default 2 x golden + 1000)')
    .option('--simulator <verilator|icarus>', 'simulator for the RTL: verilator (default) or icarus (Icarus Verilog: same stimulus and compare, slower; for small cases)');
  withJson(withConfig(cmd)).action(action(async (opts: CosimCliOpts) => {
    const cfg = configFrom(opts);
    const w = parseWorkload(opts.workload);
    let maxCycles: number | undefined;
    if (opts.maxCycles !== undefined) {
      maxCycles = Number(opts.maxCycles);
      if (!Number.isInteger(maxCycles) || maxCycles < 1) throw notAllowed('--max-cycles', opts.maxCycles, 'a positive integer');
    }
    if (opts.fullTrace && !opts.vcd) throw new OptionError('--full-trace needs --vcd FILE: it chooses what the waveform holds, and the compare never reads one');
    const simulator = opts.simulator ?? 'verilator';
    if (!(SIMULATORS as readonly string[]).includes(simulator)) {
      throw notAllowed('--simulator', simulator, SIMULATORS.join(' | '));
    }
    const r = await cosim(cfg, w, { vcd: opts.vcd, dump: opts.dump, fullTrace: opts.fullTrace, maxCycles, simulator: simulator as (typeof SIMULATORS)[number] });
    if (opts.json) process.stdout.write(toJson({ ok: true, workload: w, config: cfg, ...r }) + '\n');
    else process.stdout.write(reportText(cfg, w, r));
    return r.pass ? 0 : 1;
  }));
}
