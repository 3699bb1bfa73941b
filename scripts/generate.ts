/** `antforge generate`: write the RTL of a config, one module a file, and its FuseSoC core. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl, TOP } from '../generator/index.ts';
import { genCore } from '../generator/fusesoc.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('generate the Verilog of a PE config into --out (default rtl-out/<name>/), with a FuseSoC .core file')
    .option('--out <dir>', 'output folder');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts & { out?: string }) => {
    const cfg = configFrom(opts);
    const out = opts.out ?? path.join('rtl-out', cfg.name);
    const modules = generate(cfg);
    const core = genCore(cfg, modules);
    const files = [...writeRtl(modules, out, [core]), path.join(out, core.file)];
    if (opts.json) process.stdout.write(toJson({ ok: true, top: TOP, out, files, core: { file: files[files.length - 1], vlnv: core.vlnv }, config: cfg }) + '\n');
    else process.stdout.write(`generated ${modules.length} modules (top ${TOP}) and FuseSoC core ${core.vlnv} in ${out}/\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  }));
}
