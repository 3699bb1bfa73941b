/**
 * FPGA resources of a config by Yosys synthesis of the generated RTL (synth_xilinx for 7-series,
 * synth_ice40), hierarchy kept so that every block of af_pe is reported on its own. The
 * numbers come from Yosys's `stat` (written with `tee -q -o`), summed down the hierarchy.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { ToolError } from '../generator/errors.ts';
import { generate, TOP } from '../generator/index.ts';
import type { VModule } from '../generator/verilog.ts';
import { inRtlDir, runTool, toolVersion } from './tools.ts';

export const FPGA_FAMILIES = ['xilinx', 'ice40'] as const;
export type FpgaFamily = (typeof FPGA_FAMILIES)[number];

export interface FpgaResources {
  luts: number;
  ffs: number;
  dsps: number;
  /** Block RAM primitives (xilinx: RAMB18E1 + RAMB36E1; ice40: SB_RAM40_4K). */
  brams: number;
  ramb18: number;
  ramb36: number;
  /** Distributed (LUT) RAM primitives (xilinx RAM32M, RAM64M, RAMnnX1x). */
  lutram: number;
  /** Every primitive by type. */
  cells: Record<string, number>;
}

export interface FpgaReport {
  family: FpgaFamily;
  command: string;
  yosys: string;
  seconds: number;
  top: string;
  /** The whole design (all PEs and the array glue). */
  total: FpgaResources;
  /** One PE, by block: af_pe's submodules (grouped by module, all instances) and its own logic. */
  blocks: Record<string, FpgaResources & { instances: number }>;
  /** One whole PE. */
  pe: FpgaResources;
  /** The ANT unit (af_range with its af_boxram memories) beside one PE; undefined for ant = off. */
  ant?: { luts: number; ffs: number; brams: number; lutram: number; lutShare: number; ffShare: number };
  /** Primitive cells of each synthesized module (own cells, submodules excluded). */
  modules: Record<string, Record<string, number>>;
}

const SYNTH: Record<FpgaFamily, string> = {
  xilinx: `synth_xilinx -noiopad -top ${TOP}`,
  ice40: `synth_ice40 -noflatten -dsp -top ${TOP}`,
};

/** The module a (possibly parameterized) Yosys module name stands for. */
export function baseModule(name: string): string {
  return name.startsWith('$paramod') ? name.split('\\')[1] ?? name : name.replace(/^\\/, '');
}

/** Parse `stat` text into each module's cell counts (primitives and submodule instances). */
export function parseStat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  let cur: Record<string, number> | undefined;
  let inCells = false;
  for (const line of text.split('\n')) {
    const head = /^=== (.+) ===\s*$/.exec(line);
    if (head) {
      if (head[1] === 'design hierarchy') break;
      cur = out[head[1]] = {};
      inCells = false;
      continue;
    }
    if (!cur) continue;
    if (/^\s+Number of cells:/.test(line)) { inCells = true; continue; }
    const m = /^\s+(\S+)\s+(\d+)\s*$/.exec(line);
    if (inCells && m) cur[m[1]] = (cur[m[1]] ?? 0) + Number(m[2]);
    else if (inCells && line.trim() !== '') inCells = false;
  }
  return out;
}

function classify(family: FpgaFamily, cells: Record<string, number>): FpgaResources {
  const r: FpgaResources = { luts: 0, ffs: 0, dsps: 0, brams: 0, ramb18: 0, ramb36: 0, lutram: 0, cells };
  for (const [cell, n] of Object.entries(cells)) {
    if (family === 'xilinx') {
      if (/^LUT[1-6](_2)?$/.test(cell)) r.luts += n;
      else if (/^FD[RSCP]E(_1)?$/.test(cell) || /^LD[CP]E$/.test(cell)) r.ffs += n;
      else if (/^DSP48/.test(cell)) r.dsps += n;
      else if (/^RAMB18/.test(cell)) { r.ramb18 += n; r.brams += n; }
      else if (/^RAMB36/.test(cell)) { r.ramb36 += n; r.brams += n; }
      else if (/^RAM\d+[MX]/.test(cell)) r.lutram += n;
    } else {
      if (cell === 'SB_LUT4') r.luts += n;
      else if (/^SB_DFF/.test(cell)) r.ffs += n;
      else if (cell === 'SB_MAC16') r.dsps += n;
      else if (/^SB_RAM40_4K/.test(cell)) r.brams += n;
    }
  }
  return r;
}

