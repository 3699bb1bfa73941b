/** af_accbank: one accumulator bank; read-modify-write per cycle, cleared row by row. */
import { type HwConfig, derive } from './config.ts';
import { header, footer, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, declarePorts } from './ports.ts';

export function accbankPorts(cfg: HwConfig): Signature {
  const rw = derive(cfg).rowWidth, acw = cfg.accWidth;
  return [
    input('clk'), input('acc_we'), input('acc_row', rw), input('acc_data', acw),
    input('clr_we'), input('clr_row', rw), output('rd_data', acw), output('sum', acw),
  ];
}

export function genAccbank(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const acw = cfg.accWidth, rw = d.rowWidth, depth = cfg.bankDepth;
  const widths = { DEPTH: depth, ACCW: acw, ROWW: rw };
  const body = `  reg  [ACCW-1:0] mem [0:DEPTH-1];
  wire [ROWW-1:0] row = clr_we ? clr_row : acc_row;

  assign rd_data = mem[row];
  assign sum = rd_data + acc_data;

  always @(posedge clk) begin
    if (clr_we) mem[row] <= ${acw}'d0;
    else if (acc_we) mem[row] <= sum;
  end
`;
  const text = header('af_accbank', 'accumulator bank (asynchronous read, synchronous write)', cfg, widths) +
    `// One address port: the crossbar accumulates into it while computing; init and drain
// read and clear it row by row. Sums wrap in two's complement at ${acw} bits.
module af_accbank (
${declarePorts(accbankPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_accbank', file: 'af_accbank.v', text };
}
