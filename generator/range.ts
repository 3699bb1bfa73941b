/**
 * af_range: ANT's indices-range unit. While vectors load, it records each vector's bounding
 * box (row, column and tag minimum and maximum over its lanes) in af_boxram. While computing
 * it answers, for the current B-vector and L candidate A-vectors, with subtract-and-compare
 * operations only: can the pair reach a valid output (feas), is the A-vector before or after
 * the B-vector's window along the sort key (below, above), and does the next B-vector's window
 * start at or after this one's (low_up). The sequencer addresses it with its next state, so
 * the answers belong to the state it is in.
 */
import { type HwConfig, derive, clog2, OPERAND_SLOTS } from './config.ts';
import { header, footer, zext, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts, instance } from './ports.ts';
import { BOXRAM_PORTS } from './boxram.ts';

// Widths of af_range's arithmetic and storage, defined once for the generator and the cost model.
/** Signed width of every threshold and key compare (SW). */
export const rangeWidth = (cfg: HwConfig) => Math.max(cfg.coordWidth + 4, cfg.tagWidth + 2);
/** Bits of one A-vector's bounding box: y, x min/max, tag min/max. */
export const boxWidth = (cfg: HwConfig) => 4 * cfg.coordWidth + 2 * cfg.tagWidth;
/** Bits of one B-vector's entry: its four thresholds and its tag range. */
export const bEntryWidth = (cfg: HwConfig) => 4 * rangeWidth(cfg) + 2 * cfg.tagWidth;

/** The parameters of af_range's two box memories, as af_boxram names them. */
export function boxramParams(cfg: HwConfig) {
  const { a, b } = boxramShape(cfg);
  const params = (p: typeof a, width: number) => ({ BANKS: p.banks, BANKW: p.bankW, ROWS: p.rows, ROWW: p.rowW, ADDRW: p.addrW, WIDTH: width });
  return { a: params(a, boxWidth(cfg)), b: params(b, bEntryWidth(cfg)) };
}

/**
 * af_boxram instance parameters. A: the next power of two >= antLookahead banks (at least 2),
 * so L consecutive candidates sit in distinct banks; B: even/odd, for the current and next vector.
 */
export function boxramShape(cfg: HwConfig) {
  const d = derive(cfg);
  const side = (banks: number, depth: number, indexW: number) => {
    const bankW = Math.log2(banks), rows = Math.ceil(depth / banks), rowW = Math.max(1, clog2(rows));
    return { banks, bankW, rows, rowW, addrW: Math.max(indexW, bankW + rowW) };
  };
  // Both operand slots (generator/opbuf.ts): the loading job's boxes and the running job's.
  return {
    a: side(Math.max(2, 2 ** clog2(cfg.antLookahead)), OPERAND_SLOTS * cfg.aDepth, d.aBufWidth),
    b: side(2, OPERAND_SLOTS * cfg.bDepth, d.bBufWidth),
  };
}

export function rangePorts(cfg: HwConfig): Signature {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, tagWidth: gw, antLookahead: L } = cfg;
  const ow = d.ocWidth;
  const vectors = (side: 'a' | 'b', n: number, idxW: number) => [
    input(`${side}_we`), input(`${side}_wslot`), input(`${side}_widx`, idxW), input(`${side}_lv`, n),
    input(`${side}_y`, n * cw), input(`${side}_x`, n * cw), input(`${side}_g`, n * gw),
  ];
  return [
    input('clk'),
    comment('Vectors as they load, into the loading job\'s operand slot.'),
    ...vectors('a', I, d.aIdxWidth), ...vectors('b', F, d.bIdxWidth),
    comment('Job registers: B thresholds are formed with the loading job\'s, the tests use the running job\'s.'),
    input('sign_a'), input('sign_b'), input('match_en'), input('win_tag'),
    input('off_y', ow, { signed: true }), input('off_x', ow, { signed: true }), input('lim_y', cw + 1), input('lim_x', cw + 1),
    comment(`Next cycle's query: candidates rd_a .. rd_a+${L - 1} against B-vector rd_b (and rd_b+1).`),
    input('rd_slot'), input('rd_a', d.aCountWidth), input('rd_b', d.bIdxWidth),
    output('feas', L), output('below', L), output('above', L), output('low_up'),
  ];
}

