/**
 * `antforge size`: ASIC area per component (with the ANT unit's share beside the ANT paper's
 * 0.0017 mm^2), the energy of every action of the config after width and node scaling, the
 * cost table's entries with their sources, and (with --fpga) FPGA resources from Yosys.
 *
 * JSON (--json): { ok, config, tech: {name, file, node, tableNode, vdd, energyFactor,
 * areaFactor, nodeRule, nodeSource}, area: {unit, node, total, perPe, totalMm2, components:
 * {multipliers, crossbar, accumulators, operandBuffers, coordinate, rangeUnit, control: {um2,
 * detail}}, ant: {um2, share, storage, logic, paperMm2, paperSource, ratioToPaper}},
 * energyPerAction: [{component, action, kind, perAction, derivation}], table: {energy, area:
 * {key: {value, unit, source, scaled, ...}}}, scaling: {width, sramSize, sramFit}, fpga?:
 * {family, yosys, seconds, total, pe, blocks, ant?: {luts, ffs, brams, lutram,
 * lutShare, ffShare}, modules, command}, fmax?: {family, device, nextpnr, command, seconds, fmaxMhz,
 * targetMhz, seed, utilization, shellFlipFlops, criticalPath: {delayNs, signals}} }.
 */
import { Command, Option } from 'commander';
import { FPGA_FAMILIES, type FpgaFamily } from '../testbench/yosys.ts';
import { ICE40_DEVICES, type Ice40Device } from '../testbench/fmax.ts';
import { sizeReport } from '../testbench/size.ts';
import { action, configFrom, notAllowed, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export interface SizeOpts extends ConfigOpts { tech?: string; node?: string; fpga?: FpgaFamily; fmax?: Ice40Device }

function parseNode(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw notAllowed('--node', s, 'a technology node in nm, e.g. 45, 28, 16, 7');
  return n;
}

const num = (v: number, d = 2) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(d));

