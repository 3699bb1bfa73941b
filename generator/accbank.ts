/** af_accbank: one accumulator bank; read-modify-write per cycle, cleared row by row. */
import { type HwConfig, derive } from './config.ts';
import { header, footer, type VModule } from './verilog.ts';

export function genAccbank(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const acw = cfg.accWidth, rw = d.rowWidth, depth = cfg.bankDepth;
  const text = header('af_accbank', 'accumulator bank (asynchronous read, synchronous write)', cfg, {
    DEPTH: depth, ACCW: acw, ROWW: rw,
  }) + `// One address port: the crossbar accumulates into it while computing; init and drain
// read and clear it row by row. Sums wrap in two's complement at ${acw} bits.
module af_accbank (
  input  wire              clk,
  input  wire              acc_we,
  input  wire [${rw - 1}:0] acc_row,
  input  wire [${acw - 1}:0] acc_data,
  input  wire              clr_we,
  input  wire [${rw - 1}:0] clr_row,
  output wire [${acw - 1}:0] rd_data,
  output wire [${acw - 1}:0] sum
);
  reg  [${acw - 1}:0] mem [0:${depth - 1}];
  wire [${rw - 1}:0] row = clr_we ? clr_row : acc_row;

  assign rd_data = mem[row];
  assign sum = rd_data + acc_data;

  always @(posedge clk) begin
    if (clr_we) mem[row] <= ${acw}'d0;
    else if (acc_we) mem[row] <= sum;
  end
endmodule
` + footer;
  return { name: 'af_accbank', file: 'af_accbank.v', text };
}
