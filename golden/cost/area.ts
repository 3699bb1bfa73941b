/** ASIC area of a config per component, from the scaled table (tech.ts) and the RTL's structure (structure.ts). */
import { type HwConfig, derive, OPERAND_SLOTS } from '../../generator/config.ts';
import { arrayStructure } from '../../generator/array.ts';
import type { Tech } from './tech.ts';
import { addA, cmpA, multA, regfileA } from './units.ts';
import { PERF_COUNTERS, RANGE_B_WRITE_OPS, RANGE_SHARED_OPS, bEntryWidth, boxReadBits, boxStore, boxWidth, coordOps, pipelineBits, rangeTestOps } from './structure.ts';

export interface AreaPart { um2: number; detail: string }
export interface AreaReport {
  unit: 'um^2';
  node: number;
  /** All PEs and the array around them. */
  total: number;
  perPe: number;
  /** Per component, over all PEs; reductionTree and groupSelect are the array's own (pes > 1). */
  components: Record<string, AreaPart>;
  ant: { um2: number; share: number; storage: number; logic: number; paperMm2: number; paperSource: string; ratioToPaper: number };
}

export const ANT_PAPER_MM2 = 0.0017;
export const ANT_PAPER_SOURCE = 'Lew et al., "Anticipating and eliminating redundant computations in accelerated sparse training", ISCA 2022: "0.0017 mm^2 of additional area" (abstract)';

/**
 * ASIC area per component (um^2), one PE times `pes`:
 *   multipliers      F x I multipliers at dataWidth
 *   crossbar         banks x (accWidth + rowWidth) output bits, each a (F*I):1 mux ((F*I - 1) mux2),
 *                    F*I x banks bank-select compares, the pending-product registers
 *   accumulators     banks x bankDepth x accWidth flip-flops (af_accbank reads asynchronously:
 *                    a register file with one depth:1 read mux per bit) + an adder per bank
 *   operandBuffers   2 slots (double-buffered: one loads while one computes) of (aDepth x I +
 *                    bDepth x F) lanes of laneWidth bits of SRAM (af_opbuf is BRAM-shaped:
 *                    synchronous read) + the read-data registers
 *   coordinate       per lane 2 small (addrWidth) multipliers + 4 adders, per product 6 adders
 *                    and 3 compares
 *   rangeUnit (ANT)  storage: 2 slots of aDepth A bounding boxes and bDepth B thresholds in af_boxram's
 *                    single-ported SRAM banks (as the operand buffers) + a read register per bank;
 *                    logic: box min/max per lane, the B thresholds at load, antLookahead range
 *                    testers, per bank a row incrementer and a write-first bypass (row compare +
 *                    entry-wide mux), the bank-rotation muxes; 0 for ant = off
 *   control          job registers (the loading and the running job's), load/sequencer counters
 *                    and slot bits (5 incrementers), the performance
 *                    counters of generator/counters.ts (flip-flops + an incrementer each)
 * and, for an array (pes > 1), af_array's own blocks (generator/array.ts, arrayStructure):
 *   reductionTree    the cross-PE adder tree of reduced drains: banks adders of accWidth per
 *                    pair of aligned groups at every level (N - 1 pairs for a power of two)
 *   groupSelect      per PE: the group-level selects of its group's sum, B stream and handshakes
 *                    ((levels - 1) mux2 per bit), its own-or-group selects of B data and output,
 *                    its array-job registers (bcast, reduce, groupLog of the loading job; reduce,
 *                    groupLog of the running one); the per-level AND trees
 *                    of the barriers (3 per PE and level), costed as mux2 bits (an upper bound)
 * Each PE drains on its own port: the output buffer behind it (SCNN's output RAM) is outside
 * the generated RTL and not counted here; halo partial sums are added in that post-processing.
 */
