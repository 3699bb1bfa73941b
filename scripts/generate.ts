/** `antforge generate`: write the RTL of a config, one module a file. */
import path from 'node:path';
import type { Command } from 'commander';
import { generate, writeRtl, TOP } from '../generator/index.ts';
import { action, configFrom, toJson, withConfig, withJson, type ConfigOpts } from './common.ts';

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('generate the Verilog of a PE config into --out (default rtl-out/<name>/)')
    .option('--out <dir>', 'output folder');
  withJson(withConfig(cmd)).action(action(async (opts: ConfigOpts & { out?: string }) => {
    const cfg = configFrom(opts);
    const out = opts.out ?? path.join('rtl-out', cfg.name);
    const files = writeRtl(generate(cfg), out);
    if (opts.json) process.stdout.write(toJson({ ok: true, top: TOP, out, files, config: cfg }) + '\n');
    else process.stdout.write(`generated ${files.length} modules (top ${TOP}) in ${out}/\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  }));
}
