/**
 * af_pe: one sparse outer-product PE. Two machines share it:
 *   loader  IDLE (take a job descriptor) -> LOAD (A and B vectors, one of each a cycle, into
 *           the job's operand slot) -> HOLD (loaded, until the engine starts it) -> IDLE;
 *   engine  INIT (clear every accumulator row) -> IDLE -> COMPUTE (pairs through multiply,
 *           crossbar, accumulate) -> WAIT (for the array's drain grant) -> DRAIN (one
 *           accumulator row a cycle, cleared as it is read, when the job asks) -> IDLE.
 * The operand buffers and ANT's box memories have two slots (generator/opbuf.ts), so the next
 * job loads while this one computes and drains; the engine starts a loaded job in the cycle it
 * becomes free (compute done, last drain row, last INIT row, or IDLE), without a bubble.
 * Pipeline in COMPUTE: sequencer -> buffer read (stage M: multiply + coordinates) -> stage X
 * (crossbar, accumulate). The mon_* ports expose what the testbench traces; leave them
 * unconnected in a system.
 */
import { type HwConfig, derive } from './config.ts';
import { COUNTER_NAMES } from './counters.ts';
import { jobLayout, laneLayout, type LaneFieldName } from './layout.ts';
import { header, footer, slice, resize, zext, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts, instance } from './ports.ts';
import { seqPorts } from './seq.ts';
import { rangePorts } from './range.ts';
import { OPBUF_PORTS, opbufParams } from './opbuf.ts';
import { mularrayPorts } from './mularray.ts';
import { coordPorts } from './coord.ts';
import { xbarPorts } from './xbar.ts';
import { accbankPorts } from './accbank.ts';

/** af_pe's ports. af_array connects them by this list; the perf_* ports follow COUNTER_NAMES. */
export function pePorts(cfg: HwConfig): Signature {
  const d = derive(cfg);
  const job = jobLayout(cfg), lw = laneLayout(cfg).width;
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw } = cfg;
  const rw = d.rowWidth;
  return [
    input('clk'), input('rst'),
    comment('Job descriptor stream.'),
    input('job_valid'), output('job_ready'), input('job_data', job.width),
    comment(`Stationary operand (A) vectors: ${I} lanes of ${lw} bits.`),
    input('a_valid'), output('a_ready'), input('a_data', I * lw),
    comment(`Streamed operand (B) vectors: ${F} lanes of ${lw} bits.`),
    input('b_valid'), output('b_ready'), input('b_data', F * lw),
    comment(`Drained accumulator rows (bank k at bits [k*${acw} +: ${acw}]).`),
    output('out_valid'), output('out_row', rw), output('out_data', B * acw),
    comment('idle: nothing loading, held or running.'),
    output('idle'),
    comment('job_start: the engine starts the loaded job (the array moves that job\'s fields to its drain).'),
    output('job_start'),
    comment('Drain handshake with the array: the PE waits after computing until granted;'),
    comment('drain_merge: its rows go into the group\'s adder tree, not out of its port (counted).'),
    output('drain_wait'), input('drain_go'), input('drain_merge'),
    comment(`Performance counters (wrap at ${ctw} bits).`),
    ...COUNTER_NAMES.map((c) => output(`perf_${c}`, ctw, { reg: true })),
    comment('Trace port for the testbench.'),
    output('mon_issue'), output('mon_issue_a', d.aIdxWidth), output('mon_issue_b', d.bIdxWidth),
    output('mon_acc_we', B), output('mon_acc_row', B * rw), output('mon_acc_sum', B * acw),
  ];
}

/**
 * One wire per job descriptor field (nA -> n_a), sliced from a job register; `only` keeps some
 * fields, `prefix` names them apart (the loader's job: ld_n_a).
 */
function jobRegisters(job: ReturnType<typeof jobLayout>, reg = 'job_q', prefix = '', only?: string[]): string {
  const range = (w: number) => (w === 1 ? '' : `[${w - 1}:0]`);
  const fields = job.fields.filter((f) => !only || only.includes(f.name));
  const w = Math.max(...fields.map((f) => range(f.width).length));
  return fields.map((f) => {
    const name = prefix + f.name.replace(/[A-Z]+/g, (m) => `_${m.toLowerCase()}`);
    return `  wire ${range(f.width).padEnd(w)} ${name} = ${slice(reg, job, f.name)};`;
  }).join('\n');
}

