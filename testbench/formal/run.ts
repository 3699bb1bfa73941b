/**
 * Runs one formal harness: Yosys turns it (with the generated blocks) into an AIGER model; ABC
 * (yosys-abc, shipped with Yosys) searches it - `pdr` for an unbounded proof, `bmc3` for a
 * bounded one - and a counterexample it finds (an AIGER witness) is replayed by Yosys's `sim`
 * over the same netlist into a VCD, naming the assertions that fail.
 *
 * Why not yosys-smtbmc with an SMT solver: the range and coordinate properties are equivalences
 * of small adders and comparators; z3 4.8.12 and cvc5 1.0 (Debian bookworm) did not decide the
 * 2-bit range proof in minutes, and z3 even hung replaying a witness with every input fixed.
 * The SAT engines in ABC decide it in seconds. (Debian's boolector 1.5 is too old for smtbmc.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ToolError } from '../../generator/errors.ts';
import { runTool } from '../tools.ts';
import type { VModule } from '../../generator/verilog.ts';

export type Engine = 'pdr' | 'bmc';

export interface FormalJob {
  top: string;
  /** The harness, read with -formal. */
  harness: string;
  /** The generated blocks it instantiates. */
  modules: VModule[];
  engine: Engine;
  /** Cycles to search: the harness checks nothing after depth-1. */
  depth: number;
}

export interface EngineResult {
  /** proved: no reachable state fails; bounded: none within `depth` cycles; failed: a counterexample. */
  outcome: 'proved' | 'bounded' | 'failed';
  depth: number;
  /** Failed: the first cycle (0 = the initial state) in which an assertion fails, and which. */
  cycle?: number;
  asserts?: string[];
  vcd?: string;
}

const TIMEOUT_S = 600;

/** The tools a proof needs, each with the Debian package that brings it. */
export const FORMAL_TOOLS: [string, string[], string][] = [['yosys', ['-V'], 'yosys'], ['yosys-abc', ['-c', 'quit'], 'yosys']];

/** Throws ToolError naming the first missing tool and the package to install. */
export function checkFormalTools(): void {
  for (const [tool, args, pkg] of FORMAL_TOOLS) {
    const r = spawnSync(tool, args, { encoding: 'utf8' });
    if (r.error) throw new ToolError(`${tool} is not on PATH; prove needs yosys and yosys-abc: run 'npm run setup' (installs Debian package '${pkg}') or install it yourself`);
  }
}

const run = (what: string, cmd: string, args: string[], cwd: string): string => runTool(what, cmd, args, {
  cwd, timeoutSeconds: TIMEOUT_S, context: '', timeoutHint: 'prove a smaller config (coordWidth, F, I, aDepth, bDepth) or a smaller --depth',
});

/** The Yosys script: flatten, memories to flip-flops, then the netlist (for replay) and the AIGER model (for ABC). */
function yosysScript(job: FormalJob, top: string, model: string): string {
  const files = [top, ...job.modules.map((m) => m.file)].join(' ');
  return [
    `read_verilog -formal ${files}`,
    `prep -flatten -top ${job.top}`,
    'memory_map', 'opt -fast', 'async2sync',
    'chformal -assume -early', 'setundef -anyseq', 'opt -keepdc -fast', 'dffunmap',
    'techmap', 'opt -fast', 'dffunmap', 'abc -g AND -fast', 'opt_clean',
    // The replay must see the very netlist whose inputs and latches the AIGER map names.
    `write_rtlil ${model}.il`,
    `write_aiger -I -B -zinit -no-startoffset -map ${model}.aim ${model}.aig`,
  ].join('\n') + '\n';
}
/** Parse ABC's verdict: proved, no failure within the frames, or the frame of the first failure. */
export function parseAbc(out: string): { verdict: 'proved' | 'bounded' | 'failed' | 'undecided'; frame?: number; frames?: number } {
  const fail = /Output \d+ of miter .* was asserted in frame (\d+)/.exec(out);
  if (fail) return { verdict: 'failed', frame: Number(fail[1]) };
  if (/Property proved/.test(out)) return { verdict: 'proved' };
  const none = /No output asserted in (\d+) frames/.exec(out);
  if (none) return { verdict: 'bounded', frames: Number(none[1]) };
  return { verdict: 'undecided' };
}

