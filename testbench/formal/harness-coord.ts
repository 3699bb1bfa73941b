/**
 * coord: af_coord marks a product valid exactly when golden/model/coord.ts does. Its address
 * is not proved here: the address is a sum of products, and distributivity of multipliers is
 * beyond the SAT engines in minutes even at 4 bits (cosimulation checks every address).
 * mularray: af_mularray's products are the signed products wrapped to accWidth.
 * Both are combinational: one cycle of free inputs covers every case.
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import { instance, byName, portsOf } from '../../generator/ports.ts';
import { coordPorts } from '../../generator/coord.ts';
import { mularrayPorts } from '../../generator/mularray.ts';
import { anyconst, clockCounter, harnessHeader, jobConsts, portWires, refValidCall, refValidFn } from './vlog.ts';

export function harnessCoord(cfg: HwConfig): string {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, chanWidth: chw, tagWidth: gw } = cfg;
  const aw = d.addrWidth;
  const sig = coordPorts(cfg);
  const lanes = (s: 'a' | 'b', n: number) => [`${s}_lv:${n}`, `${s}_y:${n * cw}`, `${s}_x:${n * cw}`, `${s}_c:${n * chw}`, `${s}_g:${n * gw}`]
    .map((x) => anyconst(x.split(':')[0], Number(x.split(':')[1]))).join('\n');
  const checks: string[] = [];
  for (let f = 0; f < F; f++) for (let i = 0; i < I; i++) {
    const p = f * I + i;
    const call = refValidCall(cfg, { lv: 'a_lv', y: 'a_y', x: 'a_x', g: 'a_g', i }, { lv: 'b_lv', y: 'b_y', x: 'b_x', g: 'b_g', f });
    checks.push(`  always @* if (t == 1'd0) begin
    coord_lanes_${p}: assert(p_lanes[${p}] == (a_lv[${i}] && b_lv[${f}]));
    coord_valid_${p}: assert(p_valid[${p}] == ${call});
  end`);
  }
  return harnessHeader('formal_coord', 'af_coord product validity', cfg) + `module formal_coord (
  input wire clk
);
${portWires(sig, ['sign_a', 'sign_b', 'match_en', 'off_y', 'off_x', 'lim_y', 'lim_x', 'stride_ac', 'stride_bc', 'off_addr', ...['lv', 'y', 'x', 'c', 'g'].flatMap((f) => [`a_${f}`, `b_${f}`])])}
${jobConsts(cfg)}
  // One cycle checks everything; the counter keeps ABC's engines on a sequential model.
${clockCounter(1).text}
${lanes('a', I)}
${lanes('b', F)}
${anyconst('stride_ac', aw)}
${anyconst('stride_bc', aw)}
${anyconst('off_addr', aw)}
  wire unused_harness = &{1'b0, win_tag, p_addr, 1'b0};

${refValidFn(cfg)}

${checks.join('\n')}

${instance('af_coord', 'dut', sig, byName(sig))}
endmodule
`;
}

export function harnessMul(cfg: HwConfig): string {
  const { F, I, dataWidth: dw, accWidth: acw } = cfg;
  const sig = mularrayPorts(cfg);
  const gated = portsOf(sig).some((p) => p.name === 'en');
  const W = Math.max(2 * dw, acw);
  const checks: string[] = [];
  for (let f = 0; f < F; f++) for (let i = 0; i < I; i++) {
    const p = f * I + i;
    const ext = (v: string) => `{{${W - dw}{${v}[${dw - 1}]}}, ${v}}`;
    checks.push(`  wire [${dw - 1}:0] a_${p} = a_val[${i * dw} +: ${dw}], b_${p} = b_val[${f * dw} +: ${dw}];
  wire [${W - 1}:0] prod_${p} = ${ext(`a_${p}`)} * ${ext(`b_${p}`)};
  always @* if (t == 1'd0) mul_prod_${p}: assert(prod[${p * acw} +: ${acw}] == ${gated ? `(en[${p}] ? prod_${p}[${acw - 1}:0] : ${acw}'d0)` : `prod_${p}[${acw - 1}:0]`});`);
  }
  return harnessHeader('formal_mul', 'af_mularray signed products', cfg) + `module formal_mul (
  input wire clk
);
${portWires(sig, ['a_val', 'b_val', ...(gated ? ['en'] : [])])}
${anyconst('a_val', I * dw)}
${anyconst('b_val', F * dw)}
${gated ? anyconst('en', F * I) : ''}
  // One cycle checks everything; the counter keeps ABC's engines on a sequential model.
${clockCounter(1).text}
${checks.join('\n')}

${instance('af_mularray', 'dut', sig, byName(sig))}
endmodule
`;
}
