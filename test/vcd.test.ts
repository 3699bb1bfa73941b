import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import { sampleVcd, listVcdSignals } from '../testbench/vcd.ts';
import { SimulationError } from '../generator/errors.ts';

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'antforge-vcd-')); });
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

function writeVcd(name: string, text: string): string {
  const file = nodePath.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs sampleVcd and collects every cycle as [cycle, values]. */
async function collect(file: string, signals: string[], chunkBytes?: number) {
  const rows: [number, bigint[]][] = [];
  const res = await sampleVcd(file, { signals, chunkBytes, onCycle: (c, v) => rows.push([c, v]) });
  return { rows, res };
}

async function expectSimError(p: Promise<unknown>, pattern: RegExp) {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SimulationError);
  expect((err as Error).message).toMatch(pattern);
}

const bin = (v: bigint) => v.toString(2);
// Known wide values: bits at both ends and a pattern in the middle, so truncation would show.
const A100 = (1n << 99n) | (0x123456789abcdef0123n << 20n) | 1n;
const B1024 = (1n << 1023n) | (0xdeadbeefcafef00dn << 500n) | (1n << 64n) | 5n;
const C1024 = (1n << 1024n) - 1n;

const HEADER = `$date today $end
$version hand-written $end
$timescale 1ps $end
$scope module TOP $end
$var wire 1 ! clk $end
$scope module af_pe $end
$var wire 1 " seq_issue $end
$var wire 8 # count [7:0] $end
$var wire 100 $ wide100 [99:0] $end
$var wire 1024 % bus1024 [1023:0] $end
$var wire 4 & konst [3:0] $end
$var wire 4 ' xsig [3:0] $end
$scope module inner $end
$var wire 1 ( flag $end
$upscope $end
$upscope $end
$upscope $end
$enddefinitions $end
`;
const BODY = `#0
$dumpvars
0!
0"
b0 #
b0 $
b0 %
b1010 &
bx '
0(
$end
#5
1!
#10
0!
1"
b101 #
b${bin(A100)} $
b${bin(B1024)} %
b1z01 '
#15
1!
b11 #
#20
0!
0"
b1 '
1(
#25
1!
#30
0!
b${bin(C1024)} %
#35
1!
#40
`;
const SIGNALS = ['TOP.clk', 'TOP.af_pe.seq_issue', 'TOP.af_pe.count', 'TOP.af_pe.wide100',
  'TOP.af_pe.bus1024', 'TOP.af_pe.konst', 'TOP.af_pe.xsig', 'TOP.af_pe.inner.flag'];
// Sample of cycle c = values after the changes at 10c; the change of count at #15 shows in
// cycle 2; at #40 nothing changes, so cycle 4 holds clk=1 from #35.
const EXPECTED: [number, bigint[]][] = [
  [0, [0n, 0n, 0n, 0n, 0n, 10n, 0n, 0n]],
  [1, [0n, 1n, 5n, A100, B1024, 10n, 9n, 0n]], // 1z01: z bit reads as 0
  [2, [0n, 0n, 3n, A100, B1024, 10n, 1n, 1n]],
  [3, [0n, 0n, 3n, A100, C1024, 10n, 1n, 1n]],
  [4, [1n, 0n, 3n, A100, C1024, 10n, 1n, 1n]],
];

