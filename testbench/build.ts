/**
 * Verilator builds, cached by a hash of the RTL, the harness, the flags and the Verilator
 * version: rebuilding an unchanged design costs a hash. Two runs that build the same design at
 * once each build in a private folder and the first rename wins; the loser's copy is dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { HwConfig } from '../generator/config.ts';
import { ToolError } from '../generator/errors.ts';
import type { VModule } from '../generator/verilog.ts';
import { TOP } from '../generator/index.ts';
import { genHarness } from './harness.ts';
import { toolVersion } from './tools.ts';

export const CACHE_ROOT = path.resolve(process.env.ANTFORGE_CACHE ?? path.join(process.cwd(), '.antforge', 'build'));

export interface Build { dir: string; exe: string; hash: string; cached: boolean; seconds: number }

const flagsFor = (top: string) => ['--cc', '--exe', '--build', '-Wno-fatal', '--x-assign', 'fast', '--x-initial', 'fast', '-O3',
  '-CFLAGS', '-O1', '-LDFLAGS', '-pthread', '--top-module', top];

/** Verilator config for the ports-only trace: af_array's scope (the top) holds every internal net; the TOP scope holds its ports, all the compare reads. */
const TRACE_PORTS_VLT = '`verilator_config\ntracing_off -scope "af_array"\n';

export interface BuildOptions {
  jobs?: number;
  /**
   * 'none' (default): no VCD support, what the compare needs (it reads transaction records);
   * 'ports': a VCD of af_array's ports; 'full': every signal. VCDs are for debugging.
   */
  trace?: 'none' | 'ports' | 'full';
  /** Cache folder for this build; default CACHE_ROOT (ANTFORGE_CACHE or ./.antforge/build). */
  cacheRoot?: string;
  /** Another top and its harness (default: af_array and testbench/harness.ts; the AXI wrapper uses its own). */
  top?: { module: string; harness: string; harnessFile: string };
}

export function buildSim(cfg: HwConfig, modules: VModule[], opts: BuildOptions = {}): Build {
  const verilator = toolVersion('verilator');
  const trace = opts.trace ?? 'none';
  const FLAGS = flagsFor(opts.top?.module ?? TOP);
  const flags = trace === 'full' ? [...FLAGS, '--trace'] : trace === 'ports' ? [...FLAGS, '--trace', 'trace_ports.vlt'] : [...FLAGS];
  // Hierarchical: af_pe (marked hier_block) is verilated and compiled once, not once per PE:
  // a 64-PE build takes about a minute instead of six. Traced builds stay flat (Verilator
  // 5.006's tracing across hierarchical blocks crashes), so a waveform costs a longer build.
  if (cfg.pes > 1 && trace === 'none') flags.push('--hierarchical');
  const harness = opts.top?.harness ?? genHarness(cfg);
  const harnessFile = opts.top?.harnessFile ?? 'harness.cpp';
  const h = crypto.createHash('sha256');
  h.update(verilator);
  h.update(flags.join(' '));
  if (trace === 'ports') h.update(TRACE_PORTS_VLT);
  for (const m of modules) h.update(`${m.file}\0${m.text}\0`);
  h.update(harness);
  const hash = h.digest('hex').slice(0, 20);
  const root = opts.cacheRoot ?? CACHE_ROOT;
  const dir = path.join(root, hash);
  const exe = path.join(dir, 'obj', 'sim');
  if (fs.existsSync(exe)) return { dir, exe, hash, cached: true, seconds: 0 };

  const started = Date.now();
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, `.${hash}-`));
  try {
    const files = modules.map((m) => {
      fs.writeFileSync(path.join(tmp, m.file), m.text);
      return m.file;
    });
    fs.writeFileSync(path.join(tmp, harnessFile), harness);
    fs.writeFileSync(path.join(tmp, 'trace_ports.vlt'), TRACE_PORTS_VLT);
    const jobs = String(opts.jobs ?? 2);
    const hier = flags.includes('--hierarchical');
    // Hierarchical: Verilator 5.006's generated makefile names a block's wrapper and makefile as
    // two targets of one rule, so `make -j2` can verilate the block twice at once into the same
    // files (a rare, corrupt af_pe.cpp). Verilate everything first, then compile in parallel.
    const args = hier
      ? [...flags.filter((f) => f !== '--build'), '--Mdir', 'obj', '-o', 'sim', ...files, harnessFile]
      : [...flags, '-j', jobs, '--Mdir', 'obj', '-o', 'sim', ...files, harnessFile];
    const fail = (what: string, r: ReturnType<typeof spawnSync>) => {
      const out = `${r.stdout}\n${r.stderr}`;
      const log = out.split('\n').filter((l) => /error|%Error/i.test(l)).slice(0, 10).join('\n');
      return new ToolError(`${what} failed (exit ${r.status}):\n${log || String(r.stderr).slice(-2000)}`);
    };
    const r = spawnSync('verilator', args, { cwd: tmp, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw new ToolError(`cannot run verilator: ${r.error.message}; install it with 'npm run setup' (Debian package verilator)`);
    if (r.status !== 0) throw fail('verilator build', r);
    if (hier) {
      const m = spawnSync('make', ['-j', jobs, '-C', 'obj', '-f', `V${opts.top?.module ?? TOP}_hier.mk`, 'hier_build'], { cwd: tmp, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (m.error) throw new ToolError(`cannot run make: ${m.error.message}; install it with 'apt-get install make'`);
      if (m.status !== 0) throw fail('verilator build (make)', m);
    }
    // Keep only what running needs: the binary (the C++ objects are large).
    const keep = fs.mkdtempSync(path.join(root, `.${hash}-keep-`));
    fs.mkdirSync(path.join(keep, 'obj'));
    fs.renameSync(path.join(tmp, 'obj', 'sim'), path.join(keep, 'obj', 'sim'));
    for (const m of files) fs.copyFileSync(path.join(tmp, m), path.join(keep, m));
    fs.copyFileSync(path.join(tmp, harnessFile), path.join(keep, harnessFile));
    try {
      fs.renameSync(keep, dir);
    } catch {
      fs.rmSync(keep, { recursive: true, force: true }); // another run finished the same build first
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, exe, hash, cached: false, seconds: (Date.now() - started) / 1000 };
}