export function area(cfg: HwConfig, t: Tech): AreaReport {
  const d = derive(cfg);
  const A = t.area;
  const P = cfg.F * cfg.I, B = cfg.banks, lw = d.laneWidth;
  const parts: Record<string, AreaPart> = {};

  parts.multipliers = { um2: P * multA(t, cfg.dataWidth), detail: `${P} x ${cfg.dataWidth}b multiplier` };

  const xw = cfg.accWidth + d.rowWidth;
  const xbarMux = B * xw * (P - 1) * A.mux2_bit;
  const xbarSel = d.bankBits > 0 ? P * B * cmpA(t, d.bankBits) : 0;
  const xbarRegs = (P * (cfg.accWidth + d.addrWidth + 1) + 1) * A.reg_bit;
  parts.crossbar = { um2: xbarMux + xbarSel + xbarRegs, detail: `${B} outputs x ${xw} bits x ${P}:1 mux, ${P}x${B} ${d.bankBits}b bank compares, ${P} pending products` };

  const accStore = B * regfileA(t, cfg.bankDepth, cfg.accWidth, 1);
  parts.accumulators = { um2: accStore + B * addA(t, cfg.accWidth), detail: `${B} x ${cfg.bankDepth} x ${cfg.accWidth}b register file + ${B} ${cfg.accWidth}b adders` };

  const bufBits = OPERAND_SLOTS * (cfg.aDepth * cfg.I + cfg.bDepth * cfg.F) * lw;
  parts.operandBuffers = { um2: bufBits * A.sram_bit + (cfg.F + cfg.I) * lw * A.reg_bit, detail: `${bufBits} SRAM bits (${OPERAND_SLOTS} slots x (${cfg.aDepth}x${cfg.I} + ${cfg.bDepth}x${cfg.F} lanes x ${lw}b)) + read registers` };

  const co = coordOps(cfg);
  const laneA = co.lane.mult * multA(t, co.aw) + co.lane.addAw * addA(t, co.aw) + co.lane.addSw * addA(t, co.sw);
  const prodA = co.product.addSw * addA(t, co.sw) + co.product.cmpSw * cmpA(t, co.sw) + co.product.cmpG * cmpA(t, co.gw) + co.product.addAw * addA(t, co.aw);
  parts.coordinate = { um2: (cfg.F + cfg.I) * laneA + P * prodA, detail: `${cfg.F + cfg.I} lanes x (2 ${co.aw}b mult + 4 adders), ${P} products x (6 adders + 3 compares)` };

  let antStorage = 0, antLogic = 0;
  if (cfg.ant !== 'off') {
    const bw = boxWidth(cfg), L = cfg.antLookahead, bs = boxStore(cfg);
    antStorage = bs.bits * A.sram_bit + boxReadBits(cfg) * A.reg_bit;
    const boxLogic = (cfg.F + cfg.I) * (4 * cmpA(t, cfg.coordWidth) + 2 * cmpA(t, cfg.tagWidth));
    const r = rangeTestOps(cfg);
    const testers = L * ((r.wide - RANGE_SHARED_OPS / L) * cmpA(t, r.width) + r.tag * cmpA(t, cfg.tagWidth))
      + (RANGE_SHARED_OPS + RANGE_B_WRITE_OPS) * cmpA(t, r.width);
    const ew = bEntryWidth(cfg);
    const perBank = (s: typeof bs.a, width: number) => s.banks * (addA(t, s.rowW) + 2 * cmpA(t, s.rowW) + width * A.mux2_bit);
    // The A side feeds L candidates from its banks (a banks:1 mux each); B feeds 2 from 2 banks.
    const rotate = L * (bs.a.banks - 1) * bw * A.mux2_bit + 2 * ew * A.mux2_bit;
    antLogic = boxLogic + testers + perBank(bs.a, bw) + perBank(bs.b, ew) + rotate;
    parts.rangeUnit = {
      um2: antStorage + antLogic,
      detail: `${OPERAND_SLOTS} slots x (${cfg.aDepth} A boxes x ${bw}b + ${cfg.bDepth} B thresholds x ${ew}b) in SRAM (${bs.a.banks} banks x ${bs.a.rows} and 2 x ${bs.b.rows}), ${bs.a.banks + 2} read registers, box min/max per lane, ${L} range testers, bank rotation`,
    };
  } else {
    parts.rangeUnit = { um2: 0, detail: 'ant = off: no range unit' };
  }

  const pb = pipelineBits(cfg).parts;
  const ctlBits = pb.jobRegister + pb.loadCounters + pb.sequencer + pb.perfCounters;
  // The load and sequencer counters: 3 over A vectors, 2 over B vectors.
  const ctlAdders = PERF_COUNTERS * addA(t, cfg.counterWidth) + addA(t, d.aCountWidth) * 3 + addA(t, d.bCountWidth) * 2;
  parts.control = { um2: ctlBits * A.reg_bit + ctlAdders, detail: `${ctlBits} flip-flops (job, counters, sequencer) + ${PERF_COUNTERS + 5} incrementers` };

  const perPe = Object.values(parts).reduce((s, p) => s + p.um2, 0);
  for (const p of Object.values(parts)) p.um2 *= cfg.pes;
  let arrayUm2 = 0;
  if (cfg.pes > 1) {
    const N = cfg.pes, st = arrayStructure(cfg), OW = B * cfg.accWidth, bw = cfg.F * lw, G = st.selectable;
    const gw = Math.log2(G);
    parts.reductionTree = { um2: st.adders * addA(t, cfg.accWidth), detail: `${st.adders} ${cfg.accWidth}b adders (${st.adders / B} pair sums of ${B} banks over ${st.levels - 1} levels)` };
    const selBits = N * ((G - 1) * (OW + bw + 5) + bw + OW) + 3 * (st.levels - 1) * N;
    parts.groupSelect = {
      um2: selBits * A.mux2_bit + N * (3 + 2 * gw) * A.reg_bit,
      detail: `${N} PEs x (${G}:1 selects of ${OW}b sums, ${bw}b B data and 5 handshakes, own-or-group selects) + barrier AND trees, ${N * (3 + 2 * gw)} flip-flops (the loading and the running job's fields)`,
    };
    arrayUm2 = parts.reductionTree.um2 + parts.groupSelect.um2;
  } else {
    parts.reductionTree = { um2: 0, detail: 'one PE: no array' };
    parts.groupSelect = { um2: 0, detail: 'one PE: no array' };
  }
  const total = perPe * cfg.pes + arrayUm2;
  const antUm2 = parts.rangeUnit.um2;
  return {
    unit: 'um^2', node: t.node, total, perPe, components: parts,
    ant: {
      um2: antUm2, share: total > 0 ? antUm2 / total : 0,
      storage: antStorage * cfg.pes, logic: antLogic * cfg.pes,
      paperMm2: ANT_PAPER_MM2, paperSource: ANT_PAPER_SOURCE, ratioToPaper: antUm2 / 1e6 / ANT_PAPER_MM2,
    },
  };
}