/** Fields the loader reads: its counts, and what ANT's B thresholds are formed with as B loads. */
const LOADER_FIELDS = ['nA', 'nB', 'signB', 'offY', 'offX', 'limY', 'limX'];

/** The localparam naming each lane field's width (lv is one bit). */
const FIELD_WIDTH: Record<LaneFieldName, string> = { val: 'DW', x: 'CW', y: 'CW', c: 'CHW', g: 'GW', lv: '' };
const fieldLo = (f: LaneFieldName) => `${f.toUpperCase()}_LO`;

/**
 * Per-field buses of every lane of a packed vector, `<vec>_<field>` with lane l at [l*w +: w],
 * declared once and unpacked by a generate loop (genvar ln) rather than sliced inline where used.
 */
function unpackLanes(vec: string, lanes: 'F' | 'I', fields: LaneFieldName[]): string {
  const range = (f: LaneFieldName) => (FIELD_WIDTH[f] ? `[${lanes}*${FIELD_WIDTH[f]}-1:0]` : `[${lanes}-1:0]`);
  const w = Math.max(...fields.map((f) => range(f).length));
  const decls = fields.map((f) => `  wire ${range(f).padEnd(w)} ${vec}_${f};`);
  const assigns = fields.map((f) => FIELD_WIDTH[f]
    ? `      assign ${vec}_${f}[ln*${FIELD_WIDTH[f]} +: ${FIELD_WIDTH[f]}] = ${vec}[ln*LW + ${fieldLo(f)} +: ${FIELD_WIDTH[f]}];`
    : `      assign ${vec}_${f}[ln] = ${vec}[ln*LW + ${fieldLo(f)}];`);
  return `  // Lane fields of ${vec}.
${decls.join('\n')}
  generate
    for (ln = 0; ln < ${lanes}; ln = ln + 1) begin : g_${vec}
${assigns.join('\n')}
    end
  endgenerate`;
}


