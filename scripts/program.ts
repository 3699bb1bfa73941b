/** The `antforge` program: one sub-command per flow, `--help` on each, `--json` for machines. */
import { Command, CommanderError } from 'commander';
import { registerGenerate } from './generate.ts';
import { registerCosim } from './cosim.ts';
import { registerSchema } from './schema.ts';
import { registerDemo } from './demo.ts';
import { registerBench } from './bench.ts';
import { registerCompare } from './compare.ts';
import { registerModel } from './model.ts';
import { registerReport } from './report.ts';
import { registerMutate } from './mutate.ts';
import { registerFuzz } from './fuzz.ts';
import { registerTrace } from './trace.ts';
import { registerPrune } from './prune.ts';
import { registerGemmReport } from './gemm-report.ts';
import { registerSize } from './size.ts';
import { registerSweep } from './sweep.ts';
import { registerProve } from './prove.ts';

export function createProgram(): Command {
  const program = new Command();
  program
    .name('antforge')
    .description('Generate, cosimulate and size SCNN-like sparse outer-product PEs with ANT anticipation of redundant Cartesian products.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [registerGenerate, registerCosim, registerCompare, registerModel, registerReport, registerMutate, registerFuzz,
    registerTrace, registerPrune, registerGemmReport, registerSize, registerSweep, registerSchema, registerDemo, registerBench, registerProve]) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/**
 * Run one command line (the arguments after `antforge`) and return its exit status: what the
 * command set, 2 for a usage error commander caught, 0 for help and version.
 */
export async function runArgs(args: string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await createProgram().parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
  }
  return Number(process.exitCode ?? 0);
}