export function registerSize(program: Command): void {
  const cmd = program
    .command('size')
    .description('ASIC area per component (ANT unit share vs the ANT paper), energy per action from a cited cost table (Horowitz 45 nm by default), and FPGA resources by Yosys')
    .option('--tech <file>', 'cost table JSON (default: golden/cost/tech-45nm.json; schema: TECH_SCHEMA in golden/cost/cost.ts)')
    .option('--node <nm>', 'scale the table to this technology node (nm), e.g. 28, 16, 7')
    .addOption(new Option('--fpga <family>', 'also synthesize with Yosys (hierarchy kept) and report FPGA resources per block; the default config takes about 75 s for xilinx and 6 min for ice40 on 2 shared cores, so prefer small configs for ice40').choices([...FPGA_FAMILIES]))
    .addOption(new Option('--fmax <device>', 'place and route on an iCE40 with nextpnr-ice40 (the core in a 3-pin shell) and report the clock it reaches, the resources and the critical path; only small configs fit (hx8k has no DSPs: 16-bit multipliers go to LUTs)').choices([...ICE40_DEVICES]));
  withJson(withConfig(cmd)).action(action(async (opts: SizeOpts) => {
    const cfg = configFrom(opts);
    const r = sizeReport(cfg, { tech: opts.tech, node: parseNode(opts.node), fpga: opts.fpga, fmax: opts.fmax });
    if (opts.json) {
      process.stdout.write(toJson(r) + '\n');
      return;
    }
    const a = r.area;
    const out: string[] = [
      `size of ${cfg.name} (F=${cfg.F} I=${cfg.I}, ${cfg.banks}x${cfg.bankDepth} accumulators, ${cfg.dataWidth}b/${cfg.accWidth}b, ant ${cfg.ant}, pes ${cfg.pes}) ` +
        `at ${r.tech.node} nm (table ${r.tech.name} at ${r.tech.tableNode} nm; node factors: energy x${r.tech.energyFactor.toFixed(3)}, area x${r.tech.areaFactor.toFixed(3)})`,
      '',
      `area: ${a.totalMm2.toFixed(4)} mm^2 (${num(a.total)} um^2${cfg.pes > 1 ? `, ${num(a.perPe)} um^2 per PE` : ''})`,
      ...Object.entries(a.components).map(([k, p]) =>
        `  ${k.padEnd(15)}${num(p.um2).padStart(12)} um^2 ${(100 * p.um2 / a.total).toFixed(1).padStart(5)}%  ${p.detail}`),
      cfg.ant === 'off' ? `  ANT unit: none (ant = off); the ANT paper adds ${a.ant.paperMm2} mm^2 (set ant=filter or ant=window to size ours)` :
      `  ANT unit: ${(a.ant.um2 / 1e6).toFixed(4)} mm^2 = ${(100 * a.ant.share).toFixed(1)}% of the area (box storage ${(a.ant.storage / 1e6).toFixed(4)} mm^2, ` +
        `range logic ${(a.ant.logic / 1e6).toFixed(4)} mm^2); the ANT paper: ${a.ant.paperMm2} mm^2 (${a.ant.ratioToPaper.toFixed(1)}x that)`,
      `    (${a.ant.paperSource})`,
      '',
      'energy per action (pJ):',
      ...r.energyPerAction.map((e) => `  ${e.component.padEnd(15)}${e.action.padEnd(34)}${e.kind.padEnd(9)}${e.perAction.toFixed(4).padStart(10)}  ${e.derivation}`),
      '',
      `cost table entries at ${r.tech.node} nm (value as cited -> scaled):`,
      ...(['energy', 'area'] as const).flatMap((kind) => Object.entries(r.table[kind]).map(([k, e]) =>
        `  ${kind.padEnd(7)}${k.padEnd(26)}${String(e.value).padStart(9)} -> ${num(e.scaled, 4).padStart(10)} ${e.unit.padEnd(5)} ${e.source}`)),
      '',
      `SRAM read fit: ${r.scaling.sramFit.a.toFixed(4)} pJ x bytes^${r.scaling.sramFit.b.toFixed(4)} per 64-bit read (${r.scaling.sramSize.source})`,
    ];
    if (r.fpga) {
      const f = r.fpga;
      const row = (name: string, x: { luts: number; ffs: number; dsps: number; brams: number; lutram: number }, inst = '') =>
        `  ${name.padEnd(20)}${inst.padStart(5)}${String(x.luts).padStart(9)}${String(x.ffs).padStart(9)}${String(x.dsps).padStart(7)}${String(x.brams).padStart(7)}${String(x.lutram).padStart(8)}`;
      out.push('', `FPGA (${f.family}, ${f.yosys}, ${f.seconds.toFixed(1)} s):`,
        `  ${'block (one PE)'.padEnd(20)}${'inst'.padStart(5)}${'LUTs'.padStart(9)}${'FFs'.padStart(9)}${'DSPs'.padStart(7)}${'BRAMs'.padStart(7)}${'LUTRAM'.padStart(8)}`,
        ...Object.entries(f.blocks).map(([k, b]) => row(k, b, String(b.instances))),
        row('one PE', f.pe), row('total (design)', f.total));
      if (f.ant) {
        out.push(`  ANT unit (af_range with its af_boxram memories): ${f.ant.luts} LUTs (${(100 * f.ant.lutShare).toFixed(1)}% of the PE's ${f.pe.luts}), ` +
          `${f.ant.ffs} flip-flops (${(100 * f.ant.ffShare).toFixed(1)}% of ${f.pe.ffs}), ${f.ant.lutram} LUTRAM, ${f.ant.brams} block RAMs`);
      }
      if (f.family === 'xilinx') out.push(`  BRAMs: ${f.total.ramb18} RAMB18E1 + ${f.total.ramb36} RAMB36E1; LUTRAM: RAM32M/RAM64M primitives`);
    }
    if (r.fmax) {
      const f = r.fmax;
      const used = Object.entries(f.utilization).filter(([, u]) => u.used > 0).map(([k, u]) => `${k} ${u.used}/${u.available}`).join(', ');
      out.push('', `FPGA clock (${f.nextpnr}, iCE40 ${f.device}, seed ${f.seed}, ${f.seconds.toFixed(1)} s): ${f.fmaxMhz.toFixed(1)} MHz`,
        `  used (core + ${f.shellFlipFlops}-flip-flop shell): ${used}`,
        `  critical path ${f.criticalPath.delayNs.toFixed(2)} ns through: ${f.criticalPath.signals.join(' -> ')}`);
    }
    process.stdout.write(out.join('\n') + '\n');
  }));
}
