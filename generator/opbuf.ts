/**
 * af_opbuf: a double-buffered operand vector buffer. The loader writes the next job's vectors
 * into one slot while the running job reads its own from the other (SCNN double-buffers its
 * operand RAMs the same way), so loading hides behind computing. Slot s holds vector i at
 * address s x DEPTH + i.
 */
import { type HwConfig, derive, clog2, OPERAND_SLOTS } from './config.ts';
import { laneLayout } from './layout.ts';
import { header, footer, type VModule } from './verilog.ts';
import { type Signature, input, output, declarePorts } from './ports.ts';

/** af_opbuf's ports, sized by its parameters. */
export const OPBUF_PORTS: Signature = [
  input('clk'), input('wr_en'), input('wr_slot'), input('wr_idx', 'IDXW'), input('wr_data', 'WIDTH'),
  input('rd_en'), input('rd_slot'), input('rd_idx', 'IDXW'), output('rd_data', 'WIDTH', { reg: true }),
];

/** The parameters of af_pe's two buffers: A (stationary) and B (streamed) vectors. */
export function opbufParams(cfg: HwConfig) {
  const d = derive(cfg), lw = laneLayout(cfg).width;
  return {
    a: { DEPTH: cfg.aDepth, IDXW: d.aIdxWidth, ADDRW: Math.max(1, clog2(OPERAND_SLOTS * cfg.aDepth)), WIDTH: cfg.I * lw },
    b: { DEPTH: cfg.bDepth, IDXW: d.bIdxWidth, ADDRW: Math.max(1, clog2(OPERAND_SLOTS * cfg.bDepth)), WIDTH: cfg.F * lw },
  };
}

export function genOpbuf(cfg: HwConfig): VModule {
  const p = opbufParams(cfg);
  const text = header('af_opbuf', `operand vector buffer, ${OPERAND_SLOTS} slots: one loading, one read by the sequencer`, cfg, {
    u_abuf: p.a, u_bbuf: p.b,
  }) + `// A block-RAM shaped memory: synchronous read with a read enable, so a stalled pipeline
// keeps the vector it is working on at the read port without re-addressing it.
module af_opbuf #(
  parameter integer DEPTH = 256, // vectors per slot
  parameter integer IDXW  = 8,
  parameter integer ADDRW = 10,  // holds ${OPERAND_SLOTS} x DEPTH
  parameter integer WIDTH = 32
) (
${declarePorts(OPBUF_PORTS)}
);
  localparam integer SLOT1 = DEPTH;
  reg [WIDTH-1:0] mem [0:${OPERAND_SLOTS}*DEPTH-1];
  wire [ADDRW-1:0] wr_addr = {{(ADDRW-IDXW){1'b0}}, wr_idx} + (wr_slot ? SLOT1[ADDRW-1:0] : {ADDRW{1'b0}});
  wire [ADDRW-1:0] rd_addr = {{(ADDRW-IDXW){1'b0}}, rd_idx} + (rd_slot ? SLOT1[ADDRW-1:0] : {ADDRW{1'b0}});

  always @(posedge clk) begin
    if (wr_en) mem[wr_addr] <= wr_data;
    if (rd_en) rd_data <= mem[rd_addr];
  end
endmodule
` + footer;
  return { name: 'af_opbuf', file: 'af_opbuf.v', text };
}
