/**
 * The structure of the generated RTL that the energy and area models count: how many
 * comparators, adders and flip-flops each block has, derived from the config and from the
 * generator's own definitions (generator/range.ts, generator/layout.ts, generator/counters.ts).
 */
import { type HwConfig, derive, clog2 } from '../../generator/config.ts';
import { jobLayout } from '../../generator/layout.ts';
import { boxramShape, rangeWidth, boxWidth, bEntryWidth } from '../../generator/range.ts';
import { COUNTER_NAMES } from '../../generator/counters.ts';

export { rangeWidth, boxWidth, bEntryWidth };

/** af_boxram: its banks, rows and the SRAM bits of both instances (A: index mod banks; B: even/odd). */
export function boxStore(cfg: HwConfig) {
  const shape = boxramShape(cfg), bw = boxWidth(cfg);
  const bits = shape.a.banks * shape.a.rows * bw + shape.b.banks * shape.b.rows * bEntryWidth(cfg);
  return { ...shape, bits, aBankBytes: (shape.a.rows * bw) / 8 };
}
/** Flip-flops of the box memories' read side: a box register per bank and the bank phases. */
export const boxReadBits = (cfg: HwConfig) => {
  const s = boxramShape(cfg);
  return s.a.banks * boxWidth(cfg) + s.b.banks * bEntryWidth(cfg) + s.a.bankW + s.b.bankW;
};

/**
 * One candidate's range test in af_range, in comparator-equivalents (subtract-and-compare
 * operations): 4 compares at SW bits of the A box against the B-vector's thresholds (y_before,
 * y_after, x_before, x_after) and 2 tag compares at tagWidth; plus the low_up compare shared by
 * the L candidates of a cycle, charged 1/L per candidate. The thresholds themselves are computed
 * once per B-vector as it loads (RANGE_B_WRITE_OPS: 4 conditional negations, 4 adders with the
 * offsets, 2 subtractions from the limits).
 */
export const RANGE_SHARED_OPS = 1;
export const RANGE_B_WRITE_OPS = 10;
export function rangeTestOps(cfg: HwConfig): { wide: number; tag: number; width: number } {
  return { wide: 4 + RANGE_SHARED_OPS / cfg.antLookahead, tag: 2, width: rangeWidth(cfg) };
}

/** Coordinate unit (af_coord) operations. */
export function coordOps(cfg: HwConfig) {
  const d = derive(cfg);
  const sw = d.ocWidth + 1;
  return {
    aw: d.addrWidth, sw, gw: cfg.tagWidth,
    /** Per lane (F + I of them): y*limX and c*stride (aw-bit multipliers), spatial + x and the channel term (2 adders), y/x negation (2 at sw). */
    lane: { mult: 2, addAw: 2, addSw: 2 },
    /** Per product: oy and ox (2 three-operand adds = 4 at sw), 2 range compares at sw, a tag compare, the address (3 operands: 2 adders at aw). */
    product: { addSw: 4, cmpSw: 2, cmpG: 1, addAw: 2 },
  };
}

/** af_pe's performance counters (perf_<name>): a counterWidth register and an incrementer each. */
export const PERF_COUNTERS = COUNTER_NAMES.length;

/** Flip-flops clocked every cycle in one PE outside the storage arrays (the per-cycle proxy). */
export function pipelineBits(cfg: HwConfig): { total: number; parts: Record<string, number> } {
  const d = derive(cfg);
  const P = cfg.F * cfg.I;
  const parts = {
    operandReadRegs: (cfg.F + cfg.I) * d.laneWidth, // af_opbuf rd_data (stage M)
    stageM: 1,
    xbarPending: P * (cfg.accWidth + d.addrWidth + 1) + 1, // af_xbar pend, pend_addr, pend_prod, busy
    // The loading job's descriptor and the running job's (af_pe ld_job_q, job_q).
    jobRegister: 2 * jobLayout(cfg).width,
    // a_cnt, b_cnt, row_cnt, the engine's and the loader's states, the two slot bits.
    loadCounters: d.aCountWidth + d.bCountWidth + Math.max(1, clog2(cfg.bankDepth + 1)) + 3 + 2 + 2,
    sequencer: 2 * d.aCountWidth + d.bIdxWidth + 2,
    perfCounters: PERF_COUNTERS * cfg.counterWidth,
    // af_boxram read registers (one box per bank) and bank phases; none without ANT.
    boxReadRegs: cfg.ant === 'off' ? 0 : boxReadBits(cfg),
  };
  return { total: Object.values(parts).reduce((s, v) => s + v, 0), parts };
}