describe('sampleVcd', () => {
  it('samples every cycle just before the rising edge, wide vectors exact', async () => {
    const file = writeVcd('main.vcd', HEADER + BODY);
    const { rows, res } = await collect(file, SIGNALS);
    expect(rows).toEqual(EXPECTED);
    expect(res).toEqual({ cycles: 5, lastTime: 40n, xSeen: ['TOP.af_pe.xsig'], timescale: '1ps' });
  });

  it('gives the same samples whatever the read size', async () => {
    const file = writeVcd('chunks.vcd', HEADER + BODY);
    for (const chunkBytes of [1, 3, 7, 64, 1000]) {
      expect((await collect(file, SIGNALS, chunkBytes)).rows).toEqual(EXPECTED);
    }
  });

  it('starts at the first dump time and handles time gaps', async () => {
    const file = writeVcd('late.vcd', HEADER + '#30\n$dumpvars\n1!\nb111 #\n$end\n#35\n0!\n#60\nb1000 #\n#62\n');
    const { rows, res } = await collect(file, ['TOP.af_pe.count', 'TOP.clk']);
    expect(rows).toEqual([[3, [7n, 1n]], [4, [7n, 0n]], [5, [7n, 0n]], [6, [8n, 0n]]]);
    expect(res.cycles).toBe(4);
    expect(res.lastTime).toBe(62n);
  });

  it('reads x/z as 0 and reports signals that are x when sampled', async () => {
    const file = writeVcd('x.vcd', HEADER + '#0\nx!\nbz1 #\nb1x0 $\n#10\n1!\nbz #\n#20\nb10 $\n#30\n');
    const { rows, res } = await collect(file, ['TOP.clk', 'TOP.af_pe.count', 'TOP.af_pe.wide100', 'TOP.af_pe.konst']);
    expect(rows).toEqual([
      [0, [0n, 1n, 4n, 0n]], [1, [1n, 0n, 4n, 0n]], [2, [1n, 0n, 2n, 0n]], [3, [1n, 0n, 2n, 0n]],
    ]);
    // konst never gets a value: it is x too.
    expect(res.xSeen.sort()).toEqual(['TOP.af_pe.count', 'TOP.af_pe.konst', 'TOP.af_pe.wide100', 'TOP.clk']);
  });

  it('handles a header bigger than one parser write (many signals)', async () => {
    let vars = '';
    for (let i = 0; i < 1500; i++) vars += `$var wire 16 s${i} sig_number_${i} [15:0] $end\n`;
    const file = writeVcd('big-header.vcd',
      `$timescale 1ns $end\n$scope module TOP $end\n$scope module many $end\n${vars}$upscope $end\n$upscope $end\n$enddefinitions $end\n` +
      '#0\nb1 s0\nb11 s1499\n#10\nb101 s1499\n#20\n');
    const list = await listVcdSignals(file);
    expect(list).toHaveLength(1500);
    expect(list[1499]).toEqual({ path: 'TOP.many.sig_number_1499', width: 16 });
    for (const chunkBytes of [100, undefined]) {
      const { rows } = await collect(file, ['TOP.many.sig_number_1499', 'TOP.many.sig_number_0'], chunkBytes);
      expect(rows).toEqual([[0, [3n, 1n]], [1, [5n, 1n]], [2, [5n, 1n]]]);
    }
  });

  it('finds $enddefinitions ... $end spread over many small reads', async () => {
    const file = writeVcd('spread.vcd', HEADER.replace('$enddefinitions $end', `$enddefinitions${' \n'.repeat(40)}$end`) + BODY);
    expect((await collect(file, SIGNALS, 2)).rows).toEqual(EXPECTED);
  });

  it('runs several files at once (one parser instance each)', async () => {
    const a = writeVcd('a.vcd', HEADER + BODY);
    const b = writeVcd('b.vcd', HEADER + '#0\nb1 #\n#10\nb10 #\n#20\n');
    const [ra, rb] = await Promise.all([collect(a, SIGNALS, 50), collect(b, ['TOP.af_pe.count'], 50)]);
    expect(ra.rows).toEqual(EXPECTED);
    expect(rb.rows).toEqual([[0, [1n]], [1, [2n]], [2, [2n]]]);
  });

  it('passes errors thrown by onCycle through unchanged', async () => {
    const file = writeVcd('throw.vcd', HEADER + BODY);
    const boom = new Error('boom');
    await expect(sampleVcd(file, { signals: ['TOP.clk'], onCycle: c => { if (c === 2) throw boom; } })).rejects.toBe(boom);
  });

  it('parses a VCD written by Verilator', async () => {
    const file = writeVcd('verilator.vcd', VERILATOR_VCD);
    const { rows, res } = await collect(file, ['TOP.tiny.cnt', 'TOP.wide', 'TOP.rst']);
    expect(rows.map(([c, [cnt, wide, rst]]) => [c, Number(cnt), Number(wide), Number(rst)])).toEqual([
      [0, 0, 0, 1], [1, 0, 0, 1], [2, 0, 0, 0], [3, 1, 1, 0], [4, 2, 3, 0],
      [5, 3, 7, 0], [6, 4, 15, 0], [7, 5, 31, 0], [8, 6, 63, 0],
    ]);
    expect(res.xSeen).toEqual([]);
  });
});

describe('listVcdSignals', () => {
  it('lists dotted paths and widths', async () => {
    const file = writeVcd('list.vcd', HEADER + BODY);
    expect(await listVcdSignals(file)).toEqual([
      { path: 'TOP.clk', width: 1 },
      { path: 'TOP.af_pe.seq_issue', width: 1 },
      { path: 'TOP.af_pe.count', width: 8 },
      { path: 'TOP.af_pe.wide100', width: 100 },
      { path: 'TOP.af_pe.bus1024', width: 1024 },
      { path: 'TOP.af_pe.konst', width: 4 },
      { path: 'TOP.af_pe.xsig', width: 4 },
      { path: 'TOP.af_pe.inner.flag', width: 1 },
    ]);
  });
});

