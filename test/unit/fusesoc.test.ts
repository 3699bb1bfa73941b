/**
 * The FuseSoC .core text: byte-stable, every generated .v in its fileset, af_array the toplevel
 * of every target, the config recorded. FuseSoC itself reads it in test/fusesoc.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { CONFIG_KEYS, resolveConfig, type HwConfig } from '../../generator/config.ts';
import { generate, writeRtl, TOP } from '../../generator/index.ts';
import { coreText, genCore, coreVlnv, CORE_VERSION } from '../../generator/fusesoc.ts';
import { ToolError } from '../../generator/errors.ts';
import { fusesocPython } from '../../testbench/fusesoc.ts';

const CONFIGS: [string, object][] = [
  ['default', {}],
  ['4 PEs, ant window', { name: 'pe4-win_2', pes: 4, ant: 'window', F: 2, I: 3 }],
];

/** The lines of one section (`filesets:`, `targets:`), or of one target under targets. */
function block(text: string, header: RegExp): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => header.test(l));
  expect(at, `no line ${header}`).toBeGreaterThanOrEqual(0);
  const indent = /^ */.exec(lines[at])![0].length;
  const end = lines.findIndex((l, i) => i > at && l.trim() !== '' && !l.trim().startsWith('#') && /^ */.exec(l)![0].length <= indent);
  return lines.slice(at + 1, end < 0 ? undefined : end);
}

describe.each(CONFIGS)('the .core of %s', (_name, over) => {
  const cfg: HwConfig = resolveConfig(over);
  const modules = generate(cfg);
  const text = coreText(cfg, modules);

  it('is the same bytes for the same config, and differs for another', () => {
    expect(coreText(resolveConfig(over), generate(resolveConfig(over)))).toBe(text);
    const other = resolveConfig({ ...over, bankDepth: cfg.bankDepth + 1 });
    expect(coreText(other, generate(other))).not.toBe(text);
  });

  it('is CAPI2 named by a valid VLNV antforge:ip:<name>:<version>', () => {
    expect(text.startsWith('CAPI=2:\n')).toBe(true);
    const vlnv = coreVlnv(cfg);
    expect(vlnv).toBe(`antforge:ip:${cfg.name}:${CORE_VERSION}`);
    // FuseSoC's rule for each part (fusesoc/vlnv.py): alphanumerics, '.', '-' and '_'.
    expect(vlnv.split(':').every((p) => /^[A-Za-z0-9_.-]+$/.test(p))).toBe(true);
    expect(text).toMatch(new RegExp(`^name: ${vlnv}$`, 'm'));
    expect(text).not.toMatch(/\t/); // YAML forbids tabs in indentation
  });

  it('lists every generated .v once, in generation order, and nothing else', () => {
    const files = block(text, /^filesets:$/).filter((l) => /^ +- /.test(l)).map((l) => l.trim().slice(2));
    expect(files).toEqual(modules.map((m) => m.file));
    expect(block(text, /^filesets:$/)).toContain('    file_type: verilogSource');
  });

  it('has default, lint (Verilator lint-only -Wall) and synth (Yosys, ice40, JSON) targets, each with toplevel af_array', () => {
    const targets = block(text, /^targets:$/).filter((l) => /^ {2}\w+:$/.test(l)).map((l) => l.trim().slice(0, -1));
    expect(targets).toEqual(['default', 'lint', 'synth']);
    for (const t of targets) {
      const body = block(text, new RegExp(`^ {2}${t}:$`));
      expect(body).toContain(`    toplevel: ${TOP}`);
      expect(body).toContain('    filesets: [rtl]');
    }
    expect(block(text, /^ {2}lint:$/)).toEqual(expect.arrayContaining(['    default_tool: verilator', '        mode: lint-only', '        verilator_options: [-Wall]']));
    expect(block(text, /^ {2}synth:$/)).toEqual(expect.arrayContaining(['    default_tool: yosys', '        arch: ice40', '        output_format: json']));
  });

  it('names the wrapper as every target\'s toplevel when one wraps the array (generate --wrapper axi)', () => {
    const wrapped = genCore(cfg, generate(cfg), 'af_axi').text;
    expect(wrapped.split('\n').filter((l) => l.includes('toplevel:'))).toEqual(Array(3).fill('    toplevel: af_axi'));
  });

  it('records every config key and value as a comment', () => {
    for (const k of Object.keys(CONFIG_KEYS) as (keyof HwConfig)[]) {
      expect(text).toContain(`\n#   ${k}: ${JSON.stringify(cfg[k])}\n`);
    }
  });

  it('is written with the Verilog, in one step, byte-identical across runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-core-'));
    try {
      const core = genCore(cfg, modules);
      const a = writeRtl(modules, path.join(dir, 'a'), [core]);
      writeRtl(generate(cfg), path.join(dir, 'b'), [genCore(cfg, generate(cfg))]);
      expect(a).toEqual(modules.map((m) => path.join(dir, 'a', m.file))); // the .v paths only
      const names = fs.readdirSync(path.join(dir, 'a')).sort();
      expect(names).toEqual([...modules.map((m) => m.file), `antforge_${cfg.name}.core`].sort());
      for (const n of names) expect(fs.readFileSync(path.join(dir, 'b', n))).toEqual(fs.readFileSync(path.join(dir, 'a', n)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the FuseSoC venv', () => {
  it('says what to install when python3 cannot make it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-venv-'));
    try {
      const venv = path.join(dir, 'venv');
      expect(() => fusesocPython(venv, path.join(dir, 'no-python3'))).toThrow(ToolError);
      expect(() => fusesocPython(venv, path.join(dir, 'no-python3'))).toThrow(/install Debian packages 'python3' and 'python3-venv'/);
      expect(fs.readdirSync(dir)).toEqual([]); // no half venv left behind
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
