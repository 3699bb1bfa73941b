/** af_opbuf: an operand vector buffer (one write port for loading, one synchronous read port). */
import { type HwConfig, derive } from './config.ts';
import { laneLayout } from './layout.ts';
import { header, footer, type VModule } from './verilog.ts';
import { type Signature, input, output, declarePorts } from './ports.ts';

/** af_opbuf's ports, sized by its parameters. */
export const OPBUF_PORTS: Signature = [
  input('clk'), input('wr_en'), input('wr_idx', 'IDXW'), input('wr_data', 'WIDTH'),
  input('rd_en'), input('rd_idx', 'IDXW'), output('rd_data', 'WIDTH', { reg: true }),
];

/** The parameters of af_pe's two buffers: A (stationary) and B (streamed) vectors. */
export function opbufParams(cfg: HwConfig) {
  const d = derive(cfg), lw = laneLayout(cfg).width;
  return {
    a: { DEPTH: cfg.aDepth, IDXW: d.aIdxWidth, WIDTH: cfg.I * lw },
    b: { DEPTH: cfg.bDepth, IDXW: d.bIdxWidth, WIDTH: cfg.F * lw },
  };
}

export function genOpbuf(cfg: HwConfig): VModule {
  const p = opbufParams(cfg);
  const text = header('af_opbuf', 'operand vector buffer, written while loading, read by the sequencer', cfg, {
    u_abuf: p.a, u_bbuf: p.b,
  }) + `// A block-RAM shaped memory: synchronous read with a read enable, so a stalled pipeline
// keeps the vector it is working on at the read port without re-addressing it.
module af_opbuf #(
  parameter integer DEPTH = 256,
  parameter integer IDXW  = 8,
  parameter integer WIDTH = 32
) (
${declarePorts(OPBUF_PORTS)}
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
