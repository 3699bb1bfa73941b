/** af_mularray: the F x I multiplier array; product p = f*I + i. */
import type { HwConfig } from './config.ts';
import { header, footer, type VModule } from './verilog.ts';

export function genMularray(cfg: HwConfig): VModule {
  const { F, I, dataWidth: dw, accWidth: aw } = cfg;
  // Products are formed at the accumulator width: the low accWidth bits of a product depend
  // only on the low accWidth bits of its operands, so narrowing first is exact and cheaper.
  const ext = (v: string) => (aw > dw ? `{{${aw - dw}{${v}[${dw - 1}]}}, ${v}}` : aw === dw ? v : `${v}[${aw - 1}:0]`);
  const unusedBits = dw > aw;
  const gate = cfg.gating === 'lanes';
  const text = header('af_mularray', 'F x I signed multiplier array', cfg, { F, I, DW: dw, AW: aw, gating: cfg.gating }) +
`module af_mularray (
  input  wire [${I * dw - 1}:0] a_val,
  input  wire [${F * dw - 1}:0] b_val,${gate ? `
  // Lanes whose product will be kept; the others are isolated (their operands held at 0).
  input  wire [${F * I - 1}:0] en,` : ''}
  output wire [${F * I * aw - 1}:0] prod
);
  genvar f, i;
  generate
    for (f = 0; f < ${F}; f = f + 1) begin : g_f
      for (i = 0; i < ${I}; i = i + 1) begin : g_i
        wire [${dw - 1}:0] a = ${gate ? `en[f*${I} + i] ? a_val[i*${dw} +: ${dw}] : ${dw}'d0` : `a_val[i*${dw} +: ${dw}]`};
        wire [${dw - 1}:0] b = ${gate ? `en[f*${I} + i] ? b_val[f*${dw} +: ${dw}] : ${dw}'d0` : `b_val[f*${dw} +: ${dw}]`};
        wire signed [${aw - 1}:0] a_ext = ${ext('a')};
        wire signed [${aw - 1}:0] b_ext = ${ext('b')};
        assign prod[(f*${I} + i)*${aw} +: ${aw}] = a_ext * b_ext;${unusedBits ? `
        // Operand bits above accWidth cannot reach the wrapped product.
        wire unused_ok = &{1'b0, a[${dw - 1}:${aw}], b[${dw - 1}:${aw}], 1'b0};` : ''}
      end
    end
  endgenerate
endmodule
` + footer;
  return { name: 'af_mularray', file: 'af_mularray.v', text };
}
