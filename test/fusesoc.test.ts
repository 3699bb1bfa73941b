/**
 * The generated IP as a FuseSoC package, checked by the real FuseSoC (pinned, in the project's
 * venv, installed on first use): `antforge generate` writes the .core, a FuseSoC library found
 * by `fusesoc library add` lists it by VLNV, and `fusesoc run --target lint` runs Verilator
 * lint through Edalize and passes, and fails on RTL that is not lint-clean; `--target synth`
 * runs Yosys to an iCE40 JSON netlist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { runCli } from './cli.ts';
import { fusesoc } from '../testbench/fusesoc.ts';

const CONFIGS = [
  { name: 'default', sets: [] as string[], vlnv: 'antforge:ip:scnn4x4:0.1.0' },
  // A name with '-' and '_', both legal in a VLNV part.
  { name: '4 PEs', sets: ['--set', 'pes=4', '--set', 'name=scnn4x4_pe-4'], vlnv: 'antforge:ip:scnn4x4_pe-4:0.1.0' },
];
const TINY = {
  name: 'tiny', vlnv: 'antforge:ip:tiny:0.1.0',
  sets: ['name=tiny', 'F=2', 'I=2', 'banks=4', 'bankDepth=4', 'aDepth=8', 'bDepth=8', 'dataWidth=8', 'accWidth=16',
    'counterWidth=16', 'coordWidth=6', 'chanWidth=4', 'tagWidth=2'].flatMap((kv) => ['--set', kv]),
};

let work = '';
/** FuseSoC runs in `work` and reads only its fusesoc.conf there (not the user's or /etc's). */
const fs_ = (...args: string[]) => fusesoc(['--config', path.join(work, 'fusesoc.conf'), ...args], { cwd: work });
const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'af-fusesoc-'));
  for (const c of [...CONFIGS, TINY]) {
    const r = await runCli(['generate', '--json', '--out', path.join(work, 'cores', c.vlnv.split(':')[2]), ...c.sets]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.core.vlnv).toBe(c.vlnv);
    expect(j.files).toContain(j.core.file);
    expect(fs.existsSync(j.core.file)).toBe(true);
  }
  fs.writeFileSync(path.join(work, 'fusesoc.conf'), '');
  // `library add` writes ./fusesoc.conf of its cwd: the library is the folder of generated cores.
  const add = fusesoc(['library', 'add', 'antforge', path.join(work, 'cores'), '--sync-type', 'local'], { cwd: work });
  expect(add.status, out(add)).toBe(0);
});

afterAll(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

describe('FuseSoC packaging of the generated RTL', () => {
  it('fusesoc core list shows both cores by VLNV, with lint and synth targets', () => {
    const list = fs_('core', 'list');
    expect(list.status, out(list)).toBe(0);
    for (const c of CONFIGS) expect(list.stdout).toMatch(new RegExp(`^${c.vlnv} *:`, 'm'));
    const show = fs_('core', 'show', CONFIGS[1].vlnv);
    expect(show.status, out(show)).toBe(0);
    expect(show.stdout).toContain(`Core root:   ${path.join(work, 'cores', 'scnn4x4_pe-4')}`);
    // Target names only: FuseSoC 2.4.7 prints a target's description only if it contains the word "description".
    for (const t of ['default', 'lint', 'synth']) expect(show.stdout).toMatch(new RegExp(`^${t} +:`, 'm'));
  });

  it.each(CONFIGS)('fusesoc run --target lint passes for $name', (c) => {
    const r = fs_('run', '--target', 'lint', c.vlnv);
    expect(r.status, out(r)).toBe(0);
    // What it ran: Edalize's `make lint-only` (verilator --lint-only -f <vc> $(VERILATOR_OPTIONS)).
    const dir = path.join(work, 'build', c.vlnv.replace(/:/g, '_'), 'lint-verilator');
    const vc = fs.readFileSync(path.join(dir, `${c.vlnv.replace(/:/g, '_')}.vc`), 'utf8');
    expect(vc).toMatch(/^--top-module af_array$/m);
    expect(vc).toMatch(/af_pe\.v$/m);
    expect(fs.readFileSync(path.join(dir, 'config.mk'), 'utf8')).toMatch(/^VERILATOR_OPTIONS *:= -Wall$/m);
  });

  it('fusesoc run --target lint fails on RTL that is not lint-clean', () => {
    // A copy of the default core whose af_pe has a signal nobody drives or reads.
    const bad = path.join(work, 'bad');
    fs.cpSync(path.join(work, 'cores', 'scnn4x4'), path.join(bad, 'scnn4x4'), { recursive: true });
    const pe = path.join(bad, 'scnn4x4', 'af_pe.v');
    fs.writeFileSync(pe, fs.readFileSync(pe, 'utf8').replace(/^endmodule/m, '  wire dangling_q;\nendmodule'));
    const r = fusesoc(['--config', path.join(work, 'empty.conf'), '--cores-root', bad, 'run', '--build-root', path.join(work, 'build-bad'),
      '--target', 'lint', CONFIGS[0].vlnv], { cwd: work });
    expect(r.status).not.toBe(0);
    expect(out(r)).toMatch(/UNUSEDSIGNAL.*dangling_q/);
  });

  it('fusesoc run --target synth runs Yosys synth_ice40 to a JSON netlist of af_array', () => {
    // The README's tiny hx8k config: Yosys takes about 15 s on it (minutes on the default).
    const r = fs_('run', '--target', 'synth', TINY.vlnv);
    expect(r.status, out(r)).toBe(0);
    const dir = path.join(work, 'build', TINY.vlnv.replace(/:/g, '_'), 'synth-yosys');
    expect(fs.readFileSync(path.join(dir, 'edalize_yosys_procs.tcl'), 'utf8')).toMatch(/^synth_ice40 +-top \$top$/m);
    const netlist = JSON.parse(fs.readFileSync(path.join(dir, `${TINY.vlnv.replace(/:/g, '_')}.json`), 'utf8'));
    const cells = Object.values(netlist.modules.af_array.cells as Record<string, { type: string }>).map((c) => c.type);
    expect(cells).toContain('SB_LUT4');
    expect(cells.some((t) => /^SB_DFF/.test(t))).toBe(true);
  });
});
