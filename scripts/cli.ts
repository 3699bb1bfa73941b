/** Entry of `npx antforge` (scripts/antforge.mjs loads it): run the command line, exit with its status. */
import { runArgs } from './program.ts';

process.exitCode = await runArgs(process.argv.slice(2));
