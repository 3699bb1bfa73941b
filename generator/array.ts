/**
 * af_array: the top level, `pes` PEs that run decoupled. Each PE has its own job stream, its
 * own operand streams and its own output port; PEs meet only where data requires it, in
 * aligned groups of 2^groupLog PEs named by each job word (generator/layout.ts
 * arrayJobLayout):
 *   - bcast: the group's first PE's B stream feeds every member in lockstep; the members take
 *     the job in the same cycle, when all of them are idle with it waiting (SCNN's PEs
 *     synchronize per input-channel group in the same way);
 *   - reduce: the members drain together when all of them wait; an adder tree sums their rows
 *     and the group's first PE's port carries the sum (out_reduced); the others stay silent.
 * Any other drain starts as soon as its PE waits, on that PE's port (SCNN gives each PE its own
 * output RAM). Groups at every level come from one AND tree and one adder tree over aligned
 * pairs, so a PE's group of 2^l members is found by indexing level l.
 */
import { type HwConfig, derive, clog2 } from './config.ts';
import { arrayJobLayout, jobLayout, laneLayout } from './layout.ts';
import { header, footer, type VModule } from './verilog.ts';
import { COUNTER_NAMES } from './counters.ts';
import { type Signature, input, output, comment, declarePorts, instance } from './ports.ts';
import { pePorts } from './pe.ts';

/** Levels of the group trees: groups of 1, 2, 4, ... pes PEs (pes rounded up to a power of two). */
export const groupLevels = (cfg: HwConfig) => clog2(cfg.pes) + 1;

/**
 * What af_array is built of beyond its PEs, for the generator below and the area model
 * (golden/cost/area.ts): groups per level (level l: ceil(N / 2^l) aligned groups of 2^l PEs),
 * the adder tree's pair sums per level (each banks adders of accWidth), and the group levels a
 * job word can name (each PE selects its group's AND, B stream and sum among them).
 */
export function arrayStructure(cfg: HwConfig) {
  const N = cfg.pes, L = groupLevels(cfg);
  const gw = arrayJobLayout(cfg).fields.find((f) => f.name === 'groupLog')!.width;
  const slotsAt = Array.from({ length: L }, (_, l) => Math.ceil(N / 2 ** l));
  const pairsAt = slotsAt.map((_, l) => (l === 0 ? 0 : Math.floor(slotsAt[l - 1] / 2)));
  return { levels: L, slotsAt, pairsAt, adders: pairsAt.reduce((a, b) => a + b, 0) * cfg.banks, selectable: 2 ** gw };
}

/**
 * af_array's ports: the design's top level. The simulators' harnesses (testbench/harness.ts,
 * testbench/icarus.ts) and the FPGA shell (testbench/fmax.ts) are derived from this list.
 */
export function arrayPorts(cfg: HwConfig): Signature {
  const d = derive(cfg);
  const jw = jobLayout(cfg).width + arrayJobLayout(cfg).width, lw = laneLayout(cfg).width;
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, pes: N } = cfg;
  const rw = d.rowWidth;
  return [
    input('clk'), input('rst'),
    comment(`Job streams, one per PE: ${jw}-bit words {groupLog, reduce, bcast, descriptor}.`),
    input('job_valid', N), output('job_ready', N), input('job_data', N * jw),
    comment('Stationary operand streams, one per PE.'),
    input('a_valid', N), output('a_ready', N), input('a_data', N * I * lw),
    comment('Streamed operand streams; in a broadcast job a group\'s first stream feeds all its members.'),
    input('b_valid', N), output('b_ready', N), input('b_data', N * F * lw),
    comment('Drained accumulator rows, one port per PE: its own rows, or its group\'s sum (out_reduced).'),
    output('out_valid', N), output('out_reduced', N), output('out_row', N * rw), output('out_data', N * B * acw),
    output('idle'),
    comment(`Per-PE performance counters, PE p at [p*${ctw} +: ${ctw}].`),
    ...COUNTER_NAMES.map((c) => output(`perf_${c}`, N * ctw)),
    comment('Per-PE trace ports for the testbench.'),
    output('mon_issue', N), output('mon_issue_a', N * d.aIdxWidth), output('mon_issue_b', N * d.bIdxWidth),
    output('mon_acc_we', N * B), output('mon_acc_row', N * B * rw), output('mon_acc_sum', N * B * acw),
  ];
}

