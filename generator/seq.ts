/**
 * af_seq: the pair sequencer. Walks (B-vector, A-vector) pairs, B outer and A inner.
 *   off:    every pair, one per accepted cycle (the SCNN baseline).
 *   filter: looks at L = antLookahead candidates a cycle and issues the first whose
 *           coordinate ranges can reach a valid output; the infeasible ones before it are
 *           skipped in the same cycle.
 *   window: as filter, and each B-vector starts at the first A-vector not below its window
 *           (the previous start, which only moves forward) and ends at the first one above it.
 */
import { type HwConfig, derive } from './config.ts';
import { header, footer, resize, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts } from './ports.ts';

/** af_seq's ports; the ANT sequencer adds af_range's answers and its next scan position. */
export function seqPorts(cfg: HwConfig): Signature {
  const d = derive(cfg), L = cfg.antLookahead;
  const common = [input('clk'), input('rst'), input('start'), input('n_a', d.aCountWidth), input('n_b', d.bCountWidth), input('advance')];
  const issue = [output('busy'), output('issue_valid'), output('issue_a', d.aIdxWidth), output('issue_b', d.bIdxWidth)];
  const visited = output('visited', d.lookCountWidth);
  if (cfg.ant === 'off') return [...common, ...issue, visited];
  return [
    ...common,
    comment('From af_range, for the candidates of this cycle.'),
    input('feas', L), input('below', L), input('above', L), input('low_up'),
    ...issue,
    comment('Next state of the scan position: af_range reads its boxes one cycle ahead.'),
    output('rd_a', d.aCountWidth, { reg: true }), output('rd_b', d.bIdxWidth, { reg: true }),
    visited,
  ];
}

export function genSeq(cfg: HwConfig): VModule {
  return cfg.ant === 'off' ? genSeqOff(cfg) : genSeqAnt(cfg);
}

