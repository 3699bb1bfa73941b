/** af_mularray: the F x I multiplier array; product p = f*I + i. */
import type { HwConfig } from './config.ts';
import { header, footer, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts } from './ports.ts';

export function mularrayPorts(cfg: HwConfig): Signature {
  const { F, I, dataWidth: dw, accWidth: aw } = cfg;
  const en = cfg.gating === 'lanes'
    ? [comment('Lanes whose product will be kept; the others are isolated (their operands held at 0).'), input('en', F * I)] : [];
  return [input('a_val', I * dw), input('b_val', F * dw), ...en, output('prod', F * I * aw)];
}

export function genMularray(cfg: HwConfig): VModule {
  const { F, I, dataWidth: dw, accWidth: aw } = cfg;
  // Products are formed at the accumulator width: the low accWidth bits of a product depend
  // only on the low accWidth bits of its operands, so narrowing first is exact and cheaper.
  const ext = (v: string) => (aw > dw ? `{{${aw - dw}{${v}[${dw - 1}]}}, ${v}}` : aw === dw ? v : `${v}[${aw - 1}:0]`);
  const unusedBits = dw > aw;
  const gate = cfg.gating === 'lanes';
  const widths = { F, I, DW: dw, AW: aw };
  const body = `  genvar f, i;
  generate
    for (f = 0; f < F; f = f + 1) begin : g_f
      for (i = 0; i < I; i = i + 1) begin : g_i
        wire        [DW-1:0] a = ${gate ? `en[f*I + i] ? a_val[i*DW +: DW] : ${dw}'d0` : `a_val[i*DW +: DW]`};
        wire        [DW-1:0] b = ${gate ? `en[f*I + i] ? b_val[f*DW +: DW] : ${dw}'d0` : `b_val[f*DW +: DW]`};
        wire signed [AW-1:0] a_ext = ${ext('a')};
        wire signed [AW-1:0] b_ext = ${ext('b')};
        assign prod[(f*I + i)*AW +: AW] = a_ext * b_ext;${unusedBits ? `
        // Operand bits above accWidth cannot reach the wrapped product.
        wire unused_ok = &{1'b0, a[${dw - 1}:${aw}], b[${dw - 1}:${aw}], 1'b0};` : ''}
      end
    end
  endgenerate
`;
  const text = header('af_mularray', 'F x I signed multiplier array', cfg, { ...widths, gating: cfg.gating }) + `module af_mularray (
${declarePorts(mularrayPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_mularray', file: 'af_mularray.v', text };
}
