/**
 * xbar-acc: af_xbar in front of the af_accbank banks, wired as in af_pe. The banks are cleared
 * row by row (as a job's init does), then for XBAR_PAIRS_CYCLES cycles the harness may take a
 * pair whenever the crossbar is ready, with free valid bits, addresses and products (any bank
 * conflict pattern). One free watched address is followed: the number of bank writes to it
 * must equal the number of valid products addressed to it, and once the crossbar has emptied,
 * its drained row must equal their sum (with at most one non-zero product, see below).
 */
import { type HwConfig, derive } from '../../generator/config.ts';
import { accbankPorts } from '../../generator/accbank.ts';
import { instance, byName } from '../../generator/ports.ts';
import { xbarPorts } from '../../generator/xbar.ts';
import { clockCounter, harnessHeader, portWires } from './vlog.ts';

/** Cycles in which pairs may be taken. */
export const XBAR_PAIRS_CYCLES = 3;

/** Clear, take pairs, let the last pair's conflicts drain (at most F*I cycles), check. */
export const xbarDepth = (cfg: HwConfig) => cfg.bankDepth + XBAR_PAIRS_CYCLES + cfg.F * cfg.I + 1;

export function harnessXbar(cfg: HwConfig): string {
  const d = derive(cfg);
  const P = cfg.F * cfg.I, B = cfg.banks, acw = cfg.accWidth, aw = d.addrWidth, rw = d.rowWidth, bb = d.bankBits;
  const tEnd = xbarDepth(cfg) - 1, tTake = cfg.bankDepth, tStop = tTake + XBAR_PAIRS_CYCLES;
  const clk = clockCounter(tEnd + 1);
  const T = (v: number) => `${clk.w}'d${v}`;
  const cntW = Math.ceil(Math.log2(P * XBAR_PAIRS_CYCLES + 2)) + 1;
  const sig = xbarPorts(cfg), asig = accbankPorts(cfg);
  const wRow = aw > bb ? (aw - bb >= rw ? `w[${bb + rw - 1}:${bb}]` : `{${rw - (aw - bb)}'d0, w[${aw - 1}:${bb}]}`) : `${rw}'d0`;
  const bankIs = (b: number) => (bb === 0 ? "1'b1" : `w[${bb - 1}:0] == ${bb}'d${b}`);
  const banks = Array.from({ length: B }, (_, b) => instance('af_accbank', `u_bank_${b}`, asig, {
    clk: 'clk', acc_we: `bank_we[${b}]`, acc_row: `bank_row[${b * rw} +: ${rw}]`, acc_data: `bank_data[${b * acw} +: ${acw}]`,
    clr_we: 'clr_we', clr_row: 'clr_row', rd_data: `rd_${b}`, sum: '',
  })).join('\n');
  const perProduct = Array.from({ length: P }, (_, p) => `in_valid[${p}] && in_addr[${p * aw} +: ${aw}] == w`);
  return harnessHeader('formal_xbar', 'crossbar and accumulators deliver every product exactly once', cfg) + `module formal_xbar (
  input wire clk
);
${portWires(sig, ['clk'])}
${Array.from({ length: B }, (_, b) => `  wire [${acw - 1}:0] rd_${b};`).join('\n')}
  wire [${aw - 1}:0] w = $anyconst;
  wire want_take = $anyseq;
  wire [${P - 1}:0] valid_free = $anyseq;
  wire [${P * aw - 1}:0] addr_free = $anyseq;
  wire [${P * acw - 1}:0] prod_free = $anyseq;
  always @* assume(w < ${aw + 1}'d${B * cfg.bankDepth});
  // At most one non-zero product in the whole run. The crossbar never looks at a product's value
  // (the counts catch a product lost, doubled or misrouted), so one free value is enough to see
  // the data path; with two, the SAT search must prove commutativity of sums and takes minutes.
  // The accumulator's own addition is the accbank property.
  reg [1:0] nonzero = 2'd0;
  wire [2:0] nonzero_now = ${Array.from({ length: P }, (_, p) => `{2'd0, prod_free[${p * acw} +: ${acw}] != ${acw}'d0}`).join(' + ')};
  always @* if (take) assume({1'b0, nonzero} + nonzero_now <= 3'd1);
  always @(posedge clk) if (take) nonzero <= nonzero + nonzero_now[1:0];

${clk.text}
  // Cycles 0..${tTake - 1} clear row t of every bank (the crossbar is reset in cycle 0); pairs may be
  // taken in cycles ${tTake}..${tStop - 1}; cycle ${tEnd} drains the watched row.
  assign rst = t == ${T(0)};
  wire clr_we = t < ${T(tTake)} || t == ${T(tEnd)};
  wire [${rw - 1}:0] clr_row = t == ${T(tEnd)} ? ${wRow} : t[${rw - 1}:0];
  assign take = t >= ${T(tTake)} && t < ${T(tStop)} && want_take && ready;
  assign in_valid = valid_free;
  assign in_addr = addr_free;
  assign in_prod = prod_free;

  // What reaches the watched address: products sent to it, writes into it.
  reg [${acw - 1}:0] exp_sum = ${acw}'d0;
  reg [${cntW - 1}:0] exp_cnt = ${cntW}'d0, got_cnt = ${cntW}'d0;
  wire [${cntW - 1}:0] sent = ${perProduct.map((c) => `{${cntW - 1}'d0, ${c}}`).join('\n    + ')};
  wire [${acw - 1}:0] sent_sum = ${perProduct.map((c, p) => `(${c} ? in_prod[${p * acw} +: ${acw}] : ${acw}'d0)`).join('\n    + ')};
  wire wrote = !clr_we && (${Array.from({ length: B }, (_, b) => `(${bankIs(b)} && bank_we[${b}] && bank_row[${b * rw} +: ${rw}] == ${wRow})`).join('\n    || ')});
  wire [${acw - 1}:0] drained = ${Array.from({ length: B }, (_, b) => `(${bankIs(b)} ? rd_${b} : ${acw}'d0)`).join(' | ')};
  always @(posedge clk) begin
    if (take) begin
      exp_sum <= exp_sum + sent_sum;
      exp_cnt <= exp_cnt + sent;
    end
    if (wrote) got_cnt <= got_cnt + ${cntW}'d1;
  end
  always @* begin
    if (t <= ${T(tEnd)}) xbar_writes_once: assert(got_cnt <= exp_cnt);
    if (t == ${T(tEnd)}) begin
      xbar_emptied: assert(!stall);
      xbar_every_product_written: assert(got_cnt == exp_cnt);
      xbar_drained_sum: assert(drained == exp_sum);
    end
  end

${instance('af_xbar', 'dut', sig, byName(sig))}
${banks}
endmodule
`;
}

/** accbank: af_accbank clears a row, adds two free values into it, and drains their sum. */
export function harnessAccbank(cfg: HwConfig): string {
  const rw = derive(cfg).rowWidth, acw = cfg.accWidth;
  const sig = accbankPorts(cfg);
  const clk = clockCounter(4);
  return harnessHeader('formal_accbank', 'accumulator bank adds', cfg) + `module formal_accbank (
  input wire clk
);
${portWires(sig, ['clk'])}
  wire [${rw - 1}:0] r = $anyconst;
  wire [${acw - 1}:0] va = $anyconst;
  wire [${acw - 1}:0] vb = $anyconst;
  always @* assume(r < ${rw + 1}'d${cfg.bankDepth});
${clk.text}
  // Cycle 0 clears row r, cycles 1 and 2 add va and vb into it, cycle 3 drains it.
  assign clr_we = t == ${clk.w}'d0 || t == ${clk.w}'d3;
  assign clr_row = r;
  assign acc_we = t == ${clk.w}'d1 || t == ${clk.w}'d2;
  assign acc_row = r;
  assign acc_data = t == ${clk.w}'d1 ? va : vb;
  wire unused_sum = &{1'b0, sum, 1'b0};
  always @* if (t == ${clk.w}'d3) accbank_sum: assert(rd_data == va + vb);

${instance('af_accbank', 'dut', sig, byName(sig))}
endmodule
`;
}
