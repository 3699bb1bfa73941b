/**
 * af_range: ANT's indices-range unit. While vectors load, it records each vector's bounding
 * box (row, column and tag minimum and maximum over its lanes). While computing it answers,
 * for the current B-vector and L candidate A-vectors, with subtract-and-compare operations
 * only: can the pair reach a valid output (feas), is the A-vector before or after the
 * B-vector's window along the sort key (below, above), and does the next B-vector's window
 * start at or after this one's (low_up).
 */
import { type HwConfig, derive } from './config.ts';
import { header, footer, zext, type VModule } from './verilog.ts';

export function genRange(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, tagWidth: gw, antLookahead: L } = cfg;
  const ow = d.ocWidth, aiw = d.aIdxWidth, biw = d.bIdxWidth, acw = d.aCountWidth;
  const sw = Math.max(cw + 4, gw + 2); // signed width of every range sum and key compare
  const boxW = 4 * cw + 2 * gw;
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
    F, I, L, CW: cw, GW: gw, SW: sw, A_DEPTH: cfg.aDepth, B_DEPTH: cfg.bDepth,
  }) + `// Box layout, LSB first: ymin, ymax, xmin, xmax (${cw} bits each), gmin, gmax (${gw} bits each).
module af_range (
  input  wire              clk,
  // Vectors as they load.
  input  wire              a_we,
  input  wire [${aiw - 1}:0] a_widx,
  input  wire [${I - 1}:0] a_lv,
  input  wire [${I * cw - 1}:0] a_y,
  input  wire [${I * cw - 1}:0] a_x,
  input  wire [${I * gw - 1}:0] a_g,
  input  wire              b_we,
  input  wire [${biw - 1}:0] b_widx,
  input  wire [${F - 1}:0] b_lv,
  input  wire [${F * cw - 1}:0] b_y,
  input  wire [${F * cw - 1}:0] b_x,
  input  wire [${F * gw - 1}:0] b_g,
  // Job registers.
  input  wire              sign_a,
  input  wire              sign_b,
  input  wire              match_en,
  input  wire              win_tag,
  input  wire signed [${ow - 1}:0] off_y,
  input  wire signed [${ow - 1}:0] off_x,
  input  wire [${cw}:0] lim_y,
  input  wire [${cw}:0] lim_x,
  // Query: candidates q_a .. q_a+${L - 1} against B-vector q_b; q_bn is the next B-vector.
  input  wire [${acw - 1}:0] q_a,
  input  wire [${biw - 1}:0] q_b,
  input  wire [${biw - 1}:0] q_bn,
  output wire [${L - 1}:0] feas,
  output wire [${L - 1}:0] below,
  output wire [${L - 1}:0] above,
  output wire              low_up
);
  reg [${boxW - 1}:0] a_box [0:${cfg.aDepth - 1}];
  reg [${boxW - 1}:0] b_box [0:${cfg.bDepth - 1}];

${boxFn(I, 'a')}

${boxFn(F, 'b')}

  always @(posedge clk) begin
    if (a_we) a_box[a_widx] <= box_a(a_lv, a_y, a_x, a_g);
    if (b_we) b_box[b_widx] <= box_b(b_lv, b_y, b_x, b_g);
  end

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

  // The current and the next B-vector.
  wire [${boxW - 1}:0] bb = b_box[q_b];
  wire [${boxW - 1}:0] bn = b_box[q_bn];
  wire [${2 * sw - 1}:0] by_t = term(sign_b, bb[${cw - 1}:0], bb[${2 * cw - 1}:${cw}]);
  wire [${2 * sw - 1}:0] bx_t = term(sign_b, bb[${3 * cw - 1}:${2 * cw}], bb[${4 * cw - 1}:${3 * cw}]);
  wire [${2 * sw - 1}:0] bny_t = term(sign_b, bn[${cw - 1}:0], bn[${2 * cw - 1}:${cw}]);
  wire signed [${sw - 1}:0] by_lo = by_t[${sw - 1}:0], by_hi = by_t[${2 * sw - 1}:${sw}];
  wire signed [${sw - 1}:0] bx_lo = bx_t[${sw - 1}:0], bx_hi = bx_t[${2 * sw - 1}:${sw}];
  wire [${gw - 1}:0] bg_min = bb[${4 * cw + gw - 1}:${4 * cw}], bg_max = bb[${boxW - 1}:${4 * cw + gw}];
  wire [${gw - 1}:0] bng_min = bn[${4 * cw + gw - 1}:${4 * cw}];
  // Window threshold: A-vectors whose key maximum is below it come before the window.
  wire signed [${sw - 1}:0] low_b = win_tag ? $signed(${s('bg_min', gw)}) : -(by_hi + off_y_s);
  wire signed [${sw - 1}:0] low_bn = win_tag ? $signed(${s('bng_min', gw)}) : -($signed(bny_t[${2 * sw - 1}:${sw}]) + off_y_s);
  assign low_up = low_bn >= low_b;
  // Only the next B-vector's row maximum (or tag minimum) matters.
  wire unused_bn = &{1'b0, bny_t[${sw - 1}:0], bn[${4 * cw - 1}:${2 * cw}], bn[${boxW - 1}:${4 * cw + gw}], 1'b0};

  genvar j;
  generate
    for (j = 0; j < ${L}; j = j + 1) begin : g_cand
      localparam [${acw}:0] J = j;
      wire [${acw}:0] idx = ${zext('q_a', acw, acw + 1)} + J;
      wire [${boxW - 1}:0] ab = a_box[idx[${aiw - 1}:0]];
      wire [${2 * sw - 1}:0] ay_t = term(sign_a, ab[${cw - 1}:0], ab[${2 * cw - 1}:${cw}]);
      wire [${2 * sw - 1}:0] ax_t = term(sign_a, ab[${3 * cw - 1}:${2 * cw}], ab[${4 * cw - 1}:${3 * cw}]);
      wire signed [${sw - 1}:0] oy_lo = $signed(ay_t[${sw - 1}:0]) + by_lo + off_y_s;
      wire signed [${sw - 1}:0] oy_hi = $signed(ay_t[${2 * sw - 1}:${sw}]) + by_hi + off_y_s;
      wire signed [${sw - 1}:0] ox_lo = $signed(ax_t[${sw - 1}:0]) + bx_lo + off_x_s;
      wire signed [${sw - 1}:0] ox_hi = $signed(ax_t[${2 * sw - 1}:${sw}]) + bx_hi + off_x_s;
      wire [${gw - 1}:0] ag_min = ab[${4 * cw + gw - 1}:${4 * cw}], ag_max = ab[${boxW - 1}:${4 * cw + gw}];
      wire ok_y = (oy_hi >= ${sw}'sd0) && (oy_lo < lim_y_s);
      wire ok_x = (ox_hi >= ${sw}'sd0) && (ox_lo < lim_x_s);
      wire ok_g = !match_en || (ag_min <= bg_max && bg_min <= ag_max);
      assign feas[j] = ok_y && ok_x && ok_g;
      wire signed [${sw - 1}:0] a_key_max = win_tag ? $signed(${s('ag_max', gw)}) : $signed(${s('ab[' + (2 * cw - 1) + ':' + cw + ']', cw)});
      assign below[j] = a_key_max < low_b;
      wire signed [${sw - 1}:0] row_lo = $signed(${s('ab[' + (cw - 1) + ':0]', cw)}) + by_lo + off_y_s;
      assign above[j] = win_tag ? (ag_min > bg_max) : (row_lo >= lim_y_s);${acw > aiw ? `
      wire unused_idx = &{1'b0, idx[${acw}:${aiw}], 1'b0};` : `
      wire unused_idx = &{1'b0, idx[${acw}], 1'b0};`}
    end
  endgenerate
endmodule
` + footer;
  return { name: 'af_range', file: 'af_range.v', text };
}
