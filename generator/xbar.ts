/**
 * af_xbar: the scatter crossbar from the F x I products to the accumulator banks, with
 * deterministic bank-conflict serialization. A pair stays in this stage for
 * max(1, most valid products landing in one bank) cycles; each cycle every bank takes its
 * lowest-numbered pending product (p = f*I + i).
 */
import { type HwConfig, derive } from './config.ts';
import { header, footer, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, declarePorts } from './ports.ts';

export function xbarPorts(cfg: HwConfig): Signature {
  const d = derive(cfg), P = cfg.F * cfg.I, B = cfg.banks, acw = cfg.accWidth;
  return [
    input('clk'), input('rst'), input('take'),
    input('in_valid', P), input('in_addr', P * d.addrWidth), input('in_prod', P * acw),
    output('ready'), output('stall'),
    output('bank_we', B), output('bank_row', B * d.rowWidth), output('bank_data', B * acw),
  ];
}

export function genXbar(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const P = cfg.F * cfg.I;
  const aw = d.addrWidth, acw = cfg.accWidth, bb = d.bankBits, rw = d.rowWidth, B = cfg.banks;
  const bankOf = (p: string) => (bb === 0 ? '' : `pend_addr[${p}*${aw} +: ${bb}]`);
  const rowOf = (p: string) => (aw > bb ? (aw - bb === rw ? `pend_addr[${p}*${aw} + ${bb} +: ${rw}]` : `{${rw - (aw - bb)}'d0, pend_addr[${p}*${aw} + ${bb} +: ${aw - bb}]}`) : `${rw}'d0`);
  const widths = { P, BANKS: B, AW: aw, ACCW: acw, ROWW: rw };
  const body = `  reg               busy;
  reg  [P-1:0]      pend;
  reg  [P*AW-1:0]   pend_addr;
  reg  [P*ACCW-1:0] pend_prod;
  wire [P-1:0]      granted;
  wire [P-1:0]      grant_of_bank [0:BANKS-1];

  genvar b;
  generate
    for (b = 0; b < BANKS; b = b + 1) begin : g_bank
${bb === 0 ? '' : `      localparam [${bb - 1}:0] BANK = b;
`}      reg [P-1:0]    want;
      reg [ROWW-1:0] row;
      reg [ACCW-1:0] data;
      integer p;
      always @* begin
        for (p = 0; p < ${P}; p = p + 1)
          want[p] = pend[p]${bb === 0 ? '' : ` && (${bankOf('p')} == BANK)`};
      end
      // Lowest pending product wins the bank this cycle.
      wire [${P - 1}:0] grant = want & (~want + ${P}'d1);
      always @* begin
        row = ${rw}'d0;
        data = ${acw}'d0;
        for (p = 0; p < ${P}; p = p + 1)
          if (grant[p]) begin
            row = row | ${rowOf('p')};
            data = data | pend_prod[p*${acw} +: ${acw}];
          end
      end
      assign grant_of_bank[b] = grant;
      assign bank_we[b] = |want;
      assign bank_row[b*${rw} +: ${rw}] = row;
      assign bank_data[b*${acw} +: ${acw}] = data;
    end
  endgenerate

  // OR of the banks' grants: the products that leave this cycle.
  reg [${P - 1}:0] granted_r;
  integer k;
  always @* begin
    granted_r = ${P}'d0;
    for (k = 0; k < ${B}; k = k + 1) granted_r = granted_r | grant_of_bank[k];
  end
  assign granted = granted_r;

  wire last = (pend & ~granted) == ${P}'d0;
  assign ready = !busy || last;
  assign stall = busy && !last;

  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      pend <= ${P}'d0;
      pend_addr <= ${P * aw}'d0;
      pend_prod <= ${P * acw}'d0;
    end else if (take) begin
      busy <= 1'b1;
      pend <= in_valid;
      pend_addr <= in_addr;
      pend_prod <= in_prod;
    end else if (last) begin
      busy <= 1'b0;
      pend <= ${P}'d0;
    end else begin
      pend <= pend & ~granted;
    end
  end
`;
  const text = header('af_xbar', 'scatter crossbar with bank-conflict serialization', cfg, widths) + `module af_xbar (
${declarePorts(xbarPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_xbar', file: 'af_xbar.v', text };
}