/** The names of the assertions Yosys's sim reports as failed in its replay ("Assert top.name (file:line) failed."). */
export function parseReplay(out: string): string[] {
  const names = [...out.matchAll(/Assert \S+?\.(\S+) \(.*\) failed/g)].map((m) => m[1]);
  return [...new Set(names)];
}

/**
 * Yosys 0.23's AIGER map names no $anyseq or $anyconst, so Yosys's sim could not replay a
 * witness onto them. Each becomes a named top-level input instead; a free constant is an input
 * assumed equal, from the second cycle on, to its value of the cycle before.
 */
export function nameFreeSignals(harness: string): string {
  const inputs: string[] = [];
  let held = '';
  const text = harness.replace(/^( *)wire ((?:signed )?(?:\[[^\]]+\] )?)(\w+) = \$(anyseq|anyconst);$/gm, (_m, ind: string, type: string, name: string, kind: string) => {
    inputs.push(`  input wire ${type}${name}`);
    if (kind === 'anyseq') return `${ind}// ${name}: free in every cycle (an input)`;
    held = `  reg formal_first = 1'b1;\n  always @(posedge clk) formal_first <= 1'b0;\n`;
    return `${ind}// ${name}: free, constant over the trace\n${ind}reg ${type}${name}_q;\n${ind}always @(posedge clk) ${name}_q <= ${name};\n`
      + `${ind}always @* if (!formal_first) assume(${name} == ${name}_q);`;
  });
  if (/\$any(seq|const)/.test(text)) throw new Error('the harness declares a free signal that is not alone on its line');
  return text.replace(/\(\n  input wire clk\n\);\n/, `(\n  input wire clk${inputs.map((i) => `,\n${i}`).join('')}\n);\n${held}`);
}

/** Build the AIGER model of `harness` under the name `model` in `dir`. */
function buildModel(job: FormalJob, dir: string, model: string, harness: string): void {
  fs.writeFileSync(path.join(dir, `${model}_top.v`), harness);
  fs.writeFileSync(path.join(dir, `${model}.ys`), yosysScript(job, `${model}_top.v`, model));
  run(`yosys (formal model of ${job.top})`, 'yosys', ['-q', '-s', `${model}.ys`], dir);
}

export function runFormal(job: FormalJob): EngineResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `antforge-prove-${job.top}-`));
  try {
    for (const m of job.modules) fs.writeFileSync(path.join(dir, m.file), m.text);
    // The search runs on the harness as written ($anyconst is one latch, cheap for the engines);
    // only a counterexample is searched again on the replayable model (named free inputs).
    buildModel(job, dir, 'search', job.harness);
    const abc = (model: string, cmd: string) => parseAbc(run(`yosys-abc ${cmd.split(' ')[0]} on ${job.top}`, 'yosys-abc',
      ['-c', `read_aiger ${model}.aig; fold; strash; ${cmd}; write_cex -a ${model}.aiw`], dir));
    let v = job.engine === 'pdr' ? abc('search', 'pdr') : abc('search', `bmc3 -F ${job.depth}`);
    // PDR that neither proves nor refutes (it can give up): fall back to a bounded search.
    if (v.verdict === 'undecided' && job.engine === 'pdr') v = abc('search', `bmc3 -F ${job.depth}`);
    if (v.verdict === 'undecided') throw new ToolError(`yosys-abc gave no verdict on ${job.top}`);
    if (v.verdict === 'proved') return { outcome: 'proved', depth: job.depth };
    if (v.verdict === 'bounded') return { outcome: 'bounded', depth: v.frames ?? job.depth };
    buildModel(job, dir, 'replay', nameFreeSignals(job.harness));
    const r = abc('replay', `bmc3 -F ${(v.frame ?? job.depth) + 1}`);
    if (r.verdict !== 'failed') throw new ToolError(`yosys-abc found a failure of ${job.top} in cycle ${v.frame} but not again on the replayable model`);
    const out = run(`yosys sim replay of ${job.top}`, 'yosys',
      ['-p', 'read_rtlil replay.il; sim -r replay.aiw -map replay.aim -clock clk -vcd cex.vcd'], dir);
    return { outcome: 'failed', depth: job.depth, cycle: r.frame, asserts: parseReplay(out), vcd: fs.readFileSync(path.join(dir, 'cex.vcd'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
