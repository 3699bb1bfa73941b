/** af_seq: the pair sequencer. Walks (B-vector, A-vector) pairs, B outer and A inner. */
import { type HwConfig, derive } from './config.ts';
import { header, footer, resize, type VModule } from './verilog.ts';

export function genSeq(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth, bcw = d.bCountWidth;
  const text = header('af_seq', 'pair sequencer over (B-vector, A-vector) pairs', cfg, {
    AIDXW: aiw, BIDXW: biw, ACNTW: acw, BCNTW: bcw, ant: cfg.ant,
  }) + `// Baseline (ant = off): every pair is offered, B outer, A inner, one pair per accepted cycle.
module af_seq (
  input  wire              clk,
  input  wire              rst,
  input  wire              start,
  input  wire [${acw - 1}:0] n_a,
  input  wire [${bcw - 1}:0] n_b,
  input  wire              advance,
  output wire              issue_valid,
  output wire [${aiw - 1}:0] issue_a,
  output wire [${biw - 1}:0] issue_b
);
  reg              active;
  reg  [${aiw - 1}:0] a_idx;
  reg  [${biw - 1}:0] b_idx;
  wire [${acw - 1}:0] a_idx_ext = ${resize('a_idx', aiw, acw, false)};
  wire [${bcw - 1}:0] b_idx_ext = ${resize('b_idx', biw, bcw, false)};
  wire             last_a = (a_idx_ext + ${acw}'d1) == n_a;
  wire             last_b = (b_idx_ext + ${bcw}'d1) == n_b;
  wire             take = active && advance;

  assign issue_valid = active;
  assign issue_a = a_idx;
  assign issue_b = b_idx;

  always @(posedge clk) begin
    if (rst) begin
      active <= 1'b0;
      a_idx <= ${aiw}'d0;
      b_idx <= ${biw}'d0;
    end else if (start) begin
      active <= (n_a != ${acw}'d0) && (n_b != ${bcw}'d0);
      a_idx <= ${aiw}'d0;
      b_idx <= ${biw}'d0;
    end else if (take) begin
      if (last_a) begin
        a_idx <= ${aiw}'d0;
        b_idx <= b_idx + ${biw}'d1;
        if (last_b) active <= 1'b0;
      end else begin
        a_idx <= a_idx + ${aiw}'d1;
      end
    end
  end
endmodule
` + footer;
  return { name: 'af_seq', file: 'af_seq.v', text };
}
