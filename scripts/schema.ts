/** `antforge schema`: the published JSON Schemas of the config and of workloads. */
import type { Command } from 'commander';
import { configSchema } from '../generator/config.ts';
import { WORKLOAD_SCHEMA } from '../golden/workload/workload.ts';
import { action, toJson } from './common.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the hardware config (or of workloads with --workload)')
    .option('--workload', 'print the workload schema instead')
    .option('--json', 'accepted for symmetry; the output is always JSON')
    .action(action(async (opts: { workload?: boolean }) => {
      process.stdout.write(toJson(opts.workload ? WORKLOAD_SCHEMA : configSchema()) + '\n');
    }));
}
