/**
 * The one way tests run the `antforge` command line. By default in this process, through the
 * same program scripts/cli.ts runs (fast: no tsx start-up, and vitest sees the code); with
 * `subprocess: true` through the real entry point scripts/antforge.mjs, for what only a real
 * process shows (its exit status, its environment, its own argv). `spawnCli` starts one
 * without waiting, for tests that interrupt it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runArgs } from '../scripts/program.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'scripts/antforge.mjs');

export interface CliResult {
  status: number; stdout: string; stderr: string;
  /** Child process only: why it could not run or finish, and the signal that ended it. */
  error?: Error; signal?: NodeJS.Signals | null;
}
export interface CliOptions {
  /** Run scripts/antforge.mjs in a child process instead of in this one. */
  subprocess?: boolean;
  /** Extra environment variables (in-process: set for the run, then restored). */
  env?: Record<string, string>;
  /** Child process only: a time limit in ms. */
  timeout?: number;
}

/** Run `antforge ARGS`; the exit status, stdout and stderr. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  if (opts.subprocess) {
    const r = spawnSync(process.execPath, [ENTRY, ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: opts.timeout, maxBuffer: 64 << 20, env: { ...process.env, ...opts.env },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, error: r.error, signal: r.signal };
  }
  const out: string[] = [], err: string[] = [];
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  const savedEnv = Object.fromEntries(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
  const savedCode = process.exitCode;
  process.stdout.write = ((s: string | Uint8Array) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
  Object.assign(process.env, opts.env);
  try {
    const status = await runArgs(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
    for (const [k, v] of Object.entries(savedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    process.exitCode = savedCode;
  }
}

/** Start `antforge ARGS` as a child process and return it (output ignored). */
export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, stdio: 'ignore' });
}
