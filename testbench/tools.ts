/** External tools: find them, and say clearly how to get them when they are missing. */
import { spawnSync } from 'node:child_process';
import { ToolError } from '../generator/errors.ts';

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
