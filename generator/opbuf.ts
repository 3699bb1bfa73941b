/** af_opbuf: an operand vector buffer (one write port for loading, one synchronous read port). */
import type { HwConfig } from './config.ts';
import { header, footer, type VModule } from './verilog.ts';

export function genOpbuf(cfg: HwConfig): VModule {
  const text = header('af_opbuf', 'operand vector buffer, written while loading, read by the sequencer', cfg, {
    DEPTH: 'per instance', IDXW: 'per instance', WIDTH: 'per instance',
  }) + `// A block-RAM shaped memory: synchronous read with a read enable, so a stalled pipeline
// keeps the vector it is working on at the read port without re-addressing it.
module af_opbuf #(
  parameter integer DEPTH = 256,
  parameter integer IDXW  = 8,
  parameter integer WIDTH = 32
) (
  input  wire             clk,
  input  wire             wr_en,
  input  wire [IDXW-1:0]  wr_idx,
  input  wire [WIDTH-1:0] wr_data,
  input  wire             rd_en,
  input  wire [IDXW-1:0]  rd_idx,
  output reg  [WIDTH-1:0] rd_data
);
  reg [WIDTH-1:0] mem [0:DEPTH-1];

  always @(posedge clk) begin
    if (wr_en) mem[wr_idx] <= wr_data;
    if (rd_en) rd_data <= mem[rd_idx];
  end
endmodule
` + footer;
  return { name: 'af_opbuf', file: 'af_opbuf.v', text };
}
