/**
 * af_coord: the coordinate unit. For each of the F x I products it computes the output
 * coordinate, whether it is a valid output (else the product is a Redundant Cartesian
 * Product and is dropped), and its linear accumulator address.
 * The per-lane address terms are computed once per A lane and once per B lane (F + I small
 * multipliers) and only added per product, as SCNN's coordinate computation does.
 */
import { type HwConfig, derive } from './config.ts';
import { header, footer, localparams, type VModule } from './verilog.ts';
import { type Signature, input, output, comment, declarePorts } from './ports.ts';

export function coordPorts(cfg: HwConfig): Signature {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, chanWidth: chw, tagWidth: gw } = cfg;
  const aw = d.addrWidth, ow = d.ocWidth, P = F * I;
  const lanes = (side: 'a' | 'b', n: number) =>
    [input(`${side}_lv`, n), input(`${side}_y`, n * cw), input(`${side}_x`, n * cw), input(`${side}_c`, n * chw), input(`${side}_g`, n * gw)];
  return [
    comment('Operand lanes (lane l of a vector at bits [l*w +: w]).'),
    ...lanes('a', I), ...lanes('b', F),
    comment('Job registers (see the job descriptor layout).'),
    input('sign_a'), input('sign_b'), input('match_en'),
    input('off_y', ow, { signed: true }), input('off_x', ow, { signed: true }),
    input('lim_y', cw + 1), input('lim_x', cw + 1),
    input('stride_ac', aw), input('stride_bc', aw), input('off_addr', aw),
    comment(`Per product p = f*${I} + i.`),
    output('p_lanes', P), output('p_valid', P), output('p_addr', P * aw),
  ];
}

export function genCoord(cfg: HwConfig): VModule {
  const d = derive(cfg);
  const { F, I, coordWidth: cw, chanWidth: chw, tagWidth: gw } = cfg;
  const aw = d.addrWidth, ow = d.ocWidth, sw = ow + 1; // sw: sum width, one bit of headroom
  const toAddr = (v: string, w: number) => (w === aw ? v : w < aw ? `{${aw - w}'d0, ${v}}` : `${v}[${aw - 1}:0]`);
  const lane = (side: 'a' | 'b') => {
    const v = side === 'a' ? 'i' : 'f';
    // Coordinate bits above the address width cannot change an in-range address.
    const dropped = [chw > aw ? `c[${chw - 1}:${aw}]` : '', cw > aw ? `y[${cw - 1}:${aw}], x[${cw - 1}:${aw}]` : ''].filter(Boolean);
    return `    for (${v} = 0; ${v} < ${side === 'a' ? 'I' : 'F'}; ${v} = ${v} + 1) begin : g_${side}
      wire [CW-1:0]  y = ${side}_y[${v}*CW +: CW];
      wire [CW-1:0]  x = ${side}_x[${v}*CW +: CW];
      wire [CHW-1:0] c = ${side}_c[${v}*CHW +: CHW];
      wire signed [${sw - 1}:0] y_u = {${sw - cw}'d0, y};
      wire signed [${sw - 1}:0] x_u = {${sw - cw}'d0, x};
      // Signed spatial terms of the output coordinate.
      assign ${side}_ys[${v}*${sw} +: ${sw}] = sign_${side} ? -y_u : y_u;
      assign ${side}_xs[${v}*${sw} +: ${sw}] = sign_${side} ? -x_u : x_u;
      // Address term, modulo 2^${aw}: exact for every valid product, whose address is in range.
      wire [${aw - 1}:0] spatial = ${toAddr('y', cw)} * lim_x_a + ${toAddr('x', cw)};
      assign ${side}_pa[${v}*${aw} +: ${aw}] = ${toAddr('c', chw)} * stride_${side}c + (sign_${side} ? -spatial : spatial);${dropped.length ? `
      wire unused_bits = &{1'b0, ${dropped.join(', ')}, 1'b0};` : ''}
    end`;
  };
  const limXAddr = toAddr('lim_x', cw + 1);
  const limXDropped = cw + 1 > aw ? `
  wire unused_lim_x = &{1'b0, lim_x[${cw}:${aw}], 1'b0};` : '';
  const widths = { F, I, CW: cw, CHW: chw, GW: gw, AW: aw, OCW: ow };
  const body = `  wire [${aw - 1}:0] lim_x_a = ${limXAddr};
  wire signed [${sw - 1}:0] lim_y_s = {${sw - cw - 1}'d0, lim_y};
  wire signed [${sw - 1}:0] lim_x_s = {${sw - cw - 1}'d0, lim_x};
  wire signed [${sw - 1}:0] off_y_s = {off_y[${ow - 1}], off_y};
  wire signed [${sw - 1}:0] off_x_s = {off_x[${ow - 1}], off_x};
  wire [${I * sw - 1}:0] a_ys, a_xs;
  wire [${F * sw - 1}:0] b_ys, b_xs;
  wire [${I * aw - 1}:0] a_pa;
  wire [${F * aw - 1}:0] b_pa;
${limXDropped}

  genvar f, i;
  generate
${lane('a')}
${lane('b')}
    for (f = 0; f < F; f = f + 1) begin : g_pf
      for (i = 0; i < I; i = i + 1) begin : g_pi
        localparam integer P = f*${I} + i;
        wire signed [${sw - 1}:0] oy = $signed(a_ys[i*${sw} +: ${sw}]) + $signed(b_ys[f*${sw} +: ${sw}]) + off_y_s;
        wire signed [${sw - 1}:0] ox = $signed(a_xs[i*${sw} +: ${sw}]) + $signed(b_xs[f*${sw} +: ${sw}]) + off_x_s;
        wire in_y = !oy[${sw - 1}] && (oy < lim_y_s);
        wire in_x = !ox[${sw - 1}] && (ox < lim_x_s);
        wire tag_ok = !match_en || (a_g[i*GW +: GW] == b_g[f*GW +: GW]);
        assign p_lanes[P] = a_lv[i] && b_lv[f];
        assign p_valid[P] = a_lv[i] && b_lv[f] && in_y && in_x && tag_ok;
        assign p_addr[P*${aw} +: ${aw}] = a_pa[i*${aw} +: ${aw}] + b_pa[f*${aw} +: ${aw}] + off_addr;
      end
    end
  endgenerate
`;
  const text = header('af_coord', 'coordinate unit: output coordinate, validity and address of every product', cfg, widths) + `module af_coord (
${declarePorts(coordPorts(cfg))}
);
${localparams(widths, body)}${body}endmodule
` + footer;
  return { name: 'af_coord', file: 'af_coord.v', text };
}