describe('VCD errors', () => {
  const noop = () => {};
  it('missing file', async () => {
    await expectSimError(sampleVcd(nodePath.join(dir, 'nope.vcd'), { signals: [], onCycle: noop }), /not found.*nope\.vcd/);
    await expectSimError(listVcdSignals(nodePath.join(dir, 'nope.vcd')), /not found/);
  });

  it('not a VCD file', async () => {
    const file = writeVcd('notes.txt', 'hello world\nthis is not a waveform\n');
    await expectSimError(sampleVcd(file, { signals: [], onCycle: noop }), /Not a VCD file/);
    const noDefs = writeVcd('nodefs.txt', '$comment just a comment $end\n');
    await expectSimError(listVcdSignals(noDefs), /Not a VCD file \(no \$enddefinitions\)/);
  });

  it('file cut short in a value change', async () => {
    const text = HEADER + BODY;
    const file = writeVcd('cut.vcd', text.slice(0, text.indexOf(bin(B1024)) + 300));
    await expectSimError(sampleVcd(file, { signals: SIGNALS, onCycle: noop }), /cut short.*last line is incomplete/);
  });

  it('file cut short in the header', async () => {
    const file = writeVcd('cut-header.vcd', HEADER.slice(0, HEADER.indexOf('$scope module inner')));
    await expectSimError(listVcdSignals(file), /cut short: header has no \$enddefinitions/);
    await expectSimError(sampleVcd(file, { signals: SIGNALS, onCycle: noop }), /cut short/);
  });

  it('garbage in the value changes', async () => {
    const file = writeVcd('garbage.vcd', HEADER + '#0\n1!\n#10\n!!garbage\n#20\n');
    await expectSimError(sampleVcd(file, { signals: ['TOP.clk'], onCycle: noop }), /damaged or cut short: expected a simulation command/);
  });

  it('missing signal names similar ones', async () => {
    const file = writeVcd('missing.vcd', HEADER + BODY);
    const err = await sampleVcd(file, { signals: ['TOP.clk', 'TOP.af_pe.seq_isue'], onCycle: noop }).catch(e => e);
    expect(err).toBeInstanceOf(SimulationError);
    expect(err.message).toMatch(/Signal 'TOP\.af_pe\.seq_isue' not found/);
    expect(err.message.split('similar: ')[1].split(', ')[0]).toBe('TOP.af_pe.seq_issue');
  });

  it('refuses real-valued variables', async () => {
    const file = writeVcd('real.vcd', '$scope module TOP $end\n$var real 64 r temp $end\n$upscope $end\n$enddefinitions $end\n#0\nr1.5 r\n');
    await expectSimError(listVcdSignals(file), /real-valued variables \(TOP\.temp\)/);
  });
});

// End to end: a tiny model built by the installed Verilator (about 10 s).
describe('Verilator end to end', () => {
  it('samples a freshly generated Verilator VCD', async () => {
    const sv = writeVcd('tiny.sv', TINY_SV);
    const cpp = writeVcd('main.cpp', TINY_MAIN);
    execFileSync('verilator', ['--cc', '--exe', '--build', '--trace', '-O0', '--Mdir', nodePath.join(dir, 'obj'), sv, cpp], { stdio: 'ignore' });
    const file = nodePath.join(dir, 'live.vcd');
    execFileSync(nodePath.join(dir, 'obj', 'Vtiny'), [file]);
    const { rows } = await collect(file, ['TOP.tiny.cnt']);
    expect(rows.map(([, [v]]) => Number(v))).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
  }, 120_000);
});

const TINY_SV = `module tiny(input logic clk, input logic rst, output logic [7:0] cnt, output logic [99:0] wide);
  always_ff @(posedge clk) begin
    if (rst) begin cnt <= 0; wide <= 0; end
    else begin cnt <= cnt + 1; wide <= {wide[98:0], 1'b1}; end
  end
endmodule
`;
const TINY_MAIN = `#include "Vtiny.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
int main(int argc, char** argv) {
  VerilatedContext ctx; ctx.traceEverOn(true);
  Vtiny top(&ctx); VerilatedVcdC tfp; top.trace(&tfp, 99); tfp.open(argv[1]);
  for (int c = 0; c < 8; c++) {
    top.clk = 0; top.rst = c < 2; top.eval(); tfp.dump(10 * c);
    top.clk = 1; top.eval(); tfp.dump(10 * c + 5);
  }
  tfp.dump(80); tfp.close(); return 0;
}
`;

/** Output of TINY_SV/TINY_MAIN from Verilator 5.006 (with the harness timing convention). */
const W0 = '0'.repeat(100);
const wide = (ones: number) => '0'.repeat(100 - ones) + '1'.repeat(ones);
const byte = (v: number) => v.toString(2).padStart(8, '0');
const VERILATOR_VCD = `$version Generated by VerilatedVcd $end
$timescale 1ps $end

 $scope module TOP $end
  $var wire  1 ( clk $end
  $var wire  8 * cnt [7:0] $end
  $var wire  1 ) rst $end
  $var wire 100 + wide [99:0] $end
  $scope module tiny $end
   $var wire  1 / clk $end
   $var wire  8 # cnt [7:0] $end
   $var wire  1 0 rst $end
   $var wire 100 $ wide [99:0] $end
  $upscope $end
 $upscope $end
$enddefinitions $end


#0
b00000000 #
b${W0} $
0(
1)
b00000000 *
b${W0} +
0/
10
#5
1(
1/
#10
0(
0/
#15
1(
1/
#20
0(
0)
0/
00
${[1, 2, 3, 4, 5, 6].map(k => `#${10 * k + 15}
b${byte(k)} #
b${wide(k)} $
1(
b${byte(k)} *
b${wide(k)} +
1/
#${10 * k + 20}
0(
0/
`).join('').replace(/#80\n0\(\n0\/\n$/, '#80\n')}`;
