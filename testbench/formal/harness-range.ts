/**
 * range-safety: af_range never rejects a (B-vector, A-vector) pair that holds a valid product.
 * One A-vector and one B-vector of free lane contents are written at free indices, read back
 * as free candidate slot j of the query, and every answer that would skip the pair (not
 * feasible, below or above the window) must be false whenever some lane pair is valid.
 * The job registers are free constants: every mode, offset, limit, sign and tag setting.
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import { instance, byName, portsOf } from '../../generator/ports.ts';
import { resize, zext } from '../../generator/verilog.ts';
import { rangePorts } from '../../generator/range.ts';
import { anyconst, anyseq, clockCounter, harnessHeader, jobConsts, portWires, refValidCall, refValidFn } from './vlog.ts';

export function harnessRange(cfg: HwConfig): string {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, tagWidth: gw, antLookahead: L } = cfg;
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth, jw = Math.max(1, Math.ceil(Math.log2(L)));
  const clk = clockCounter(3);
  const pairs: string[] = [];
  for (let f = 0; f < F; f++) for (let i = 0; i < I; i++) {
    pairs.push(refValidCall(cfg, { lv: 'a_lv', y: 'a_y', x: 'a_x', g: 'a_g', i }, { lv: 'b_lv', y: 'b_y', x: 'b_x', g: 'b_g', f }));
  }
  const sig = rangePorts(cfg);
  const slots = ['a_wslot', 'b_wslot', 'rd_slot'].filter((n) => portsOf(sig).some((p) => p.name === n));
  return harnessHeader('formal_range', 'range safety of af_range', cfg) + `module formal_range (
  input wire clk
);
${portWires(sig, ['clk', 'sign_a', 'sign_b', 'match_en', 'win_tag', 'off_y', 'off_x', 'lim_y', 'lim_x', ...['lv', 'y', 'x', 'g'].flatMap((f) => [`a_${f}`, `b_${f}`])])}
${jobConsts(cfg)}
  // The mapper sets match_en whenever it windows along tags (packed matmul).
  always @* assume(!win_tag || match_en);

  // The pair under test: free lanes, free buffer slots, free candidate slot j.
${['a_lv:' + I, 'a_y:' + I * cw, 'a_x:' + I * cw, 'a_g:' + I * gw, 'b_lv:' + F, 'b_y:' + F * cw, 'b_x:' + F * cw, 'b_g:' + F * gw]
    .map((s) => anyconst(s.split(':')[0], Number(s.split(':')[1]))).join('\n')}
${anyconst('ia', aiw)}
${anyconst('ib', biw)}
${anyconst('j', jw)}
  always @* begin
    assume(ia < ${aiw}'d${cfg.aDepth - 1} || ia == ${aiw}'d${cfg.aDepth - 1});
    assume(ib < ${biw}'d${cfg.bDepth - 1} || ib == ${biw}'d${cfg.bDepth - 1});
    assume(j < ${jw}'d${L - 1} || j == ${jw}'d${L - 1});
    assume(${zext('j', jw, Math.max(jw, aiw))} <= ${zext('ia', aiw, Math.max(jw, aiw))});
  end
${slots.length ? `  // One free operand slot (double buffering) for both writes and the query.
${anyconst('slot', 1)}
${slots.map((n) => `  assign ${n} = slot;`).join('\n')}
` : ''}${anyseq('rd_a_free', acw)}
${anyseq('rd_b_free', biw)}

${clk.text}
  // Cycle 0 writes both boxes, cycle 1 addresses them (slot j of the A group), cycle 2 answers.
  assign a_we = t == ${clk.w}'d0;
  assign b_we = t == ${clk.w}'d0;
  assign a_widx = ia;
  assign b_widx = ib;
  assign rd_a = t == ${clk.w}'d1 ? ${zext('ia', aiw, acw)} - ${resize('j', jw, acw, false)} : rd_a_free;
  assign rd_b = t == ${clk.w}'d1 ? ib : rd_b_free;

${refValidFn(cfg)}
  wire any_valid = ${pairs.join('\n    || ')};
  wire feas_j = feas[j], below_j = below[j], above_j = above[j];

${instance('af_range', 'dut', sig, byName(sig))}

  always @* begin
    if (t == ${clk.w}'d2 && any_valid) begin
      range_feasible: assert(feas_j);
      range_not_below: assert(!below_j);
      range_not_above: assert(!above_j);
    end
  end
endmodule
`;
}