export function genPe(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const job = jobLayout(cfg), lane = laneLayout(cfg);
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, coordWidth: cw, chanWidth: chw, tagWidth: gw, dataWidth: dw } = cfg;
  const P = F * I, lw = lane.width, rw = d.rowWidth, aw = d.addrWidth;
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acn = d.aCountWidth, bcn = d.bCountWidth;
  const drw = job.fields.find((f) => f.name === 'drainRows')!.width;
  const pcw = Math.max(1, Math.ceil(Math.log2(P + 1)));
  const rowCnt = Math.max(rw, drw);
  const counters = COUNTER_NAMES;
  const ant = cfg.ant !== 'off';
  const L = cfg.antLookahead;
  const vw = d.lookCountWidth;
  const widths = { F, I, BANKS: B, BANK_DEPTH: cfg.bankDepth, DW: dw, ACCW: acw, A_DEPTH: cfg.aDepth, B_DEPTH: cfg.bDepth,
    CW: cw, CHW: chw, GW: gw, CTRW: ctw, LW: lw };
  // Where each field sits in a lane (lane l of a vector at [l*LW +: LW]).
  const offsets = Object.fromEntries(lane.fields.map((f) => [fieldLo(f.name), lane.offsets[f.name]]));
  const opbuf = opbufParams(cfg);
  const ldFields = ant ? LOADER_FIELDS : ['nA', 'nB'];
  const body = `  genvar ln, k;
  localparam [2:0] S_INIT = 3'd0, S_IDLE = 3'd1, S_COMPUTE = 3'd3, S_WAIT = 3'd4, S_DRAIN = 3'd5;
  localparam [1:0] L_IDLE = 2'd0, L_LOAD = 2'd1, L_HOLD = 2'd2;
  reg  [2:0] state;
  reg  [1:0] ld_state;
  reg  [${job.width - 1}:0] job_q;
  reg  [${job.width - 1}:0] ld_job_q;
  // Operand slots: the loader fills ld_slot, the engine's job reads run_slot.
  reg  ld_slot, run_slot;
  reg  [${acn - 1}:0] a_cnt;
  reg  [${bcn - 1}:0] b_cnt;
  reg  [${rowCnt - 1}:0] row_cnt;

  // The running job's registers, and what the loader reads of the loading job's.
${jobRegisters(job)}
${jobRegisters(job, 'ld_job_q', 'ld_', ldFields)}
  // The rest of the loading job's descriptor is read once it runs (from job_q).
  wire unused_ld_job = &{1'b0, ld_job_q, 1'b0};

  // ---- LOADER: both buffers fill in parallel, one vector each per cycle, into slot ld_slot.
  assign job_ready = ld_state == L_IDLE;
  assign a_ready = ld_state == L_LOAD && a_cnt != ld_n_a;
  assign b_ready = ld_state == L_LOAD && b_cnt != ld_n_b;
  wire a_fire = a_valid && a_ready;
  wire b_fire = b_valid && b_ready;
  wire [${acn - 1}:0] a_cnt_next = a_cnt + ${zext('a_fire', 1, acn)};
  wire [${bcn - 1}:0] b_cnt_next = b_cnt + ${zext('b_fire', 1, bcn)};
  wire load_done = ld_state == L_LOAD && a_cnt_next == ld_n_a && b_cnt_next == ld_n_b;
  wire loaded = load_done || ld_state == L_HOLD;
  // The engine starts the loaded job when it is free (below); its sequencer sees that job's
  // counts and its boxes' slot from the start cycle on.
  wire eng_start;
  wire [${acn - 1}:0] seq_n_a = eng_start ? ld_n_a : n_a;
  wire [${bcn - 1}:0] seq_n_b = eng_start ? ld_n_b : n_b;
${ant ? `  wire rd_slot = eng_start ? ld_slot : run_slot;
` : ''}
  // ---- COMPUTE: sequencer, stage M (buffer read data, multiply, coordinates), stage X.
  wire seq_busy;
  wire seq_valid;
  wire [${vw - 1}:0] seq_visited;
  wire [${aiw - 1}:0] seq_a;
  wire [${biw - 1}:0] seq_b;
  reg  m_valid;
  wire x_ready, x_stall;
  wire m_ready = !m_valid || x_ready;
  wire issue = seq_valid && m_ready;
  wire x_take = m_valid && x_ready;
  wire [${I * lw - 1}:0] m_a;
  wire [${F * lw - 1}:0] m_b;
${ant ? `
${unpackLanes('a_data', 'I', ['lv', 'y', 'x', 'g'])}
${unpackLanes('b_data', 'F', ['lv', 'y', 'x', 'g'])}
  // ANT: the indices-range unit records vector boxes as they load and range-tests candidates.
  wire [${L - 1}:0] rng_feas, rng_below, rng_above;
  wire rng_low_up;
  wire [${acn - 1}:0] seq_rd_a;
  wire [${biw - 1}:0] seq_rd_b;
