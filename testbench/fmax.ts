/**
 * Clock frequency on a real FPGA: place and route of the generated RTL on an iCE40 with
 * nextpnr-ice40, the open flow that Debian packages. The top has hundreds of data pins, more
 * than any package, so it is wrapped in a shell of three pins (the usual way to measure the
 * core's Fmax): a shift register drives every input and the registered outputs are folded
 * into one XOR bit, which keeps all logic observable so nothing is optimized away.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from '../generator/config.ts';
import { ToolError } from '../generator/errors.ts';
import { generate, TOP } from '../generator/index.ts';
import type { VModule } from '../generator/verilog.ts';
import { type Port, bits, portsOf } from '../generator/ports.ts';
import { arrayPorts } from '../generator/array.ts';
import { inRtlDir, runTool, toolVersion } from './tools.ts';

export const ICE40_DEVICES = ['hx8k', 'up5k'] as const;
export type Ice40Device = (typeof ICE40_DEVICES)[number];
const PACKAGE: Record<Ice40Device, string> = { hx8k: 'ct256', up5k: 'sg48' };

export interface FmaxReport {
  family: 'ice40';
  device: Ice40Device;
  nextpnr: string;
  command: string;
  seconds: number;
  /** Achieved clock frequency of the core's clock (MHz) after routing. */
  fmaxMhz: number;
  targetMhz: number;
  seed: number;
  /** Device resources used by the core and its 3-pin shell, by nextpnr cell type. */
  utilization: Record<string, { used: number; available: number }>;
  /** Flip-flops of the shell (shift register, output register) included in the utilization. */
  shellFlipFlops: number;
  /** The slowest clock-to-clock path: its delay and the design signals it passes, in order. */
  criticalPath: { delayNs: number; signals: string[] };
}

interface PathStep { type: string; from?: { cell?: string }; to?: { cell?: string }; delay: number }

/** 'dut.g_pe[0].u_pe.u_seq.j_stop_SB_LUT4_O_I2...' -> 'g_pe[0].u_pe.u_seq.j_stop'; cells nextpnr made itself -> undefined. */
export function designSignal(cell: string | undefined): string | undefined {
  if (!cell || cell.startsWith('$')) return undefined;
  const cut = cell.search(/_SB_|\$|_DFF|_LC$/);
  const name = (cut > 0 ? cell.slice(0, cut) : cell).replace(/^dut\./, '');
  return name || undefined;
}

/** The critical path of a nextpnr report, as its delay and the distinct signals along it. */
export function criticalPathOf(paths: { from: string; to: string; path: PathStep[] }[]): { delayNs: number; signals: string[] } {
  const clocked = paths.find((p) => p.from.startsWith('posedge') && p.to.startsWith('posedge')) ?? paths[0];
  if (!clocked) return { delayNs: 0, signals: [] };
  const signals: string[] = [];
  for (const st of clocked.path) {
    for (const c of [st.from?.cell, st.to?.cell]) {
      const name = designSignal(c);
      if (name && signals[signals.length - 1] !== name && !signals.includes(name)) signals.push(name);
    }
  }
  return { delayNs: clocked.path.reduce((s, st) => s + st.delay, 0), signals };
}