export function genArray(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const pw = jobLayout(cfg).width, al = arrayJobLayout(cfg), jw = pw + al.width, lw = laneLayout(cfg).width;
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, pes: N } = cfg;
  const aw = I * lw, bw = F * lw, rw = d.rowWidth, aiw = d.aIdxWidth, biw = d.bIdxWidth;
  const L = groupLevels(cfg), gw = al.fields.find((f) => f.name === 'groupLog')!.width;
  const shape = arrayStructure(cfg);
  const OW = B * acw, G = shape.selectable; // G: group levels a job word can name (those past L name the whole array)
  if (G !== 2 ** gw) throw new Error(`af_array: groupLog is ${gw} bits but arrayStructure says ${G} levels`);
  const at = (f: string) => pw + al.offsets[f];
  const slotsAt = shape.slotsAt;
  const lvls = Array.from({ length: L }, (_, l) => l);
  const ands = ['bc_all', 'bready_all', 'wait_all'].map((name) => {
    const base = { bc_all: 'pe_idle & job_valid & head_bcast', bready_all: 'pe_b_ready', wait_all: 'pe_wait' }[name];
    return [`  wire [${N - 1}:0] ${lvls.map((l) => `${name}_l${l}`).join(', ')};`, `  assign ${name}_l0 = ${base};`,
      ...lvls.slice(1).map((l) => `  generate
    for (p = 0; p < ${N}; p = p + 1) begin : g_${name}_l${l}
      if ((p ^ ${2 ** (l - 1)}) < ${N}) begin : g_pair
        assign ${name}_l${l}[p] = ${name}_l${l - 1}[p] & ${name}_l${l - 1}[p ^ ${2 ** (l - 1)}];
      end else begin : g_alone
        assign ${name}_l${l}[p] = ${name}_l${l - 1}[p];
      end
    end
  endgenerate`)].join('\n');
  }).join('\n');
  const sums = [`  wire [${N * OW - 1}:0] psum_l0 = pe_out_data_all;`, ...lvls.slice(1).map((l) => `  wire [${slotsAt[l] * OW - 1}:0] psum_l${l};
  generate
    for (p = 0; p < ${slotsAt[l]}; p = p + 1) begin : g_sum_l${l}
      for (bk = 0; bk < ${B}; bk = bk + 1) begin : g_bank
        if (2*p + 1 < ${slotsAt[l - 1]}) begin : g_pair
          assign psum_l${l}[(p*${B} + bk)*${acw} +: ${acw}] = psum_l${l - 1}[(2*p*${B} + bk)*${acw} +: ${acw}] + psum_l${l - 1}[((2*p + 1)*${B} + bk)*${acw} +: ${acw}];
        end else begin : g_alone
          assign psum_l${l}[(p*${B} + bk)*${acw} +: ${acw}] = psum_l${l - 1}[(2*p*${B} + bk)*${acw} +: ${acw}];
        end
      end
    end
  endgenerate`)].join('\n');
  const text = header('af_array', `array of ${N} decoupled sparse outer-product PEs`, cfg, {
    PES: N, F, I, BANKS: B, ACCW: acw, CTRW: ctw, ant: cfg.ant,
  }) + `module af_array (
${declarePorts(arrayPorts(cfg))}
);
  // The array fields of the job each PE loads (ld: its broadcast B stream), of the job its
  // engine runs (run: its drain), and of the job waiting at the head of its stream.
  reg  [${N - 1}:0] bcast_ld, reduce_ld, reduce_q;
  reg  [${N * gw - 1}:0] glog_ld, glog_q;
  wire [${N - 1}:0] head_bcast;
  wire [${N * gw - 1}:0] head_glog;
  wire [${N - 1}:0] pe_idle, pe_quiet, pe_wait, pe_draining, pe_b_ready, pe_job_ready, pe_start;
  genvar ${L > 1 ? 'p, bk' : 'p'};

  // AND over aligned groups: bit p of <name>_l<l> is set when every PE of p's group of 2^l
  // PEs has the bit set at level 0 (one wire per level, so no signal feeds itself).
${ands}

  // Sums over aligned groups: psum_l<l> holds one row per group of 2^l PEs (level 0: the
  // PEs' own rows), group i at [i*${OW} +: ${OW}].
  wire [${N * OW - 1}:0] pe_out_data_all;
  wire [${N * rw - 1}:0] pe_out_row;
${sums}

  assign idle = &pe_quiet;
  generate
    for (p = 0; p < ${N}; p = p + 1) begin : g_pe
      wire [${jw - 1}:0] job_word = job_data[p*${jw} +: ${jw}];
      assign head_bcast[p] = job_word[${at('bcast')}];
      assign head_glog[p*${gw} +: ${gw}] = job_word[${at('groupLog')}${gw > 1 ? ` +: ${gw}` : ''}];
      // Level of each group size a job may name (past the last level: the whole array).
      wire [${gw - 1}:0] head_g = head_glog[p*${gw} +: ${gw}];
      wire [${gw - 1}:0] ld_g = glog_ld[p*${gw} +: ${gw}];
      wire [${gw - 1}:0] run_g = glog_q[p*${gw} +: ${gw}];
      wire [${G - 1}:0] bc_lvl, bready_lvl, wait_lvl, b_valid_lvl, lead_lvl;
      wire [${G * bw - 1}:0] b_data_lvl;
      wire [${G * OW - 1}:0] sum_lvl;
${Array.from({ length: G }, (_, g) => {
    const lv = Math.min(g, L - 1);
    return `      assign bc_lvl[${g}] = bc_all_l${lv}[p];
      assign bready_lvl[${g}] = bready_all_l${lv}[p];
      assign wait_lvl[${g}] = wait_all_l${lv}[p];
      assign lead_lvl[${g}] = ((p >> ${lv}) << ${lv}) == p;
      assign b_valid_lvl[${g}] = b_valid[(p >> ${lv}) << ${lv}];
      assign b_data_lvl[${g * bw} +: ${bw}] = b_data[((p >> ${lv}) << ${lv})*${bw} +: ${bw}];
      assign sum_lvl[${g * OW} +: ${OW}] = psum_l${lv}[(p >> ${lv})*${OW} +: ${OW}];`;
  }).join('\n')}
      // A broadcast job is taken by the whole group at once.
      wire take_ok = !head_bcast[p] || bc_lvl[head_g];
      assign job_ready[p] = pe_job_ready[p] && take_ok;
      wire job_take = job_valid[p] && job_ready[p];
      always @(posedge clk) begin
        if (rst) begin
          bcast_ld[p] <= 1'b0;
          reduce_ld[p] <= 1'b0;
          glog_ld[p*${gw} +: ${gw}] <= ${gw}'d0;
          reduce_q[p] <= 1'b0;
          glog_q[p*${gw} +: ${gw}] <= ${gw}'d0;
        end else begin
          if (job_take) begin
            bcast_ld[p] <= head_bcast[p];
            reduce_ld[p] <= job_word[${at('reduce')}];
            glog_ld[p*${gw} +: ${gw}] <= head_g;
          end
          // A PE takes no job while its engine starts one (its loader is busy until then).
          if (pe_start[p]) begin
            reduce_q[p] <= reduce_ld[p];
            glog_q[p*${gw} +: ${gw}] <= ld_g;
          end
        end
      end
      // Broadcast: the group's first B stream, a beat when every member can take it.
      wire b_valid_pe = bcast_ld[p] ? (b_valid_lvl[ld_g] && bready_lvl[ld_g]) : b_valid[p];
      wire [${bw - 1}:0] b_data_pe = bcast_ld[p] ? b_data_lvl[ld_g*${bw} +: ${bw}] : b_data[p*${bw} +: ${bw}];
      assign b_ready[p] = bcast_ld[p] ? (lead_lvl[ld_g] && bready_lvl[ld_g]) : pe_b_ready[p];
      wire lead = lead_lvl[run_g];
      // Drains: a reduced one when the whole group waits, any other at once.
      wire drain_go = reduce_q[p] ? wait_lvl[run_g] : pe_wait[p];
${instance('af_pe', 'u_pe', pePorts(cfg), {
    clk: 'clk', rst: 'rst',
    job_valid: 'job_valid[p] && take_ok', job_ready: 'pe_job_ready[p]', job_data: `job_word[${pw - 1}:0]`,
    a_valid: 'a_valid[p]', a_ready: 'a_ready[p]', a_data: `a_data[p*${aw} +: ${aw}]`,
    b_valid: 'b_valid_pe', b_ready: 'pe_b_ready[p]', b_data: 'b_data_pe',
    out_valid: 'pe_draining[p]', out_row: `pe_out_row[p*${rw} +: ${rw}]`, out_data: `pe_out_data_all[p*${OW} +: ${OW}]`,
    idle: 'pe_quiet[p]', job_start: 'pe_start[p]', drain_wait: 'pe_wait[p]', drain_go: 'drain_go', drain_merge: 'reduce_q[p] && !lead',
    ...Object.fromEntries(COUNTER_NAMES.map((c) => [`perf_${c}`, `perf_${c}[p*${ctw} +: ${ctw}]`])),
    mon_issue: 'mon_issue[p]', mon_issue_a: `mon_issue_a[p*${aiw} +: ${aiw}]`, mon_issue_b: `mon_issue_b[p*${biw} +: ${biw}]`,
    mon_acc_we: `mon_acc_we[p*${B} +: ${B}]`, mon_acc_row: `mon_acc_row[p*${B * rw} +: ${B * rw}]`,
    mon_acc_sum: `mon_acc_sum[p*${B * acw} +: ${B * acw}]`,
  }, {}, '      ')}
      assign pe_idle[p] = pe_job_ready[p];
      // The PE's own port: its rows, or its group's sum when it leads a reduced drain.
      assign out_valid[p] = pe_draining[p] && (!reduce_q[p] || lead);
      assign out_reduced[p] = reduce_q[p];
      assign out_row[p*${rw} +: ${rw}] = pe_out_row[p*${rw} +: ${rw}];
      assign out_data[p*${OW} +: ${OW}] = reduce_q[p] ? sum_lvl[run_g*${OW} +: ${OW}] : pe_out_data_all[p*${OW} +: ${OW}];
    end
  endgenerate
endmodule
` + footer;
  return { name: 'af_array', file: 'af_array.v', text };
}