${instance('af_range', 'u_range', rangePorts(cfg), {
    clk: 'clk',
    a_we: 'a_fire', a_wslot: 'ld_slot', a_widx: resize('a_cnt', acn, aiw, false), a_lv: 'a_data_lv', a_y: 'a_data_y', a_x: 'a_data_x', a_g: 'a_data_g',
    b_we: 'b_fire', b_wslot: 'ld_slot', b_widx: resize('b_cnt', bcn, biw, false), b_lv: 'b_data_lv', b_y: 'b_data_y', b_x: 'b_data_x', b_g: 'b_data_g',
    sign_a: 'sign_a', sign_b: 'ld_sign_b', match_en: 'match_en', win_tag: 'win_tag',
    off_y: 'ld_off_y', off_x: 'ld_off_x', lim_y: 'ld_lim_y', lim_x: 'ld_lim_x',
    rd_slot: 'rd_slot', rd_a: 'seq_rd_a', rd_b: 'seq_rd_b',
    feas: 'rng_feas', below: 'rng_below', above: 'rng_above', low_up: 'rng_low_up',
  })}` : ''}
${instance('af_seq', 'u_seq', seqPorts(cfg), {
    clk: 'clk', rst: 'rst', start: 'eng_start', n_a: 'seq_n_a', n_b: 'seq_n_b', advance: 'm_ready',
    ...(ant ? { feas: 'rng_feas', below: 'rng_below', above: 'rng_above', low_up: 'rng_low_up', rd_a: 'seq_rd_a', rd_b: 'seq_rd_b' } : {}),
    busy: 'seq_busy', issue_valid: 'seq_valid', issue_a: 'seq_a', issue_b: 'seq_b', visited: 'seq_visited',
  })}${ant ? '' : `
  // The ANT-only job register has no reader in the baseline PE.
  wire unused_win_tag = &{1'b0, win_tag, 1'b0};`}

${instance('af_opbuf', 'u_abuf', OPBUF_PORTS, {
    clk: 'clk', wr_en: 'a_fire', wr_slot: 'ld_slot', wr_idx: resize('a_cnt', acn, aiw, false), wr_data: 'a_data',
    rd_en: 'm_ready', rd_slot: 'run_slot', rd_idx: 'seq_a', rd_data: 'm_a',
  }, opbuf.a)}
${instance('af_opbuf', 'u_bbuf', OPBUF_PORTS, {
    clk: 'clk', wr_en: 'b_fire', wr_slot: 'ld_slot', wr_idx: resize('b_cnt', bcn, biw, false), wr_data: 'b_data',
    rd_en: 'm_ready', rd_slot: 'run_slot', rd_idx: 'seq_b', rd_data: 'm_b',
  }, opbuf.b)}

${unpackLanes('m_a', 'I', ['val', 'lv', 'y', 'x', 'c', 'g'])}
${unpackLanes('m_b', 'F', ['val', 'lv', 'y', 'x', 'c', 'g'])}
  wire [${P * acw - 1}:0] m_prod;
  wire [${P - 1}:0] m_lanes, m_pvalid;
  wire [${P * aw - 1}:0] m_addr;
${instance('af_mularray', 'u_mul', mularrayPorts(cfg), {
    a_val: 'm_a_val', b_val: 'm_b_val', ...(cfg.gating === 'lanes' ? { en: 'm_pvalid' } : {}), prod: 'm_prod',
  })}
${instance('af_coord', 'u_coord', coordPorts(cfg), {
    a_lv: 'm_a_lv', a_y: 'm_a_y', a_x: 'm_a_x', a_c: 'm_a_c', a_g: 'm_a_g',
    b_lv: 'm_b_lv', b_y: 'm_b_y', b_x: 'm_b_x', b_c: 'm_b_c', b_g: 'm_b_g',
    sign_a: 'sign_a', sign_b: 'sign_b', match_en: 'match_en', off_y: 'off_y', off_x: 'off_x',
    lim_y: 'lim_y', lim_x: 'lim_x', stride_ac: 'stride_ac', stride_bc: 'stride_bc', off_addr: 'off_addr',
    p_lanes: 'm_lanes', p_valid: 'm_pvalid', p_addr: 'm_addr',
  })}

  wire [${B - 1}:0] xb_we;
  wire [${B * rw - 1}:0] xb_row;
  wire [${B * acw - 1}:0] xb_data;
${instance('af_xbar', 'u_xbar', xbarPorts(cfg), {
    clk: 'clk', rst: 'rst', take: 'x_take', in_valid: 'm_pvalid', in_addr: 'm_addr', in_prod: 'm_prod',
    ready: 'x_ready', stall: 'x_stall', bank_we: 'xb_we', bank_row: 'xb_row', bank_data: 'xb_data',
  })}
  wire compute_done = state == S_COMPUTE && !seq_busy && !m_valid && x_ready;

  // ---- Accumulator banks; INIT and DRAIN clear row row_cnt of every bank.
  wire clr = state == S_INIT || state == S_DRAIN;
  wire [${rw - 1}:0] clr_row = ${resize('row_cnt', rowCnt, rw, false)};
  generate
    for (k = 0; k < BANKS; k = k + 1) begin : g_bank
${instance('af_accbank', 'u_bank', accbankPorts(cfg), {
    clk: 'clk', acc_we: 'xb_we[k]', acc_row: `xb_row[k*${rw} +: ${rw}]`, acc_data: `xb_data[k*${acw} +: ${acw}]`,
    clr_we: 'clr', clr_row: 'clr_row', rd_data: `out_data[k*${acw} +: ${acw}]`, sum: `mon_acc_sum[k*${acw} +: ${acw}]`,
  }, {}, '      ')}
    end
  endgenerate
  wire last_init_row = row_cnt == ${rowCnt}'d${cfg.bankDepth - 1};
  wire last_drain_row = row_cnt == ${resize('drain_rows', drw, rowCnt, false)} - ${rowCnt}'d1;
  wire drains = drain && drain_rows != ${drw}'d0;
  // The engine is free in IDLE and in the last cycle of INIT, COMPUTE (without a drain) and
  // DRAIN: a started job's first accumulator write comes cycles after those rows are cleared.
  wire eng_free = state == S_IDLE || (state == S_INIT && last_init_row) || (compute_done && !drains)
                  || (state == S_DRAIN && last_drain_row);
  assign eng_start = eng_free && loaded;
  assign job_start = eng_start;

  assign out_valid = state == S_DRAIN;
  assign out_row = clr_row;
  assign idle = state == S_IDLE && ld_state == L_IDLE;
  assign drain_wait = state == S_WAIT;

  // ---- Control.
  always @(posedge clk) begin
    if (rst) begin
      state <= S_INIT;
      ld_state <= L_IDLE;
      job_q <= ${job.width}'d0;
      ld_job_q <= ${job.width}'d0;
      ld_slot <= 1'b1;
      run_slot <= 1'b0;
      a_cnt <= ${acn}'d0;
      b_cnt <= ${bcn}'d0;
      row_cnt <= ${rowCnt}'d0;
      m_valid <= 1'b0;
    end else begin
      m_valid <= issue || (m_valid && !x_take);
      // Loader. Jobs alternate slots: the one it fills was read by the job before the
      // running one, which has finished computing.
      case (ld_state)
        L_IDLE: if (job_valid) begin
          ld_job_q <= job_data;
          ld_slot <= !ld_slot;
          a_cnt <= ${acn}'d0;
          b_cnt <= ${bcn}'d0;
          ld_state <= L_LOAD;
        end
        L_LOAD: begin
          a_cnt <= a_cnt_next;
          b_cnt <= b_cnt_next;
          if (load_done) ld_state <= eng_start ? L_IDLE : L_HOLD;
        end
        L_HOLD: if (eng_start) ld_state <= L_IDLE;
        default: ld_state <= L_IDLE;
      endcase
      // Engine.
      if (eng_start) begin
        job_q <= ld_job_q;
        run_slot <= ld_slot;
      end
      case (state)
        S_INIT: begin
          row_cnt <= last_init_row ? ${rowCnt}'d0 : row_cnt + ${rowCnt}'d1;
          if (last_init_row) state <= eng_start ? S_COMPUTE : S_IDLE;
        end
        S_IDLE: if (eng_start) state <= S_COMPUTE;
        S_COMPUTE: if (compute_done) state <= drains ? S_WAIT : eng_start ? S_COMPUTE : S_IDLE;
        S_WAIT: if (drain_go) state <= S_DRAIN;
        S_DRAIN: begin
          row_cnt <= last_drain_row ? ${rowCnt}'d0 : row_cnt + ${rowCnt}'d1;
          if (last_drain_row) state <= eng_start ? S_COMPUTE : S_IDLE;
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
      perf_visited <= perf_visited + ${zext('seq_visited', vw, ctw)};
      perf_skipped <= perf_skipped + ${zext('seq_visited', vw, ctw)} - ${zext('issue', 1, ctw)};
      if (out_valid) perf_drained <= perf_drained + ${ctw}'d1;
      if (out_valid && drain_merge) perf_merged <= perf_merged + ${ctw}'d1;
    end
  end

  assign mon_issue = issue;
  assign mon_issue_a = seq_a;
  assign mon_issue_b = seq_b;
  assign mon_acc_we = xb_we;
  assign mon_acc_row = xb_row;
`;
  const text = header('af_pe', 'sparse outer-product PE (SCNN-like), top level', cfg, { ...widths, ant: cfg.ant }) + `module af_pe (
${declarePorts(pePorts(cfg))}
);
  // With --hierarchical, af_pe is verilated and compiled once and instantiated N times
  // (a large array builds in a minute instead of many); other tools read a comment.
  /*verilator hier_block*/
${localparams(widths, body)}  // Lane layout: field offsets in a lane of LW bits.
${localparams(offsets, body)}${body}endmodule
` + footer;
  return { name: 'af_pe', file: 'af_pe.v', text };
}
