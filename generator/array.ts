/**
 * af_array: the top level, `pes` PEs started together on each array job (a barrier: the next
 * array job is taken only when every PE is idle, so load imbalance costs cycles).
 *   - Each PE has its own stationary (A) stream. The streamed (B) operand is either broadcast
 *     (bcast: every PE loads the same vectors from stream 0, in lockstep) or per PE.
 *   - Drains share one output port: in a reduced job (partial sums of one tile, as in the
 *     weight gradient) all PEs drain together and the port carries the sum; otherwise one PE
 *     drains at a time, lowest index first.
 * The job word is {reduce, bcast, descriptor of PE pes-1, ..., descriptor of PE 0}.
 */
import { type HwConfig, derive, clog2 } from './config.ts';
import { jobLayout, laneLayout } from './layout.ts';
import { header, footer, wrap, localparams, MAX_LINE, type VModule } from './verilog.ts';
import { COUNTER_NAMES } from './counters.ts';
import { type Signature, input, output, comment, declarePorts, instance } from './ports.ts';
import { pePorts } from './pe.ts';

/**
 * af_array's ports: the design's top level. The simulators' harnesses (testbench/harness.ts,
 * testbench/icarus.ts) and the FPGA shell (testbench/fmax.ts) are derived from this list.
 */
export function arrayPorts(cfg: HwConfig): Signature {
  const d = derive(cfg);
  const jw = jobLayout(cfg).width, lw = laneLayout(cfg).width;
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, pes: N } = cfg;
  const rw = d.rowWidth;
  return [
    input('clk'), input('rst'),
    comment(`Array job: {reduce, bcast, one ${jw}-bit descriptor per PE}.`),
    input('job_valid'), output('job_ready'), input('job_data', N * jw + 2),
    comment('Stationary operand streams, one per PE.'),
    input('a_valid', N), output('a_ready', N), input('a_data', N * I * lw),
    comment('Streamed operand streams; stream 0 feeds every PE in broadcast jobs.'),
    input('b_valid', N), output('b_ready', N), input('b_data', N * F * lw),
    comment('Drained accumulator rows: one PE\'s (out_pe), or the sum over PEs (out_reduced).'),
    output('out_valid'), output('out_reduced'), output('out_pe', Math.max(1, clog2(N))), output('out_row', rw),
    output('out_data', B * acw), output('idle'),
    comment(`Per-PE performance counters, PE p at [p*${ctw} +: ${ctw}].`),
    ...COUNTER_NAMES.map((c) => output(`perf_${c}`, N * ctw)),
    comment('Per-PE trace ports for the testbench.'),
    output('mon_issue', N), output('mon_issue_a', N * d.aIdxWidth), output('mon_issue_b', N * d.bIdxWidth),
    output('mon_acc_we', N * B), output('mon_acc_row', N * B * rw), output('mon_acc_sum', N * B * acw),
  ];
}

