/** `antforge generate`: write the RTL of a config, one module a file, and its FuseSoC core. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl, TOP } from '../generator/index.ts';
import { genCore } from '../generator/fusesoc.ts';
import { genAxi } from '../generator/axi.ts';
import { action, configFrom, notAllowed, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

/** --wrapper values: none (af_array is the top) or axi (af_axi around it, generator/axi.ts). */
export const WRAPPERS = ['none', 'axi'] as const;

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('generate the Verilog of a PE config into --out (default rtl-out/<name>/), with a FuseSoC .core file')
    .option('--out <dir>', 'output folder')
    .option('--wrapper <kind>', `top-level wrapper: ${WRAPPERS.join(' | ')} (axi: af_axi, AXI4-Lite control and AXI4-Stream data)`, 'none');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts & { out?: string; wrapper: string }) => {
    if (!(WRAPPERS as readonly string[]).includes(opts.wrapper)) throw notAllowed('--wrapper', opts.wrapper, WRAPPERS.join(', '));
    const cfg = configFrom(opts);
    const out = opts.out ?? path.join('rtl-out', cfg.name);
    const axi = opts.wrapper === 'axi';
    const modules = axi ? [genAxi(cfg), ...generate(cfg)] : generate(cfg);
    const top = axi ? 'af_axi' : TOP;
    const core = genCore(cfg, modules, top);
    const files = [...writeRtl(modules, out, [core]), path.join(out, core.file)];
    if (opts.json) process.stdout.write(toJson({ ok: true, top, out, files, core: { file: files[files.length - 1], vlnv: core.vlnv }, config: cfg }) + '\n');
    else process.stdout.write(`generated ${modules.length} modules (top ${top}) and FuseSoC core ${core.vlnv} in ${out}/\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  }));
}
