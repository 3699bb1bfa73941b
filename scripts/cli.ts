/** The `antforge` command line: one sub-command per flow, `--help` on each, `--json` for machines. */
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

const program = new Command();
program
  .name('antforge')
  .description('Generate, cosimulate and size SCNN-like sparse outer-product PEs with ANT anticipation of redundant Cartesian products.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerGenerate(program);
registerCosim(program);
registerCompare(program);
registerModel(program);
registerReport(program);
registerMutate(program);
registerFuzz(program);
registerTrace(program);
registerPrune(program);
registerGemmReport(program);
registerSize(program);
registerSweep(program);
registerSchema(program);
registerDemo(program);
registerBench(program);
for (const cmd of program.commands) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version are successes; any other usage error is bad input.
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
  } else {
    throw e;
  }
}
