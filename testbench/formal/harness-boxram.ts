/**
 * boxram: both af_boxram instances of af_range (A boxes, B entries), each under a free sequence
 * of writes and reads. A shadow register follows one free watched index: every read slot that
 * addresses it must return the box last written there, a write in the reading cycle included
 * (write-first forwarding).
 */
import type { HwConfig } from '../../generator/config.ts';
import { BOXRAM_PORTS } from '../../generator/boxram.ts';
import { instance } from '../../generator/ports.ts';
import { boxramParams } from '../../generator/range.ts';
import { harnessHeader } from './vlog.ts';

function side(name: string, p: ReturnType<typeof boxramParams>['a']): string {
  const { BANKS, ADDRW: aw, WIDTH: w } = p;
  const cap = BANKS * p.ROWS;
  const n = (s: string) => `${name}_${s}`;
  const checks = Array.from({ length: BANKS }, (_, j) =>
    `      if (${n('known')} && {1'b0, ${n('base_q')}} + ${aw + 1}'d${j} == {1'b0, ${n('w')}}) ${name}_slot_${j}: assert(${n('rd_data')}[${j * w} +: ${w}] == ${n('shadow')});`).join('\n');
  return `  // ${name}: ${BANKS} banks x ${p.ROWS} rows of ${w}-bit entries; indices 0..${cap - 1}.
  wire [${aw - 1}:0] ${n('w')} = $anyconst;
  wire ${n('wr_en')} = $anyseq;
  wire [${aw - 1}:0] ${n('wr_idx')} = $anyseq;
  wire [${w - 1}:0] ${n('wr_data')} = $anyseq;
  wire [${aw - 1}:0] ${n('rd_base')} = $anyseq;
  wire [${BANKS * w - 1}:0] ${n('rd_data')};
  always @* begin
    assume(${n('w')} < ${aw + 1}'d${cap});
    assume(${n('wr_idx')} < ${aw + 1}'d${cap});
  end
  reg [${w - 1}:0] ${n('shadow')};
  reg ${n('known')} = 1'b0;
  reg [${aw - 1}:0] ${n('base_q')};
  wire ${n('hit')} = ${n('wr_en')} && ${n('wr_idx')} == ${n('w')};
  always @(posedge clk) begin
    if (${n('hit')}) ${n('shadow')} <= ${n('wr_data')};
    ${n('known')} <= ${n('known')} || ${n('hit')};
    ${n('base_q')} <= ${n('rd_base')};
  end
  always @* begin
${checks}
  end
${instance('af_boxram', `dut_${name}`, BOXRAM_PORTS, {
    clk: 'clk', wr_en: n('wr_en'), wr_idx: n('wr_idx'), wr_data: n('wr_data'), rd_base: n('rd_base'), rd_data: n('rd_data'),
  }, p)}
`;
}

export function harnessBoxram(cfg: HwConfig): string {
  const p = boxramParams(cfg);
  return harnessHeader('formal_boxram', 'af_boxram returns the last box written, with forwarding', cfg) + `module formal_boxram (
  input wire clk
);
${side('abox', p.a)}
${side('bbox', p.b)}
endmodule
`;
}
