/** External tools: find them, run them, and say clearly how to get them when they are missing. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ToolError } from '../generator/errors.ts';
import type { VModule } from '../generator/verilog.ts';

const VERSION_ARGS: Record<string, string[]> = { verilator: ['--version'], iverilog: ['-V'], yosys: ['-V'], vvp: ['-V'] };
const PACKAGE: Record<string, string> = { verilator: 'verilator', iverilog: 'iverilog', vvp: 'iverilog', yosys: 'yosys', 'nextpnr-ice40': 'nextpnr-ice40' };
const cache = new Map<string, string>();

/** The tool's version line; throws ToolError naming the Debian package when it is missing. */
export function toolVersion(tool: string): string {
  const hit = cache.get(tool);
  if (hit) return hit;
  const r = spawnSync(tool, VERSION_ARGS[tool] ?? ['--version'], { encoding: 'utf8' });
  if (r.error || r.status === null) {
    throw new ToolError(`${tool} is not on PATH; run 'npm run setup' (installs Debian package '${PACKAGE[tool] ?? tool}') or install it yourself`);
  }
  const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim()) ?? tool;
  cache.set(tool, line.trim());
  return line.trim();
}

export function hasTool(tool: string): boolean {
  try {
    toolVersion(tool);
    return true;
  } catch {
    return false;
  }
}

/** Write `modules` into a fresh temporary folder, run `body` there, and remove the folder. */
export function inRtlDir<T>(prefix: string, modules: VModule[], body: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `antforge-${prefix}-`));
  try {
    for (const m of modules) fs.writeFileSync(path.join(dir, m.file), m.text);
    return body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run a synthesis or place-and-route tool in `cwd`. A timeout or a failure becomes one ToolError:
 * `<what> failed<context>: <the tool's first ERROR line>` (from its output and, if given, its log).
 */
export function runTool(what: string, cmd: string, args: string[], opts: { cwd: string; timeoutSeconds: number; context: string; log?: string; hint?: (err: string) => string; timeoutHint?: string }): string {
  const timeout = opts.timeoutSeconds * 1000;
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new ToolError(`${what} did not finish in ${timeout / 1000} s; ${opts.timeoutHint ?? 'try a smaller config (F, I, banks, bankDepth, aDepth, bDepth)'}`);
  }
  if (r.error || r.status !== 0) {
    let log = '';
    if (opts.log) try { log = fs.readFileSync(path.join(opts.cwd, opts.log), 'utf8'); } catch { /* no log */ }
    const lines = `${log}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n');
    const err = (lines.find((l) => /^ERROR/.test(l)) ?? [...lines].reverse().find((l) => /error/i.test(l)) ?? r.error?.message ?? `exit status ${r.status}`).trim();
    throw new ToolError(`${what} failed${opts.context}: ${err}${opts.hint?.(err) ?? ''}`);
  }
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
}
