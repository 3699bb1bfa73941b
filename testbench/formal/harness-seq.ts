/**
 * seq-<mode>: sequencer completeness over a whole job. Free A- and B-vectors (aDepth and bDepth
 * of them, free lanes) load into af_range's box memories, then one job of free size
 * n_a <= aDepth, n_b <= bDepth starts with free job registers and a free `advance` (pipeline
 * back-pressure) every cycle. Checked: nothing is issued twice or outside the job, the job ends
 * within n_b * (n_a + 1) accepted cycles, and when it has ended every pair holding a valid
 * product (golden/model/coord.ts) was issued.
 * What the real design guarantees, assumed here: every vector has a non-empty prefix of valid
 * lanes; A-vectors are sorted along the window key (rows, or tags when win_tag) as the mapper
 * sorts them; win_tag comes with match_en.
 */
import { type AntMode, type HwConfig, derive } from '../../generator/config.ts';
import { instance, byName, portsOf } from '../../generator/ports.ts';
import { zext } from '../../generator/verilog.ts';
import { rangePorts } from '../../generator/range.ts';
import { seqPorts } from '../../generator/seq.ts';
import { clockCounter, harnessHeader, jobConsts, portWires, refValidCall, refValidFn } from './vlog.ts';

const loadCycles = (cfg: HwConfig) => Math.max(cfg.aDepth, cfg.bDepth);

/** Reset, load, start, the longest job with `advance` always high, and the cycle that sees it end. */
export const seqDepth = (cfg: HwConfig) => loadCycles(cfg) + 4 + cfg.bDepth * (cfg.aDepth + 1);

