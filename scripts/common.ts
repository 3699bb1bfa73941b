/** What every command shares: config options, JSON output, and the mapping of typed errors to exit codes. */
import { Command, Option } from 'commander';
import { AntforgeError, OptionError } from '../generator/errors.ts';
import { loadConfig, type HwConfig } from '../generator/config.ts';
import { toJson } from '../golden/util/json.ts';

export interface ConfigOpts { config?: string; set?: string[]; json?: boolean }

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Add --config FILE and repeatable --set key=value. */
export function withConfig(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'hardware config JSON (keys: see `antforge schema`)')
    .option('--set <key=value>', 'override one config key (repeatable)', collect, []);
}

export function withJson(cmd: Command): Command {
  return cmd.addOption(new Option('--json', 'machine-readable JSON on stdout'));
}

export function configFrom(o: ConfigOpts): HwConfig {
  return loadConfig(o.config, o.set ?? []);
}

/** "OPT 'V' is not allowed; allowed: ...": the one shape of every option error. */
export const notAllowed = (opt: string, v: string, allowed: string, area?: string) => new OptionError(`${opt} '${v}' is not allowed; allowed: ${allowed}`, area);

/** A number option within lo..hi (an integer when `int`). */
export function numOption(opt: string, v: string, lo: number, hi: number, int = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi || (int && !Number.isInteger(n))) throw notAllowed(opt, v, `${int ? 'an integer' : 'a number'} ${lo}..${hi}`);
  return n;
}

export const intOption = (opt: string, v: string, lo: number, hi: number) => numOption(opt, v, lo, hi, true);

export { toJson } from '../golden/util/json.ts';

/** Run a command body; typed errors become one message and their exit status (2 bad input). */
export function action<T extends { json?: boolean }>(body: (...args: any[]) => Promise<number | void> | number | void) {
  return async (...args: any[]) => {
    const opts = (args.find((a) => a && typeof a === 'object' && !(a instanceof Command)) ?? {}) as T;
    try {
      const code = await body(...args);
      process.exitCode = typeof code === 'number' ? code : 0;
    } catch (e) {
      if (e instanceof AntforgeError) {
        if (opts.json) process.stdout.write(toJson({ ok: false, error: { area: e.area, message: e.message } }) + '\n');
        process.stderr.write(`antforge: ${e.message}\n`);
        process.exitCode = e.exitCode;
      } else {
        process.stderr.write(`antforge: internal error: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
      }
    }
  };
}
