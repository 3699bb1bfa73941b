/** What every command shares: config options, JSON output, and the mapping of typed errors to exit codes. */
import { Command, Option } from 'commander';
import { AntforgeError } from '../generator/errors.ts';
import { loadConfig, type HwConfig } from '../generator/config.ts';

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

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2);
}

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