export function harnessSeq(cfg: HwConfig, ant: AntMode): string {
  const c = { ...cfg, ant };
  const d = derive(c);
  const { F, I, coordWidth: cw, tagWidth: gw, aDepth: NA, bDepth: NB } = c;
  const acw = d.aCountWidth, bcw = d.bCountWidth, aiw = d.aIdxWidth, biw = d.bIdxWidth;
  const ld = loadCycles(c), tStart = ld + 1, tEnd = seqDepth(c) - 1;
  const clk = clockCounter(tEnd + 1);
  const T = (v: number) => `${clk.w}'d${v}`;
  const takeW = Math.ceil(Math.log2(NB * (NA + 1) + 2)) + 1;
  const wa = Math.max(aiw, acw) + 1, wb = Math.max(biw, bcw) + 1, iw = biw + acw + 1;
  const ssig = seqPorts(c);
  const lanes = (s: 'a' | 'b', n: number, m: number) => [`${s}s_lv:${n * m}`, `${s}s_y:${n * m * cw}`, `${s}s_x:${n * m * cw}`, `${s}s_g:${n * m * gw}`]
    .map((x) => `  wire [${Number(x.split(':')[1]) - 1}:0] ${x.split(':')[0]} = $anyconst;`).join('\n');
  // Vector k's lane buses, named (a sliced bus cannot be indexed again in Verilog).
  const vec = (s: 'a' | 'b', k: number) => ({ lv: `${s}v${k}_lv`, y: `${s}v${k}_y`, x: `${s}v${k}_x`, g: `${s}v${k}_g` });
  const vecWires = (s: 'a' | 'b', count: number, n: number) => Array.from({ length: count }, (_, k) => [
    `  wire [${n - 1}:0] ${s}v${k}_lv = ${s}s_lv[${k * n} +: ${n}];`,
    `  wire [${n * cw - 1}:0] ${s}v${k}_y = ${s}s_y[${k * n * cw} +: ${n * cw}], ${s}v${k}_x = ${s}s_x[${k * n * cw} +: ${n * cw}];`,
    `  wire [${n * gw - 1}:0] ${s}v${k}_g = ${s}s_g[${k * n * gw} +: ${n * gw}];`].join('\n')).join('\n');
  const lane = (s: 'a' | 'b', k: number, l: number, n: number, f: 'lv' | 'y' | 'g') =>
    f === 'lv' ? `${s}s_lv[${k * n + l}]` : f === 'y' ? `${s}s_y[${(k * n + l) * cw} +: ${cw}]` : `${s}s_g[${(k * n + l) * gw} +: ${gw}]`;

  // Assumptions on the operands, as the mapper forms them.
  const assumes: string[] = [];
  const shape = (s: 'a' | 'b', count: number, n: number, nv: string, cntW: number) => {
    for (let k = 0; k < count; k++) {
      const inJob = `${cntW}'d${k} < ${nv}`;
      assumes.push(`    if (${inJob}) assume(${lane(s, k, 0, n, 'lv')});`);
      for (let l = 1; l < n; l++) assumes.push(`    if (${lane(s, k, l, n, 'lv')}) assume(${lane(s, k, l - 1, n, 'lv')});`);
    }
  };
  shape('a', NA, I, 'n_a', acw);
  shape('b', NB, F, 'n_b', bcw);
  for (let k = 0; k + 1 < NA; k++) {
    for (let l = 0; l < I; l++) for (let m = 0; m < I; m++) {
      const both = `${acw}'d${k + 1} < n_a && ${lane('a', k, l, I, 'lv')} && ${lane('a', k + 1, m, I, 'lv')}`;
      assumes.push(`    if (${both}) assume(win_tag ? ${lane('a', k, l, I, 'g')} <= ${lane('a', k + 1, m, I, 'g')} : ${lane('a', k, l, I, 'y')} <= ${lane('a', k + 1, m, I, 'y')});`);
    }
  }

  // Which pairs hold a valid product.
  const pairs: string[] = [], checks: string[] = [];
  for (let b = 0; b < NB; b++) for (let a = 0; a < NA; a++) {
    const calls: string[] = [];
    for (let f = 0; f < F; f++) for (let i = 0; i < I; i++) calls.push(refValidCall(c, { ...vec('a', a), i }, { ...vec('b', b), f }));
    pairs.push(`  wire pv_${b}_${a} = ${calls.join('\n    || ')};`);
    checks.push(`      if (${bcw}'d${b} < n_b && ${acw}'d${a} < n_a && pv_${b}_${a}) seq_issued_b${b}_a${a}: assert(issued[${b * NA + a}]);`);
  }

  const ant_ = ant !== 'off';
  const rsig = ant_ ? rangePorts(c) : [];
  const has = (n: string) => portsOf(rsig).some((p) => p.name === n);
  const loadA = `t >= ${T(1)} && t <= ${T(NA)}`, loadB = `t >= ${T(1)} && t <= ${T(NB)}`;
  const idx = (w: number) => (clk.w >= w ? `ld_k[${w - 1}:0]` : `{${w - clk.w}'d0, ld_k}`);
  // Vector ld_k of a bus of `count` vectors of `w` bits (a mux: Yosys takes no multiplied part-select index).
  const pick = (bus: string, w: number, count: number) =>
    Array.from({ length: count }, (_, k) => `ld_k == ${T(k)} ? ${bus}[${k * w} +: ${w}] : `).join('') + `${w}'d0`;
  const range = ant_ ? `
  // The A- and B-vectors load into af_range while the sequencer is idle (vector t-1 in cycle t).
  wire [${clk.w - 1}:0] ld_k = t - ${T(1)};
  wire [${I - 1}:0] a_lv = ${pick('as_lv', I, NA)};
  wire [${I * cw - 1}:0] a_y = ${pick('as_y', I * cw, NA)};
  wire [${I * cw - 1}:0] a_x = ${pick('as_x', I * cw, NA)};
  wire [${I * gw - 1}:0] a_g = ${pick('as_g', I * gw, NA)};
  wire [${F - 1}:0] b_lv = ${pick('bs_lv', F, NB)};
  wire [${F * cw - 1}:0] b_y = ${pick('bs_y', F * cw, NB)};
  wire [${F * cw - 1}:0] b_x = ${pick('bs_x', F * cw, NB)};
  wire [${F * gw - 1}:0] b_g = ${pick('bs_g', F * gw, NB)};
  wire a_we = ${loadA};
  wire b_we = ${loadB};
  wire [${aiw - 1}:0] a_widx = ${idx(aiw)};
  wire [${biw - 1}:0] b_widx = ${idx(biw)};
  wire [${c.antLookahead - 1}:0] feas, below, above;
  wire low_up;
  wire [${acw - 1}:0] rd_a;
  wire [${biw - 1}:0] rd_b;
${['a_wslot', 'b_wslot', 'rd_slot'].filter(has).map((n) => `  wire ${n} = 1'b0;`).join('\n')}
${instance('af_range', 'u_range', rsig, byName(rsig))}
` : `
  wire unused_lanes = &{1'b0, as_x, bs_x, 1'b0};`;

  return harnessHeader('formal_seq', `sequencer completeness, ant = ${ant}`, c) + `module formal_seq (
  input wire clk
);
${portWires(ssig, ['clk', 'rst', 'start', 'n_a', 'n_b', 'advance', ...(ant_ ? ['feas', 'below', 'above', 'low_up', 'rd_a', 'rd_b'] : [])])}
${jobConsts(c)}
${lanes('a', NA, I)}
${lanes('b', NB, F)}
  wire [${acw - 1}:0] n_a = $anyconst;
  wire [${bcw - 1}:0] n_b = $anyconst;
  wire advance = $anyseq;
  always @* begin
    assume(n_a <= ${acw}'d${NA});
    assume(n_b <= ${bcw}'d${NB});
    assume(!win_tag || match_en);
${assumes.join('\n')}
  end
${ant_ ? '' : `  wire unused_job = &{1'b0, sign_a, sign_b, match_en, win_tag, off_y, off_x, lim_y, lim_x, 1'b0};\n`}
${clk.text}
  // Cycle 0 resets, 1..${ld} load, ${tStart} starts the job.
  wire rst = t == ${T(0)};
  wire start = t == ${T(tStart)};
${range}
${refValidFn(c)}
${vecWires('a', NA, I)}
${vecWires('b', NB, F)}
${pairs.join('\n')}

  // Issued pairs (b*${NA} + a), accepted cycles, and the end of the job.
  reg [${NA * NB - 1}:0] issued = ${NA * NB}'d0;
  reg [${takeW - 1}:0] takes = ${takeW}'d0;
  wire issue = advance && issue_valid;
  wire [${iw - 1}:0] issue_at = ${zext('issue_b', biw, iw)} * ${iw}'d${NA} + ${zext('issue_a', aiw, iw)};
  wire ended = t > ${T(tStart)} && !busy;
  always @(posedge clk) begin
    if (t > ${T(tStart)} && issue) issued <= issued | (${NA * NB}'d1 << issue_at);
    if (t > ${T(tStart)} && advance && busy) takes <= takes + ${takeW}'d1;
  end
  always @* begin
    // The job runs from cycle ${tStart + 1}; before, the sequencer is reset and idle.
    if (t >= ${T(1)} && t <= ${T(tEnd)}) begin
      if (t > ${T(tStart)} && issue) begin
        seq_in_job: assert(${zext('issue_a', aiw, wa)} < ${zext('n_a', acw, wa)} && ${zext('issue_b', biw, wb)} < ${zext('n_b', bcw, wb)});
        seq_once: assert(!issued[issue_at]);
      end
      seq_ends: assert(takes <= ${zext('n_b', bcw, takeW)} * (${zext('n_a', acw, takeW)} + ${takeW}'d1));
      if (ended) begin
${checks.join('\n')}
      end
    end
  end

${instance('af_seq', 'dut', ssig, byName(ssig))}
endmodule
`;
}