function genSeqOff(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth, bcw = d.bCountWidth, vw = d.lookCountWidth;
  const widths = { AIDXW: aiw, BIDXW: biw, ACNTW: acw, BCNTW: bcw };
  const body = `  reg              active;
  reg  [AIDXW-1:0] a_idx;
  reg  [BIDXW-1:0] b_idx;
  wire [ACNTW-1:0] a_idx_ext = ${resize('a_idx', aiw, acw, false)};
  wire [BCNTW-1:0] b_idx_ext = ${resize('b_idx', biw, bcw, false)};
  wire             last_a = (a_idx_ext + ${acw}'d1) == n_a;
  wire             last_b = (b_idx_ext + ${bcw}'d1) == n_b;
  wire             take = active && advance;

  assign busy = active;
  assign issue_valid = active;
  assign issue_a = a_idx;
  assign issue_b = b_idx;
  assign visited = {${vw - 1}'d0, take};

  always @(posedge clk) begin
    if (rst) begin
      active <= 1'b0;
      a_idx <= ${aiw}'d0;
      b_idx <= ${biw}'d0;
    end else if (start) begin
      active <= (n_a != ${acw}'d0) && (n_b != ${bcw}'d0);
      a_idx <= ${aiw}'d0;
      b_idx <= ${biw}'d0;
    end else if (take) begin
      if (last_a) begin
        a_idx <= ${aiw}'d0;
        b_idx <= b_idx + ${biw}'d1;
        if (last_b) active <= 1'b0;
      end else begin
        a_idx <= a_idx + ${aiw}'d1;
      end
    end
  end
`;
  const text = header('af_seq', 'pair sequencer over (B-vector, A-vector) pairs', cfg, { ...widths, ant: cfg.ant }) +
    `// Baseline (ant = off): every pair is offered, B outer, A inner, one pair per accepted cycle.
module af_seq (
${declarePorts(seqPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_seq', file: 'af_seq.v', text };
}

function genSeqAnt(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const L = cfg.antLookahead;
  const aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth, bcw = d.bCountWidth;
  const window = cfg.ant === 'window';
  const jw = d.lookCountWidth; // an index within the lookahead group, or the group size
  const pw = Math.max(acw, jw) + 1; // position arithmetic never wraps
  const P = (v: string, w: number) => resize(v, w, pw, false);
  const unrolled = (body: (k: number) => string) => Array.from({ length: L }, (_, i) => body(L - 1 - i)).join('\n');
  const widths = { AIDXW: aiw, BIDXW: biw, ACNTW: acw, BCNTW: bcw, L };
  const body = `  reg              active;
  reg  [ACNTW-1:0] a_pos;
  reg  [BIDXW-1:0] b_idx;
  reg  [ACNTW-1:0] ws;
  reg              ws_found;

  // Candidates that exist: j < min(L, n_a - a_pos).
  wire [${pw - 1}:0] n_a_p = ${P('n_a', acw)};
  wire [${pw - 1}:0] a_pos_p = ${P('a_pos', acw)};
  wire [${pw - 1}:0] remain = n_a_p - a_pos_p;
  wire [L-1:0] cand;
${Array.from({ length: L }, (_, k) => `  assign cand[${k}] = remain > ${pw}'d${k};`).join('\n')}
  wire [${jw - 1}:0] group = remain >= ${pw}'d${L} ? ${jw}'d${L} : remain[${jw - 1}:0];

  // The scan stops at the first candidate that is ${window ? 'above the window or ' : ''}feasible.
  wire [L-1:0] stop = cand & (feas${window ? ' | above' : ''});
  wire [L-1:0] not_below = cand & ~below;
  reg  [${jw - 1}:0] j_stop, j_nb;
  always @* begin
    j_stop = ${jw}'d0;
    j_nb = ${jw}'d0;
${unrolled((k) => `    if (stop[${k}]) j_stop = ${jw}'d${k};\n    if (not_below[${k}]) j_nb = ${jw}'d${k};`)}
  end
  wire has_stop = |stop;
  wire has_nb = |not_below;
  // The first stop is the lowest set bit of stop.
  wire [L-1:0] stop_first = stop & (~stop + ${L}'d1);
  wire stop_above = ${window ? '|(stop_first & above)' : "1'b0"};
  wire take = active && advance;
  wire do_issue = has_stop && !stop_above;
  wire [${jw - 1}:0] step = do_issue ? j_stop + ${jw}'d1 : group;
  wire [${pw - 1}:0] next_pos = a_pos_p + ${P('step', jw)};
  wire leave_b = stop_above || next_pos >= n_a_p;
  wire [BCNTW-1:0] b_ext = ${resize('b_idx', biw, bcw, false)};
  wire last_b = (b_ext + ${bcw}'d1) == n_b;
  // Window start of this B-vector, including what this cycle finds.
  wire ws_now_found = ws_found || ${window ? 'has_nb' : "1'b0"};
  wire [${pw - 1}:0] ws_scan = a_pos_p + ${P('j_nb', jw)};
  wire [ACNTW-1:0] ws_now = ws_found ? ws : ws_scan[${acw - 1}:0];
  wire [ACNTW-1:0] b_start = ${window ? `low_up ? (ws_now_found ? ws_now : n_a) : ${acw}'d0` : `${acw}'d0`};

  assign busy = active;
  assign issue_valid = active && do_issue;
  assign issue_a = a_pos[${aiw - 1}:0] + ${resize('j_stop', jw, aiw, false)};
  assign issue_b = b_idx;
  assign visited = !take ? ${jw}'d0 : do_issue ? j_stop + ${jw}'d1 : stop_above ? j_stop : group;

  always @* begin
    rd_a = a_pos;
    rd_b = b_idx;
    if (rst || start) begin
      rd_a = ${acw}'d0;
      rd_b = ${biw}'d0;
    end else if (take) begin
      if (!leave_b) rd_a = next_pos[${acw - 1}:0];
      else if (!last_b) begin
        rd_a = b_start;
        rd_b = b_idx + ${biw}'d1;
      end
    end
  end

  always @(posedge clk) begin
    a_pos <= rd_a;
    b_idx <= rd_b;
    if (rst) begin
      active <= 1'b0;
      ws <= ${acw}'d0;
      ws_found <= 1'b0;
    end else if (start) begin
      active <= (n_a != ${acw}'d0) && (n_b != ${bcw}'d0);
      ws <= ${acw}'d0;
      ws_found <= 1'b0;
    end else if (take) begin
      if (leave_b) begin
        ws <= ${acw}'d0;
        ws_found <= 1'b0;
        if (last_b) active <= 1'b0;
      end else begin
        ws <= ws_now;
        ws_found <= ws_now_found;
      end
    end
  end
  wire unused_bits = &{1'b0, next_pos[${pw - 1}:${acw}], ws_scan[${pw - 1}:${acw}], remain[${pw - 1}:${jw}]${window ? '' : ', below, above, low_up, has_nb, j_nb, stop_first'}, 1'b0};
`;
  const text = header('af_seq', 'pair sequencer with ANT range-test skipping', cfg, { ...widths, ant: cfg.ant }) +
    `// ant = ${cfg.ant}: each accepted cycle examines candidates a .. a+${L - 1} of B-vector b.
module af_seq (
${declarePorts(seqPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_seq', file: 'af_seq.v', text };
}