export function genRange(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, tagWidth: gw, antLookahead: L } = cfg;
  const ow = d.ocWidth, aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth;
  const sw = rangeWidth(cfg), boxW = boxWidth(cfg), bW = bEntryWidth(cfg);
  const sa = boxramShape(cfg).a;
  // Slot s keeps vector i's box at s x depth + i (generator/opbuf.ts).
  const slotted = (idx: string, idxW: number, slot: string, depth: number, w: number) =>
    `${zext(idx, idxW, w)} + (${slot} ? ${w}'d${depth} : ${w}'d0)`;
  const ram = (side: 'a' | 'b', data: string) => {
    const p = boxramParams(cfg)[side];
    const depth = side === 'a' ? cfg.aDepth : cfg.bDepth;
    return `  wire [${p.ADDRW - 1}:0] ${side}_waddr = ${slotted(side + '_widx', side === 'a' ? aiw : biw, side + '_wslot', depth, p.ADDRW)};
  wire [${p.ADDRW - 1}:0] ${side}_raddr = ${slotted('rd_' + side, side === 'a' ? acw : biw, 'rd_slot', depth, p.ADDRW)};
` + instance('af_boxram', `u_${side}box`, BOXRAM_PORTS, {
      clk: 'clk', wr_en: `${side}_we`, wr_idx: `${side}_waddr`, wr_data: data,
      rd_base: `${side}_raddr`, rd_data: `${side}_q`,
    }, p);
  };
  const s = (v: string, w: number) => (w === sw ? v : `{${sw - w}'d0, ${v}}`);
  const boxFields = (n: number) => `    for (l = 0; l < ${n}; l = l + 1) begin
      if (lv[l]) begin
        if (ys[l*${cw} +: ${cw}] < ymin) ymin = ys[l*${cw} +: ${cw}];
        if (ys[l*${cw} +: ${cw}] > ymax) ymax = ys[l*${cw} +: ${cw}];
        if (xs[l*${cw} +: ${cw}] < xmin) xmin = xs[l*${cw} +: ${cw}];
        if (xs[l*${cw} +: ${cw}] > xmax) xmax = xs[l*${cw} +: ${cw}];
        if (gs[l*${gw} +: ${gw}] < gmin) gmin = gs[l*${gw} +: ${gw}];
        if (gs[l*${gw} +: ${gw}] > gmax) gmax = gs[l*${gw} +: ${gw}];
      end
    end`;
  const boxFn = (n: number, side: string) => `  function [${boxW - 1}:0] box_${side};
    input [${n - 1}:0] lv;
    input [${n * cw - 1}:0] ys;
    input [${n * cw - 1}:0] xs;
    input [${n * gw - 1}:0] gs;
    reg [${cw - 1}:0] ymin, ymax, xmin, xmax;
    reg [${gw - 1}:0] gmin, gmax;
    integer l;
    begin
      ymin = {${cw}{1'b1}}; ymax = ${cw}'d0; xmin = {${cw}{1'b1}}; xmax = ${cw}'d0;
      gmin = {${gw}{1'b1}}; gmax = ${gw}'d0;
${boxFields(n)}
      box_${side} = {gmax, gmin, xmax, xmin, ymax, ymin};
    end
  endfunction`;
  const text = header('af_range', "ANT indices-range unit: vector bounding boxes and pair range tests", cfg, {
    F, I, L, CW: cw, GW: gw, SW: sw, A_DEPTH: cfg.aDepth, B_DEPTH: cfg.bDepth, A_BANKS: sa.banks,
  }) + `// A box layout, LSB first: ymin, ymax, xmin, xmax (${cw} bits each), gmin, gmax (${gw} bits each).
module af_range (
${declarePorts(rangePorts(cfg))}
);
  wire [${sa.banks * boxW - 1}:0] a_q;
  wire [${2 * bW - 1}:0] b_q;

${boxFn(I, 'a')}

${boxFn(F, 'b')}

  // Signed range of a term that may be negated: [lo, hi] of (neg ? -v : v) for v in [vmin, vmax].
  function [${2 * sw - 1}:0] term;
    input neg;
    input [${cw - 1}:0] vmin;
    input [${cw - 1}:0] vmax;
    reg signed [${sw - 1}:0] lo, hi;
    begin
      lo = neg ? -$signed(${s('vmax', cw)}) : $signed(${s('vmin', cw)});
      hi = neg ? -$signed(${s('vmin', cw)}) : $signed(${s('vmax', cw)});
      term = {hi, lo};
    end
  endfunction

  wire signed [${sw - 1}:0] off_y_s = {{${sw - ow}{off_y[${ow - 1}]}}, off_y};
  wire signed [${sw - 1}:0] off_x_s = {{${sw - ow}{off_x[${ow - 1}]}}, off_x};
  wire signed [${sw - 1}:0] lim_y_s = ${s('lim_y', cw + 1)};
  wire signed [${sw - 1}:0] lim_x_s = ${s('lim_x', cw + 1)};

  // Thresholds of a B-vector, computed as it loads (the job registers are set by then), so the
  // compare loop reads them ready-made. An A-vector (its coordinates enter unnegated) reaches
  // an output row >= 0 iff a.ymax >= t_yhi, and a row < lim_y iff a.ymin < t_ylo; columns
  // alike. So each candidate costs only compares.
  wire [${boxW - 1}:0] b_box = box_b(b_lv, b_y, b_x, b_g);
  wire [${2 * sw - 1}:0] wy_t = term(sign_b, b_box[${cw - 1}:0], b_box[${2 * cw - 1}:${cw}]);
  wire [${2 * sw - 1}:0] wx_t = term(sign_b, b_box[${3 * cw - 1}:${2 * cw}], b_box[${4 * cw - 1}:${3 * cw}]);
  wire signed [${sw - 1}:0] w_yhi = -($signed(wy_t[${2 * sw - 1}:${sw}]) + off_y_s);
  wire signed [${sw - 1}:0] w_ylo = lim_y_s - ($signed(wy_t[${sw - 1}:0]) + off_y_s);
  wire signed [${sw - 1}:0] w_xhi = -($signed(wx_t[${2 * sw - 1}:${sw}]) + off_x_s);
  wire signed [${sw - 1}:0] w_xlo = lim_x_s - ($signed(wx_t[${sw - 1}:0]) + off_x_s);
  // Entry layout, LSB first: t_yhi, t_ylo, t_xhi, t_xlo (${sw} bits each), gmin, gmax (${gw} bits each).
  wire [${bW - 1}:0] b_entry = {b_box[${boxW - 1}:${4 * cw}], w_xlo, w_xhi, w_ylo, w_yhi};

${ram('a', 'box_a(a_lv, a_y, a_x, a_g)')}
${ram('b', 'b_entry')}

  // The current and the next B-vector.
  wire [${bW - 1}:0] bb = b_q[${bW - 1}:0];
  wire [${bW - 1}:0] bn = b_q[${2 * bW - 1}:${bW}];
  wire signed [${sw - 1}:0] t_yhi = bb[${sw - 1}:0], t_ylo = bb[${2 * sw - 1}:${sw}];
  wire signed [${sw - 1}:0] t_xhi = bb[${3 * sw - 1}:${2 * sw}], t_xlo = bb[${4 * sw - 1}:${3 * sw}];
  wire [${gw - 1}:0] bg_min = bb[${4 * sw + gw - 1}:${4 * sw}], bg_max = bb[${bW - 1}:${4 * sw + gw}];
  wire signed [${sw - 1}:0] bn_yhi = bn[${sw - 1}:0];
  wire [${gw - 1}:0] bng_min = bn[${4 * sw + gw - 1}:${4 * sw}];
  // Window threshold: A-vectors whose key maximum is below it come before the window.
  wire signed [${sw - 1}:0] low_b = win_tag ? $signed(${s('bg_min', gw)}) : t_yhi;
  wire signed [${sw - 1}:0] low_bn = win_tag ? $signed(${s('bng_min', gw)}) : bn_yhi;
  assign low_up = low_bn >= low_b;
  // Only the next B-vector's row threshold (or tag minimum) matters.
  wire unused_bn = &{1'b0, bn[${4 * sw - 1}:${sw}], bn[${bW - 1}:${4 * sw + gw}], 1'b0};

  // No mode streams a negated stationary coordinate (sign_a); if a job does, every pair is
  // treated as feasible and nothing is skipped, so no valid product can be lost.
  genvar j;
  generate
    for (j = 0; j < ${L}; j = j + 1) begin : g_cand
      wire [${boxW - 1}:0] ab = a_q[j*${boxW} +: ${boxW}];
      wire signed [${sw - 1}:0] ay_min = ${s('ab[' + (cw - 1) + ':0]', cw)}, ay_max = ${s('ab[' + (2 * cw - 1) + ':' + cw + ']', cw)};
      wire signed [${sw - 1}:0] ax_min = ${s('ab[' + (3 * cw - 1) + ':' + 2 * cw + ']', cw)}, ax_max = ${s('ab[' + (4 * cw - 1) + ':' + 3 * cw + ']', cw)};
      wire [${gw - 1}:0] ag_min = ab[${4 * cw + gw - 1}:${4 * cw}], ag_max = ab[${boxW - 1}:${4 * cw + gw}];
      // Every output row (column) of the pair is before 0 or at/after the limit.
      wire y_before = ay_max < t_yhi;
      wire y_after = ay_min >= t_ylo;
      wire x_before = ax_max < t_xhi;
      wire x_after = ax_min >= t_xlo;
      wire g_le = ag_min <= bg_max;
      wire g_ge = ag_max >= bg_min;
      wire ok_g = !match_en || (g_le && g_ge);
      assign feas[j] = sign_a || (!y_before && !y_after && !x_before && !x_after && ok_g);
      assign below[j] = !sign_a && (win_tag ? !g_ge : y_before);
      assign above[j] = !sign_a && (win_tag ? !g_le : y_after);
    end
  endgenerate${sa.banks > L ? `
  // Banks beyond the lookahead are read but not tested.
  wire unused_banks = &{1'b0, a_q[${sa.banks * boxW - 1}:${L * boxW}], 1'b0};` : ''}
endmodule
` + footer;
  return { name: 'af_range', file: 'af_range.v', text };
}
