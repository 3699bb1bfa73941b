/**
 * `antforge prove`: every property of the default prove config holds, the range and crossbar
 * mutants (and one of each other proved block) are caught with a counterexample VCD, and bad
 * options exit 2 naming what is allowed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { runCli } from './cli.ts';
import { PROPERTIES } from '../testbench/formal/properties.ts';
import { nameFreeSignals, parseAbc, parseReplay } from '../testbench/formal/run.ts';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-prove-test-'));

async function proveJson(args: string[]) {
  const r = await runCli(['prove', '--json', '--out', out, ...args]);
  return { status: r.status, stderr: r.stderr, report: JSON.parse(r.stdout) };
}

describe('prove: the default prove config', () => {
  it('proves every property (to its depth where the search is bounded)', { timeout: 900_000 }, async () => {
    const { status, report } = await proveJson([]);
    expect(status).toBe(0);
    expect(report.properties.map((p: { name: string }) => p.name)).toEqual(PROPERTIES.map((p) => p.name));
    for (const p of report.properties) {
      const bounded = !PROPERTIES.find((q) => q.name === p.name)!.complete && p.engine !== 'abc pdr';
      expect(p.status, p.name).toBe(bounded ? `proved to depth ${p.depth}` : 'proved');
      expect(p.seconds).toBeGreaterThan(0);
    }
    expect(report.failed).toBe(0);
  });
});

describe('prove: mutants fail a proof with a counterexample', () => {
  const cases: [string, string, RegExp][] = [
    ['range-row-test-off-by-one', 'range-safety', /^range_/],
    ['range-row-low-off-by-one', 'range-safety', /^range_/],
    ['range-col-test-off-by-one', 'range-safety', /^range_/],
    ['xbar-bank-bits-shifted', 'xbar-acc', /^xbar_/],
    ['xbar-no-conflict-serialization', 'xbar-acc', /^xbar_/],
    ['xbar-stuck-write-enable', 'xbar-acc', /^xbar_/],
    ['boxram-no-forwarding', 'boxram', /box_slot_/],
    ['seq-skips-last-a-vector', 'seq-off', /^seq_/],
  ];
  it.each(cases)('%s fails %s', async (mutant, property, failing) => {
    const { status, report } = await proveJson(['--mutant', mutant, '--only', property]);
    expect(status).toBe(1);
    expect(report.mutant).toBe(mutant);
    const [p] = report.properties;
    expect(p.name).toBe(property);
    expect(p.status).toBe('failed');
    const cex = p.counterexample;
    expect(cex.asserts.some((a: string) => failing.test(a)), cex.asserts.join(', ')).toBe(true);
    const vcd = fs.readFileSync(cex.vcd, 'utf8');
    expect(vcd).toMatch(/\$enddefinitions/);
    // The VCD reaches the first failing cycle (10 time units a cycle).
    expect(vcd).toContain(`#${cex.cycle * 10}\n`);
  });
});

describe('prove: bad input exits 2 with one clear message', () => {
  it.each([
    [['--only', 'no-such'], /--only: unknown property no-such; allowed: range-safety/],
    [['--mutant', 'nope'], /--mutant: unknown mutant 'nope'; allowed: coord-row-limit-off-by-one/],
    [['--depth', '0'], /--depth '0' is not allowed; allowed: an integer 1\.\.64/],
    [['--set', 'F=0'], /config key 'F'/],
  ])('%j', async (args, message) => {
    const r = await runCli(['prove', ...args as string[]]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('prove: engine output parsing', () => {
  it('reads ABC verdicts and the replayed assertion names', () => {
    expect(parseAbc('Output 0 of miter "model" was asserted in frame 2.  Time = 0.04 sec')).toEqual({ verdict: 'failed', frame: 2 });
    expect(parseAbc('Property proved.  Time = 3 sec')).toEqual({ verdict: 'proved' });
    expect(parseAbc('No output asserted in 12 frames. Resource limit reached')).toEqual({ verdict: 'bounded', frames: 12 });
    expect(parseAbc('Reached timeout')).toEqual({ verdict: 'undecided' });
    expect(parseReplay('Warning: Assert formal_range.range_feasible (formal_range.v:210.7-210.37) failed.\nWarning: Assert formal_range.range_feasible (x) failed.'))
      .toEqual(['range_feasible']);
  });

  it('turns free signals into named inputs, free constants held by an assumption', () => {
    const v = nameFreeSignals('module m (\n  input wire clk\n);\n  wire [2:0] a = $anyseq;\n  wire signed [4:0] k = $anyconst;\nendmodule\n');
    expect(v).toContain('input wire clk,\n  input wire [2:0] a,\n  input wire signed [4:0] k\n);');
    expect(v).toContain('always @* if (!formal_first) assume(k == k_q);');
    expect(v).not.toMatch(/\$any/);
  });
});
