/** `antforge trace`: read a cosim VCD back into transactions (pair issues, accumulator writes, drains) for debugging. */
import type { Command } from 'commander';
import { readTrace } from '../testbench/trace.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export function registerTrace(program: Command): void {
  const cmd = program
    .command('trace')
    .description('turn a waveform written by `cosim --vcd` (same config) into transactions: pair issues and accumulator writes per PE, drained rows, final counters')
    .requiredOption('--vcd <file>', 'the VCD')
    .option('--scope <name>', 'scope of the array\'s ports: TOP (Verilator) or af_tb.dut (Icarus)', 'TOP')
    .option('--limit <n>', 'print at most this many transactions (text output)', '200');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts & { vcd: string; scope: string; limit: string }) => {
    const cfg = configFrom(opts);
    const t = await readTrace(cfg, opts.vcd, opts.scope);
    if (opts.json) {
      process.stdout.write(toJson({ ok: true, cycles: t.cycles, counters: t.perPe, transactions: t.txns, xSeen: t.xSeen }) + '\n');
      return;
    }
    const limit = Number(opts.limit) || 200;
    const lines = t.txns.slice(0, limit).map((x) => x.kind === 'issue' ? `${x.cycle}\tPE ${x.pe}\tissue b=${x.b} a=${x.a}`
      : x.kind === 'acc' ? `${x.cycle}\tPE ${x.pe}\tacc bank ${x.bank} row ${x.row} sum ${x.sum}`
      : `${x.cycle}\t${x.pe < 0 ? 'reduced' : `PE ${x.pe}`}\tdrain row ${x.row} [${x.data.join(', ')}]`);
    process.stdout.write(`${t.txns.length} transactions over ${t.cycles} cycles${t.txns.length > limit ? ` (first ${limit})` : ''}\n${lines.join('\n')}\n`);
  }));
}