/** The 3-pin shell (clk, rst, sin in; sout out) around the top, from the top's port list. */
export function fmaxShell(ports: Port[]): { module: VModule; flipFlops: number } {
  const ins = ports.filter((p) => p.dir === 'input' && p.name !== 'clk' && p.name !== 'rst');
  const outs = ports.filter((p) => p.dir === 'output');
  const inW = ins.reduce((s, p) => s + bits(p), 0), outW = outs.reduce((s, p) => s + bits(p), 0);
  let at = 0;
  const conns = ports.map((p) => {
    if (p.name === 'clk' || p.name === 'rst') return `    .${p.name}(${p.name})`;
    if (p.dir === 'output') return `    .${p.name}(o_${p.name})`;
    const lo = at;
    at += bits(p);
    return `    .${p.name}(sh[${lo + bits(p) - 1}:${lo}])`;
  });
  const text = `// af_fmax_shell.v - 3-pin wrapper of ${TOP} for place and route (not part of the design)
\`default_nettype none
module af_fmax_shell (
  input  wire clk,
  input  wire rst,
  input  wire sin,
  output reg  sout
);
  reg [${inW - 1}:0] sh;
  reg [${outW - 1}:0] oq;
${outs.map((p) => `  wire ${bits(p) > 1 ? `[${bits(p) - 1}:0] ` : ''}o_${p.name};`).join('\n')}
  always @(posedge clk) begin
    sh <= {sh[${inW - 2}:0], sin};
    oq <= {${outs.map((p) => `o_${p.name}`).join(', ')}};
    sout <= ^oq;
  end
  ${TOP} dut (
${conns.join(',\n')}
  );
endmodule
\`default_nettype wire
`;
  return { module: { name: 'af_fmax_shell', file: 'af_fmax_shell.v', text }, flipFlops: inW + outW + 1 };
}

/** Synthesize (Yosys synth_ice40, flattened) and place and route (nextpnr-ice40) the config. */
export function fmaxIce40(cfg: HwConfig, opts: { device?: Ice40Device; seed?: number; targetMhz?: number; timeoutSeconds?: number } = {}): FmaxReport {
  const device = opts.device ?? 'hx8k', seed = opts.seed ?? 1, targetMhz = opts.targetMhz ?? 12;
  toolVersion('yosys');
  const nextpnr = toolVersion('nextpnr-ice40');
  const modules = generate(cfg);
  const shell = fmaxShell(portsOf(arrayPorts(cfg)));
  const all = [...modules, shell.module];
  const context = ` on config '${cfg.name}' (${device})`;
  const timeoutSeconds = opts.timeoutSeconds ?? 1800;
  const pnrArgs = [`--${device}`, '--package', PACKAGE[device], '--json', 'core.json', '--pcf-allow-unconstrained',
    '--freq', String(targetMhz), '--timing-allow-fail', '--seed', String(seed), '--report', 'report.json', '-q'];
  const synth = `synth_ice40${device === 'up5k' ? ' -dsp' : ''} -top af_fmax_shell -json core.json`;
  return inRtlDir('pnr', all, (dir) => {
    const t0 = performance.now();
    runTool('yosys synth_ice40', 'yosys', ['-q', '-p', `read_verilog -sv ${all.map((m) => m.file).join(' ')}; ${synth}`], { cwd: dir, timeoutSeconds, context });
    runTool('nextpnr-ice40', 'nextpnr-ice40', pnrArgs, {
      cwd: dir, timeoutSeconds, context,
      hint: (err) => (/no BELs remaining/.test(err) ? ' - the design does not fit the device; try a smaller config (F, I, dataWidth, accWidth, banks, bankDepth) or --fmax up5k for its DSPs' : ''),
    });
    const seconds = (performance.now() - t0) / 1000;
    const rep = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as {
      fmax?: Record<string, { achieved: number; constraint: number }>; utilization?: Record<string, { used: number; available: number }>;
      critical_paths?: { from: string; to: string; path: PathStep[] }[];
    };
    const clocks = Object.entries(rep.fmax ?? {});
    if (!clocks.length) throw new ToolError(`nextpnr-ice40 reported no clock for config '${cfg.name}'; report keys: ${Object.keys(rep).join(', ')}`);
    // The core has one clock; if nextpnr splits it into several nets, the slowest governs.
    const fmaxMhz = Math.min(...clocks.map(([, c]) => c.achieved));
    return {
      family: 'ice40' as const, device, nextpnr, seconds, fmaxMhz, targetMhz, seed,
      command: `yosys -p "read_verilog -sv <RTL> af_fmax_shell.v; ${synth}" && nextpnr-ice40 ${pnrArgs.join(' ')}`,
      utilization: rep.utilization ?? {}, shellFlipFlops: shell.flipFlops, criticalPath: criticalPathOf(rep.critical_paths ?? []),
    };
  });
}