/** Primitive counts of a module's whole subtree. */
function flatten(modules: Record<string, Record<string, number>>, name: string, memo = new Map<string, Record<string, number>>()): Record<string, number> {
  const hit = memo.get(name);
  if (hit) return hit;
  const sum: Record<string, number> = {};
  for (const [cell, n] of Object.entries(modules[name] ?? {})) {
    if (modules[cell]) {
      for (const [c, k] of Object.entries(flatten(modules, cell, memo))) sum[c] = (sum[c] ?? 0) + n * k;
    } else {
      sum[cell] = (sum[cell] ?? 0) + n;
    }
  }
  memo.set(name, sum);
  return sum;
}

/** Summaries of a parsed `stat`: the whole design and af_pe's blocks. */
export function summarize(family: FpgaFamily, modules: Record<string, Record<string, number>>): Pick<FpgaReport, 'total' | 'blocks' | 'pe' | 'ant'> {
  const top = Object.keys(modules).find((m) => baseModule(m) === TOP);
  const pe = Object.keys(modules).find((m) => baseModule(m) === 'af_pe');
  if (!top || !pe) throw new ToolError(`yosys stat has no ${!top ? TOP : 'af_pe'} module; modules: ${Object.keys(modules).join(', ')}`);
  const memo = new Map<string, Record<string, number>>();
  const blocks: FpgaReport['blocks'] = {};
  const own: Record<string, number> = {};
  for (const [cell, n] of Object.entries(modules[pe])) {
    if (!modules[cell]) { own[cell] = n; continue; }
    const name = baseModule(cell);
    const sub = flatten(modules, cell, memo);
    const acc = blocks[name]?.cells ?? {};
    for (const [c, k] of Object.entries(sub)) acc[c] = (acc[c] ?? 0) + n * k;
    blocks[name] = { ...classify(family, acc), instances: (blocks[name]?.instances ?? 0) + n };
  }
  blocks['af_pe (control)'] = { ...classify(family, own), instances: 1 };
  const onePe = classify(family, flatten(modules, pe, memo));
  const r = blocks.af_range;
  const ant = r && {
    luts: r.luts, ffs: r.ffs, brams: r.brams, lutram: r.lutram,
    lutShare: onePe.luts > 0 ? r.luts / onePe.luts : 0, ffShare: onePe.ffs > 0 ? r.ffs / onePe.ffs : 0,
  };
  return { total: classify(family, flatten(modules, top, memo)), blocks, pe: onePe, ...(ant ? { ant } : {}) };
}

/** Synthesize the config's RTL with Yosys and report its FPGA resources. */
export function synthFpga(cfg: HwConfig, family: FpgaFamily, opts: { modules?: VModule[]; timeoutSeconds?: number } = {}): FpgaReport {
  const yosys = toolVersion('yosys');
  const modules = opts.modules ?? generate(cfg);
  const script = `read_verilog -sv ${modules.map((m) => m.file).join(' ')}; ${SYNTH[family]}; tee -q -o stat.txt stat`;
  return inRtlDir('yosys', modules, (dir) => {
    const t0 = performance.now();
    runTool(`yosys ${SYNTH[family].split(' ')[0]}`, 'yosys', ['-q', '-l', 'yosys.log', '-p', script],
      { cwd: dir, timeoutSeconds: opts.timeoutSeconds ?? 1800, context: ` on config '${cfg.name}'`, log: 'yosys.log' });
    const seconds = (performance.now() - t0) / 1000;
    const statFile = path.join(dir, 'stat.txt');
    if (!fs.existsSync(statFile)) throw new ToolError(`yosys ${SYNTH[family].split(' ')[0]} failed on config '${cfg.name}': it wrote no stat report`);
    const parsed = parseStat(fs.readFileSync(statFile, 'utf8'));
    const own: Record<string, Record<string, number>> = {};
    for (const [m, cells] of Object.entries(parsed)) own[m] = Object.fromEntries(Object.entries(cells).filter(([c]) => !parsed[c]));
    return { family, command: `yosys -p "${script}"`, yosys, seconds, top: TOP, ...summarize(family, parsed), modules: own };
  });
}
