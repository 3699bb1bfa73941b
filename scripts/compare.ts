/** `antforge compare`: one workload under every ANT mode, side by side (golden model). */
import type { Command } from 'commander';
import { compareModes } from '../golden/studies/ant-modes.ts';
import { TIME_PARTS } from '../golden/model/schedule.ts';
import { parseWorkload } from '../golden/workload/workload.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';
import { describeWorkload } from '../golden/workload/describe.ts';

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('run the golden cycle model for each ant mode on one workload and print cycles, speedup, RCPs anticipated, multiplier utilization and energy (45 nm cost table) side by side')
    .requiredOption('--workload <json|file>', 'workload: a JSON file or an inline JSON string');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts & { workload: string }) => {
    const cfg = configFrom(opts);
    const w = parseWorkload(opts.workload);
    const { rows, warnings } = compareModes(cfg, w);
    if (opts.json) {
      process.stdout.write(toJson({ ok: true, workload: w, config: cfg, modes: rows, warnings }) + '\n');
      return;
    }
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const out = [
      `compare ${describeWorkload(w)} on ${cfg.name} (F=${cfg.F} I=${cfg.I}, lookahead ${cfg.antLookahead}, gating ${cfg.gating})`,
      `  ${'ant'.padEnd(7)}${'cycles'.padStart(10)}${'speedup'.padStart(9)}${'pairs'.padStart(9)}${'visited'.padStart(9)}${'RCPs issued'.padStart(13)}${'anticipated'.padStart(13)}${'mult. util.'.padStart(13)}${'energy nJ'.padStart(12)}`,
      ...rows.map((r) => `  ${r.ant.padEnd(7)}${String(r.cycles).padStart(10)}${(r.speedup.toFixed(2) + 'x').padStart(9)}${String(r.counters.pairs).padStart(9)}` +
        `${String(r.counters.visited).padStart(9)}${String(r.rcp.issued).padStart(13)}${pct(r.rcp.anticipatedFraction).padStart(13)}${pct(r.multiplierUtilization).padStart(13)}${(r.energyPj / 1000).toFixed(1).padStart(12)}`),
      `  where the time goes (share of cycles x PEs): ${rows.map((r) => `${r.ant}: ${TIME_PARTS.filter((k) => r.time[k] >= 0.005).map((k) => `${k} ${pct(r.time[k])}`).join(', ')}`).join('; ')}`,
      `  physical limit (valid products / (pes x F x I)): ${rows[0].limitCycles} cycles; ${rows.map((r) => `${r.ant} at ${(r.cycles / Math.max(1, r.limitCycles)).toFixed(1)}x it`).join(', ')}`,
      ...warnings.map((x) => `  warning: ${x}`),
    ];
    process.stdout.write(out.join('\n') + '\n');
  }));
}
