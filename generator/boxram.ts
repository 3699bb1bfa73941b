/**
 * af_boxram: the memory behind ANT's indices-range unit. It holds one bounding box per loaded
 * vector and returns BANKS consecutive boxes (base, base+1, ...) a cycle.
 *
 * Why banked: the window sequencer examines L consecutive A-vectors a cycle. A flip-flop
 * register file with L read ports costs a depth:1 mux per port and bit, which made the range
 * unit a third of the PE. Interleaving the boxes over BANKS single-ported synchronous RAMs
 * (index mod BANKS picks the bank) gives the same reads from RAM-shaped storage: any BANKS
 * consecutive indices fall into distinct banks.
 *
 * Why it is addressed one cycle ahead: a synchronous read returns data the cycle after its
 * address. The sequencer presents its next state (rd_base), so rd_data belongs to the state
 * the sequencer is in, and the pair schedule is the same as with asynchronous reads.
 * A box written in the cycle it is addressed (the last vectors load while the sequencer
 * starts) is forwarded (write-first).
 */
import type { HwConfig } from './config.ts';
import { header, footer, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts } from './ports.ts';
import { boxramParams } from './range.ts';

/** af_boxram's ports, sized by its parameters. */
export const BOXRAM_PORTS: Signature = [
  input('clk'), input('wr_en'), input('wr_idx', 'ADDRW'), input('wr_data', 'WIDTH'),
  comment('Index of the first box wanted in the next cycle.'),
  input('rd_base', 'ADDRW'),
  comment("Box rd_base+j (of the previous cycle's rd_base) at [j*WIDTH +: WIDTH]."),
  output('rd_data', 'BANKS*WIDTH'),
];

export function genBoxram(cfg: HwConfig): VModule {
  const p = boxramParams(cfg);
  const text = header('af_boxram', 'ANT box memory: banked synchronous RAM, BANKS consecutive boxes a cycle', cfg, {
    u_abox: p.a, u_bbox: p.b,
  }) + `module af_boxram #(
  parameter integer BANKS = 4,   // a power of two, at least 2
  parameter integer BANKW = 2,   // log2(BANKS)
  parameter integer ROWS  = 64,  // rows per bank
  parameter integer ROWW  = 6,   // row address width
  parameter integer ADDRW = 9,   // index width, at least BANKW + ROWW
  parameter integer WIDTH = 40
) (
${declarePorts(BOXRAM_PORTS)}
);
  localparam [ROWW-1:0] ROW_ONE = 1;
  wire [BANKW-1:0] wr_bank = wr_idx[BANKW-1:0];
  wire [ROWW-1:0]  wr_row = wr_idx[BANKW +: ROWW];
  wire [BANKW-1:0] rd_phase = rd_base[BANKW-1:0];
  wire [ROWW-1:0]  rd_row = rd_base[BANKW +: ROWW];
  reg  [BANKW-1:0] phase_q;
  wire [WIDTH-1:0] bank_q [0:BANKS-1];

  always @(posedge clk) phase_q <= rd_phase;

  genvar k;
  generate
    for (k = 0; k < BANKS; k = k + 1) begin : g_bank
      localparam [BANKW-1:0] K = k;
      reg  [WIDTH-1:0] mem [0:ROWS-1];
      reg  [WIDTH-1:0] q;
      // Banks before the base's bank hold the wanted boxes one row further on.
      wire [BANKW:0] to_bank = {1'b0, K} - {1'b0, rd_phase};
      wire [ROWW-1:0] row = to_bank[BANKW] ? rd_row + ROW_ONE : rd_row;
      wire we = wr_en && wr_bank == K;
      always @(posedge clk) begin
        if (we) mem[wr_row] <= wr_data;
        q <= (we && wr_row == row) ? wr_data : mem[row];
      end
      assign bank_q[k] = q;
    end
    // Rotate the banks back into index order.
    for (k = 0; k < BANKS; k = k + 1) begin : g_out
      localparam [BANKW-1:0] J = k;
      wire [BANKW-1:0] src = phase_q + J;
      assign rd_data[k*WIDTH +: WIDTH] = bank_q[src];
    end
    // Indices past the last row only occur for candidates the sequencer does not use.
    if (ADDRW > BANKW + ROWW) begin : g_unused
      wire unused_hi = &{1'b0, wr_idx[ADDRW-1:BANKW+ROWW], rd_base[ADDRW-1:BANKW+ROWW], 1'b0};
    end
  endgenerate
endmodule
` + footer;
  return { name: 'af_boxram', file: 'af_boxram.v', text };
}
