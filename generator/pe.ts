/**
 * af_pe: one sparse outer-product PE. Control is a five-state machine:
 *   INIT (clear every accumulator row) -> IDLE (take a job descriptor) -> LOAD (A and B
 *   vectors, one of each per cycle) -> COMPUTE (pairs through multiply, crossbar, accumulate)
 *   -> WAIT (for the array's drain grant) -> DRAIN (one accumulator row per cycle, cleared as
 *   it is read, when the job asks) -> IDLE.
 * Pipeline in COMPUTE: sequencer -> buffer read (stage M: multiply + coordinates) -> stage X
 * (crossbar, accumulate). The mon_* ports expose what the testbench traces; leave them
 * unconnected in a system.
 */
import { type HwConfig, derive } from './config.ts';
import { COUNTER_NAMES } from './counters.ts';
import { jobLayout, laneLayout } from './layout.ts';
import { header, footer, slice, resize, zext, type VModule } from './verilog.ts';


export function genPe(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const job = jobLayout(cfg), lane = laneLayout(cfg);
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, coordWidth: cw, chanWidth: chw, tagWidth: gw, dataWidth: dw } = cfg;
  const P = F * I, lw = lane.width, rw = d.rowWidth, aw = d.addrWidth;
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acn = d.aCountWidth, bcn = d.bCountWidth;
  const drw = job.fields.find((f) => f.name === 'drainRows')!.width;
  const pcw = Math.max(1, Math.ceil(Math.log2(P + 1)));
  const rowCnt = Math.max(rw, drw);
  // Fields of every lane of a vector, gathered into per-field buses for the datapath blocks.
  const gather = (vec: string, n: number, field: string) =>
    `{${Array.from({ length: n }, (_, l) => n - 1 - l).map((l) => {
      const f = lane.fields.find((x) => x.name === field)!;
      const lo = l * lw + lane.offsets[field];
      return f.width === 1 ? `${vec}[${lo}]` : `${vec}[${lo + f.width - 1}:${lo}]`;
    }).join(', ')}}`;
  const counters = COUNTER_NAMES;
  const ant = cfg.ant !== 'off';
  const L = cfg.antLookahead;
  const text = header('af_pe', 'sparse outer-product PE (SCNN-like), top level', cfg, {
    F, I, BANKS: B, BANK_DEPTH: cfg.bankDepth, DW: dw, ACCW: acw, A_DEPTH: cfg.aDepth, B_DEPTH: cfg.bDepth,
    CW: cw, CHW: chw, GW: gw, CTRW: ctw, ant: cfg.ant,
  }) + `module af_pe (
  input  wire              clk,
  input  wire              rst,
  // Job descriptor stream.
  input  wire              job_valid,
  output wire              job_ready,
  input  wire [${job.width - 1}:0] job_data,
  // Stationary operand (A) vectors: ${I} lanes of ${lw} bits.
  input  wire              a_valid,
  output wire              a_ready,
  input  wire [${I * lw - 1}:0] a_data,
  // Streamed operand (B) vectors: ${F} lanes of ${lw} bits.
  input  wire              b_valid,
  output wire              b_ready,
  input  wire [${F * lw - 1}:0] b_data,
  // Drained accumulator rows (bank k at bits [k*${acw} +: ${acw}]).
  output wire              out_valid,
  output wire [${rw - 1}:0] out_row,
  output wire [${B * acw - 1}:0] out_data,
  output wire              idle,
  // Drain handshake with the array: the PE waits after computing until granted.
  output wire              drain_wait,
  input  wire              drain_go,
  // Performance counters (wrap at ${ctw} bits).
${counters.map((c) => `  output reg  [${ctw - 1}:0] perf_${c},`).join('\n')}
  // Trace port for the testbench.
  output wire              mon_issue,
  output wire [${aiw - 1}:0] mon_issue_a,
  output wire [${biw - 1}:0] mon_issue_b,
  output wire [${B - 1}:0] mon_acc_we,
  output wire [${B * rw - 1}:0] mon_acc_row,
  output wire [${B * acw - 1}:0] mon_acc_sum
);
  localparam [2:0] S_INIT = 3'd0, S_IDLE = 3'd1, S_LOAD = 3'd2, S_COMPUTE = 3'd3, S_WAIT = 3'd4, S_DRAIN = 3'd5;
  reg  [2:0] state;
  reg  [${job.width - 1}:0] job_q;
  reg  [${acn - 1}:0] a_cnt;
  reg  [${bcn - 1}:0] b_cnt;
  reg  [${rowCnt - 1}:0] row_cnt;

  // Job registers.
  wire [${acn - 1}:0] n_a = ${slice('job_q', job, 'nA')};
  wire [${bcn - 1}:0] n_b = ${slice('job_q', job, 'nB')};
  wire sign_a = ${slice('job_q', job, 'signA')};
  wire sign_b = ${slice('job_q', job, 'signB')};
  wire match_en = ${slice('job_q', job, 'matchEn')};
  wire drain = ${slice('job_q', job, 'drain')};
  wire win_tag = ${slice('job_q', job, 'winTag')};
  wire [${d.ocWidth - 1}:0] off_y = ${slice('job_q', job, 'offY')};
  wire [${d.ocWidth - 1}:0] off_x = ${slice('job_q', job, 'offX')};
  wire [${cw}:0] lim_y = ${slice('job_q', job, 'limY')};
  wire [${cw}:0] lim_x = ${slice('job_q', job, 'limX')};
  wire [${aw - 1}:0] stride_ac = ${slice('job_q', job, 'strideAC')};
  wire [${aw - 1}:0] stride_bc = ${slice('job_q', job, 'strideBC')};
  wire [${aw - 1}:0] off_addr = ${slice('job_q', job, 'offAddr')};
  wire [${drw - 1}:0] drain_rows = ${slice('job_q', job, 'drainRows')};

  // ---- LOAD: both buffers fill in parallel, one vector each per cycle.
  assign job_ready = state == S_IDLE;
  assign a_ready = state == S_LOAD && a_cnt != n_a;
  assign b_ready = state == S_LOAD && b_cnt != n_b;
  wire a_fire = a_valid && a_ready;
  wire b_fire = b_valid && b_ready;
  wire [${acn - 1}:0] a_cnt_next = a_cnt + ${zext('a_fire', 1, acn)};
  wire [${bcn - 1}:0] b_cnt_next = b_cnt + ${zext('b_fire', 1, bcn)};
  wire load_done = state == S_LOAD && a_cnt_next == n_a && b_cnt_next == n_b;

  // ---- COMPUTE: sequencer, stage M (buffer read data, multiply, coordinates), stage X.
  wire seq_busy;
  wire seq_valid;
  wire [4:0] seq_visited;
  wire [${aiw - 1}:0] seq_a;
  wire [${biw - 1}:0] seq_b;
  reg  m_valid;
  wire x_ready, x_stall;
  wire m_ready = !m_valid || x_ready;
  wire issue = seq_valid && m_ready;
  wire x_take = m_valid && x_ready;
  wire [${I * lw - 1}:0] m_a;
  wire [${F * lw - 1}:0] m_b;

${ant ? `  // ANT: the indices-range unit records vector boxes as they load and range-tests candidates.
  wire [${L - 1}:0] rng_feas, rng_below, rng_above;
  wire rng_low_up;
  wire [${acn - 1}:0] seq_rd_a;
  wire [${biw - 1}:0] seq_rd_b;
  af_range u_range (
    .clk(clk),
    .a_we(a_fire), .a_widx(${resize('a_cnt', acn, aiw, false)}), .a_lv(${gather('a_data', I, 'lv')}),
    .a_y(${gather('a_data', I, 'y')}), .a_x(${gather('a_data', I, 'x')}), .a_g(${gather('a_data', I, 'g')}),
    .b_we(b_fire), .b_widx(${resize('b_cnt', bcn, biw, false)}), .b_lv(${gather('b_data', F, 'lv')}),
    .b_y(${gather('b_data', F, 'y')}), .b_x(${gather('b_data', F, 'x')}), .b_g(${gather('b_data', F, 'g')}),
    .sign_a(sign_a), .sign_b(sign_b), .match_en(match_en), .win_tag(win_tag),
    .off_y(off_y), .off_x(off_x), .lim_y(lim_y), .lim_x(lim_x),
    .rd_a(seq_rd_a), .rd_b(seq_rd_b),
    .feas(rng_feas), .below(rng_below), .above(rng_above), .low_up(rng_low_up)
  );
  af_seq u_seq (
    .clk(clk), .rst(rst), .start(load_done), .n_a(n_a), .n_b(n_b), .advance(m_ready),
    .feas(rng_feas), .below(rng_below), .above(rng_above), .low_up(rng_low_up),
    .busy(seq_busy), .issue_valid(seq_valid), .issue_a(seq_a), .issue_b(seq_b),
    .rd_a(seq_rd_a), .rd_b(seq_rd_b), .visited(seq_visited)
  );` : `  af_seq u_seq (
    .clk(clk), .rst(rst), .start(load_done), .n_a(n_a), .n_b(n_b), .advance(m_ready),
    .busy(seq_busy), .issue_valid(seq_valid), .issue_a(seq_a), .issue_b(seq_b), .visited(seq_visited)
  );
  // The ANT-only job register has no reader in the baseline PE.
  wire unused_win_tag = &{1'b0, win_tag, 1'b0};`}
  af_opbuf #(.DEPTH(${cfg.aDepth}), .IDXW(${aiw}), .WIDTH(${I * lw})) u_abuf (
    .clk(clk), .wr_en(a_fire), .wr_idx(${resize('a_cnt', acn, aiw, false)}), .wr_data(a_data),
    .rd_en(m_ready), .rd_idx(seq_a), .rd_data(m_a)
  );
  af_opbuf #(.DEPTH(${cfg.bDepth}), .IDXW(${biw}), .WIDTH(${F * lw})) u_bbuf (
    .clk(clk), .wr_en(b_fire), .wr_idx(${resize('b_cnt', bcn, biw, false)}), .wr_data(b_data),
    .rd_en(m_ready), .rd_idx(seq_b), .rd_data(m_b)
  );

  wire [${P * acw - 1}:0] m_prod;
  wire [${P - 1}:0] m_lanes, m_pvalid;
  wire [${P * aw - 1}:0] m_addr;
  af_mularray u_mul (.a_val(${gather('m_a', I, 'val')}), .b_val(${gather('m_b', F, 'val')}),${cfg.gating === 'lanes' ? ' .en(m_pvalid),' : ''} .prod(m_prod));
  af_coord u_coord (
    .a_lv(${gather('m_a', I, 'lv')}), .a_y(${gather('m_a', I, 'y')}), .a_x(${gather('m_a', I, 'x')}),
    .a_c(${gather('m_a', I, 'c')}), .a_g(${gather('m_a', I, 'g')}),
    .b_lv(${gather('m_b', F, 'lv')}), .b_y(${gather('m_b', F, 'y')}), .b_x(${gather('m_b', F, 'x')}),
    .b_c(${gather('m_b', F, 'c')}), .b_g(${gather('m_b', F, 'g')}),
    .sign_a(sign_a), .sign_b(sign_b), .match_en(match_en), .off_y(off_y), .off_x(off_x),
    .lim_y(lim_y), .lim_x(lim_x), .stride_ac(stride_ac), .stride_bc(stride_bc), .off_addr(off_addr),
    .p_lanes(m_lanes), .p_valid(m_pvalid), .p_addr(m_addr)
  );

  wire [${B - 1}:0] xb_we;
  wire [${B * rw - 1}:0] xb_row;
  wire [${B * acw - 1}:0] xb_data;
  af_xbar u_xbar (
    .clk(clk), .rst(rst), .take(x_take), .in_valid(m_pvalid), .in_addr(m_addr), .in_prod(m_prod),
    .ready(x_ready), .stall(x_stall), .bank_we(xb_we), .bank_row(xb_row), .bank_data(xb_data)
  );
  wire compute_done = state == S_COMPUTE && !seq_busy && !m_valid && x_ready;

  // ---- Accumulator banks; INIT and DRAIN clear row row_cnt of every bank.
  wire clr = state == S_INIT || state == S_DRAIN;
  wire [${rw - 1}:0] clr_row = ${resize('row_cnt', rowCnt, rw, false)};
  genvar k;
  generate
    for (k = 0; k < ${B}; k = k + 1) begin : g_bank
      af_accbank u_bank (
        .clk(clk), .acc_we(xb_we[k]), .acc_row(xb_row[k*${rw} +: ${rw}]), .acc_data(xb_data[k*${acw} +: ${acw}]),
        .clr_we(clr), .clr_row(clr_row), .rd_data(out_data[k*${acw} +: ${acw}]), .sum(mon_acc_sum[k*${acw} +: ${acw}])
      );
    end
  endgenerate
  wire last_init_row = row_cnt == ${rowCnt}'d${cfg.bankDepth - 1};
  wire last_drain_row = row_cnt == ${resize('drain_rows', drw, rowCnt, false)} - ${rowCnt}'d1;

  assign out_valid = state == S_DRAIN;
  assign out_row = clr_row;
  assign idle = state == S_IDLE;
  assign drain_wait = state == S_WAIT;

  // ---- Control.
  always @(posedge clk) begin
    if (rst) begin
      state <= S_INIT;
      job_q <= ${job.width}'d0;
      a_cnt <= ${acn}'d0;
      b_cnt <= ${bcn}'d0;
      row_cnt <= ${rowCnt}'d0;
      m_valid <= 1'b0;
    end else begin
      m_valid <= issue || (m_valid && !x_take);
      case (state)
        S_INIT: begin
          row_cnt <= last_init_row ? ${rowCnt}'d0 : row_cnt + ${rowCnt}'d1;
          if (last_init_row) state <= S_IDLE;
        end
        S_IDLE: if (job_valid) begin
          job_q <= job_data;
          a_cnt <= ${acn}'d0;
          b_cnt <= ${bcn}'d0;
          state <= S_LOAD;
        end
        S_LOAD: begin
          a_cnt <= a_cnt_next;
          b_cnt <= b_cnt_next;
          if (load_done) state <= S_COMPUTE;
        end
        S_COMPUTE: if (compute_done) state <= (drain && drain_rows != ${drw}'d0) ? S_WAIT : S_IDLE;
        S_WAIT: if (drain_go) state <= S_DRAIN;
        S_DRAIN: begin
          row_cnt <= last_drain_row ? ${rowCnt}'d0 : row_cnt + ${rowCnt}'d1;
          if (last_drain_row) state <= S_IDLE;
        end
        default: state <= S_IDLE;
      endcase
    end
  end

  // ---- Performance counters, counted as a pair enters the crossbar.
  function [${pcw - 1}:0] popcount(input [${P - 1}:0] v);
    integer j;
    begin
      popcount = ${pcw}'d0;
      for (j = 0; j < ${P}; j = j + 1) popcount = popcount + ${zext('v[j]', 1, pcw)};
    end
  endfunction
  wire [${ctw - 1}:0] n_products = {${ctw - pcw}'d0, popcount(m_lanes)};
  wire [${ctw - 1}:0] n_valid = {${ctw - pcw}'d0, popcount(m_pvalid)};
  always @(posedge clk) begin
    if (rst) begin
${counters.map((c) => `      perf_${c} <= ${ctw}'d0;`).join('\n')}
    end else begin
      perf_cycles <= perf_cycles + ${ctw}'d1;
      if (x_take) begin
        perf_pairs <= perf_pairs + ${ctw}'d1;
        perf_products <= perf_products + n_products;
        perf_valid <= perf_valid + n_valid;
        perf_rcps <= perf_rcps + (n_products - n_valid);${cfg.gating === 'lanes' ? `
        perf_gated <= perf_gated + (n_products - n_valid);` : ''}
      end
      if (x_stall) perf_stalls <= perf_stalls + ${ctw}'d1;
      perf_visited <= perf_visited + ${zext('seq_visited', 5, ctw)};
      perf_skipped <= perf_skipped + ${zext('seq_visited', 5, ctw)} - ${zext('issue', 1, ctw)};
    end
  end

  assign mon_issue = issue;
  assign mon_issue_a = seq_a;
  assign mon_issue_b = seq_b;
  assign mon_acc_we = xb_we;
  assign mon_acc_row = xb_row;
endmodule
` + footer;
  return { name: 'af_pe', file: 'af_pe.v', text };
}