export function genArray(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const jw = jobLayout(cfg).width, lw = laneLayout(cfg).width;
  const { F, I, banks: B, accWidth: acw, counterWidth: ctw, pes: N } = cfg;
  const aw = I * lw, bw = F * lw, rw = d.rowWidth, aiw = d.aIdxWidth, biw = d.bIdxWidth;
  const piw = Math.max(1, clog2(N));
  // The sum over PEs of one bank, wrapped onto further lines when it is too long for one.
  const reduction = (bank: string) => {
    const terms = Array.from({ length: N }, (_, p) => `pe_out_data[${p}*${B * acw} + ${bank}*${acw} +: ${acw}]`);
    const lead = `      assign reduced[${bank}*${acw} +: ${acw}] = `;
    const line = `${lead}${terms.join(' + ')};`;
    if (line.length <= MAX_LINE) return line;
    return wrap(terms.map((t, i) => (i === N - 1 ? `${t};` : `${t} +`)), lead, ' '.repeat(lead.length)).join('\n');
  };
  const text = header('af_array', `array of ${N} sparse outer-product PEs`, cfg, {
    PES: N, F, I, BANKS: B, ACCW: acw, CTRW: ctw, ant: cfg.ant,
  }) + `module af_array (
${declarePorts(arrayPorts(cfg))}
);
${localparams({ PES: N, BANKS: B }, 'PES BANKS')}  reg              bcast_q, reduce_q;
  wire [${N - 1}:0] pe_idle, pe_wait, pe_draining, pe_b_ready, drain_go;
  wire [${N * rw - 1}:0] pe_out_row;
  wire [${N * B * acw - 1}:0] pe_out_data;
  wire all_b_ready = &pe_b_ready;

  // Barrier: a new array job only when every PE is idle.
  assign job_ready = &pe_idle;
  assign idle = &pe_idle;
  wire take_job = job_valid && job_ready;
  always @(posedge clk) begin
    if (rst) begin
      bcast_q <= 1'b0;
      reduce_q <= 1'b0;
    end else if (take_job) begin
      bcast_q <= job_data[${N * jw}];
      reduce_q <= job_data[${N * jw + 1}];
    end
  end

  genvar p;
  generate
    for (p = 0; p < PES; p = p + 1) begin : g_pe
      // Broadcast: every PE takes stream 0's beat, only when all of them can.
      wire b_valid_pe = bcast_q ? (b_valid[0] && all_b_ready) : b_valid[p];
      wire [${bw - 1}:0] b_data_pe = bcast_q ? b_data[${bw - 1}:0] : b_data[p*${bw} +: ${bw}];
      wire unused_ready;
${instance('af_pe', 'u_pe', pePorts(cfg), {
    clk: 'clk', rst: 'rst',
    job_valid: 'take_job', job_ready: 'pe_idle[p]', job_data: `job_data[p*${jw} +: ${jw}]`,
    a_valid: 'a_valid[p]', a_ready: 'a_ready[p]', a_data: `a_data[p*${aw} +: ${aw}]`,
    b_valid: 'b_valid_pe', b_ready: 'pe_b_ready[p]', b_data: 'b_data_pe',
    out_valid: 'pe_draining[p]', out_row: `pe_out_row[p*${rw} +: ${rw}]`, out_data: `pe_out_data[p*${B * acw} +: ${B * acw}]`,
    idle: 'unused_ready', drain_wait: 'pe_wait[p]', drain_go: 'drain_go[p]',
    ...Object.fromEntries(COUNTER_NAMES.map((c) => [`perf_${c}`, `perf_${c}[p*${ctw} +: ${ctw}]`])),
    mon_issue: 'mon_issue[p]', mon_issue_a: `mon_issue_a[p*${aiw} +: ${aiw}]`, mon_issue_b: `mon_issue_b[p*${biw} +: ${biw}]`,
    mon_acc_we: `mon_acc_we[p*${B} +: ${B}]`, mon_acc_row: `mon_acc_row[p*${B * rw} +: ${B * rw}]`,
    mon_acc_sum: `mon_acc_sum[p*${B * acw} +: ${B * acw}]`,
  }, {}, '      ')}
      assign b_ready[p] = bcast_q ? (p == 0 ? all_b_ready : 1'b0) : pe_b_ready[p];
    end
  endgenerate

  // Drain grant: all together when reduced, else the lowest waiting PE when none drains.
  wire [${N - 1}:0] first_wait = pe_wait & (~pe_wait + ${N}'d1);
  assign drain_go = reduce_q ? {${N}{&pe_wait}} : (|pe_draining ? ${N}'d0 : first_wait);

  // Output port.
  reg [${piw - 1}:0] drain_pe;
  integer k;
  always @* begin
    drain_pe = ${piw}'d0;
    for (k = ${N - 1}; k >= 0; k = k - 1) if (pe_draining[k]) drain_pe = k[${piw - 1}:0];
  end
  wire [${B * acw - 1}:0] reduced;
  genvar bk;
  generate
    for (bk = 0; bk < BANKS; bk = bk + 1) begin : g_sum
${reduction('bk')}
    end
  endgenerate
  assign out_valid = |pe_draining;
  assign out_reduced = reduce_q;
  assign out_pe = drain_pe;
  assign out_row = pe_out_row[drain_pe*${rw} +: ${rw}];
  assign out_data = reduce_q ? reduced : pe_out_data[drain_pe*${B * acw} +: ${B * acw}];
endmodule
` + footer;
  return { name: 'af_array', file: 'af_array.v', text };
}
