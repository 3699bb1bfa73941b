/**
 * Energy of a run, Accelergy-style: action counts derived from the performance counters (golden
 * model or RTL: the same `Counters`) and the config, times the scaled table's per-action energy.
 *
 * Action vocabulary (Accelergy): random (new operands, full energy), repeated (same operands as
 * the previous action: x repeated_fraction) and gated (clock-gated or operand-isolated unit:
 * x gated_fraction).
 */
import { type HwConfig, derive, clog2 } from '../../generator/config.ts';
import type { Counters } from '../../generator/counters.ts';
import type { Tech } from './tech.ts';
import { addE, cmpE, multE, regReadE, regWriteE, sramReadE } from './units.ts';
import { boxStore, boxWidth, coordOps, pipelineBits, rangeTestOps } from './structure.ts';

export type ActionKind = 'random' | 'repeated' | 'gated';
export interface ActionEnergy {
  component: string;
  action: string;
  kind: ActionKind;
  count: number;
  /** pJ per action (after the random/repeated/gated factor). */
  perAction: number;
  pJ: number;
  derivation: string;
}
export interface EnergyReport {
  unit: 'pJ';
  total: number;
  components: Record<string, number>;
  actions: ActionEnergy[];
  /** What the counters cannot see, so the total leaves out. */
  notCounted: string[];
}

export const ENERGY_COMPONENTS = ['multipliers', 'operandBuffers', 'coordinate', 'crossbar', 'accumulators', 'rangeUnit', 'reductionTree', 'clock'] as const;

/**
 * Energy of a run = action counts (from the counters and the config) x the table.
 *   multipliers    random: products (every lane pair with both operands, RCPs included);
 *                  gated: empty lanes of issued pairs and all F x I lanes of skipped pairs;
 *                  repeated: F x I lanes held through each bank-conflict stall cycle
 *   operandBuffers one A-vector and one B-vector SRAM read per issued pair, at vector width
 *   coordinate     per issued pair the F + I lane terms, per product its coordinate and address
 *   crossbar       random: a traversal per valid product; gated: RCPs, dropped at its input
 *   accumulators   a read-modify-write per valid product (register-file read, add, write)
 *   accumulators   also, per drained row (drained), every bank's entry read out and cleared
 *   rangeUnit      per visited pair (ant != off): the range test and the A-box read (SRAM bank)
 *   reductionTree  per row merged into a group's sum (merged: the reduced drain's members after
 *                  the first), an accWidth add per bank in af_array's adder tree
 *   clock          cycles x pes x pipeline flip-flops x ff_clock_bit (clock/leakage proxy)
 */
export function energy(c: Counters, cfg: HwConfig, t: Tech): EnergyReport {
  const d = derive(cfg);
  const E = t.energy;
  const P = cfg.F * cfg.I;
  const lw = d.laneWidth;
  const gated = E.gated_fraction, repeated = E.repeated_fraction;
  const mult = multE(t, cfg.dataWidth);
  const actions: ActionEnergy[] = [];
  const add = (component: string, action: string, kind: ActionKind, count: number, perAction: number, derivation: string) =>
    actions.push({ component, action, kind, count, perAction, pJ: count * perAction, derivation });

  add('multipliers', 'multiply', 'random', c.products - c.gated, mult, `${cfg.dataWidth}b multiply`);
  add('multipliers', 'multiply (gated RCP lane)', 'gated', c.gated, mult * gated, `${cfg.dataWidth}b multiply x gated_fraction (gating = lanes: operands isolated)`);
  add('multipliers', 'multiply (empty lane)', 'gated', c.pairs * P - c.products, mult * gated, `${cfg.dataWidth}b multiply x gated_fraction`);
  add('multipliers', 'multiply (skipped pair)', 'gated', c.skipped * P, mult * gated, `F x I multiplies x gated_fraction`);
  add('multipliers', 'multiply (stall hold)', 'repeated', c.stalls * P, mult * repeated, `F x I multiplies x repeated_fraction`);

  const aBytes = (cfg.aDepth * cfg.I * lw) / 8, bBytes = (cfg.bDepth * cfg.F * lw) / 8;
  add('operandBuffers', 'A vector read', 'random', c.pairs, sramReadE(t, aBytes, cfg.I * lw), `SRAM read of ${cfg.I * lw} bits from ${aBytes} B`);
  add('operandBuffers', 'B vector read', 'random', c.pairs, sramReadE(t, bBytes, cfg.F * lw), `SRAM read of ${cfg.F * lw} bits from ${bBytes} B`);

  const co = coordOps(cfg);
  const laneE = co.lane.mult * multE(t, co.aw) + co.lane.addAw * addE(t, co.aw) + co.lane.addSw * addE(t, co.sw);
  const prodE = co.product.addSw * addE(t, co.sw) + co.product.cmpSw * cmpE(t, co.sw) + co.product.cmpG * cmpE(t, co.gw) + co.product.addAw * addE(t, co.aw);
  add('coordinate', 'lane terms', 'random', c.pairs, (cfg.F + cfg.I) * laneE, `(F+I) x (2 ${co.aw}b mult + 2 ${co.aw}b add + 2 ${co.sw}b negate)`);
  add('coordinate', 'product coordinate', 'random', c.products, prodE, `4 ${co.sw}b add + 2 ${co.sw}b compare + ${co.gw}b compare + 2 ${co.aw}b add`);
  add('coordinate', 'product coordinate (empty lane)', 'gated', c.pairs * P - c.products, prodE * gated, 'x gated_fraction');

  const levels = Math.max(1, clog2(P));
  const xw = cfg.accWidth + d.rowWidth;
  add('crossbar', 'traversal', 'random', c.valid, xw * levels * E.xbar_traversal_bit_level, `${xw} bits x ${levels} mux levels`);
  add('crossbar', 'traversal (RCP dropped)', 'gated', c.rcps, xw * levels * E.xbar_traversal_bit_level * gated, 'x gated_fraction');

  const rmw = regReadE(t, cfg.bankDepth, cfg.accWidth) + addE(t, cfg.accWidth) + regWriteE(t, cfg.accWidth);
  add('accumulators', 'read-modify-write', 'random', c.valid, rmw, `${cfg.accWidth}b register-file read (${cfg.bankDepth} deep) + ${cfg.accWidth}b add + write`);
  const readClear = cfg.banks * (regReadE(t, cfg.bankDepth, cfg.accWidth) + regWriteE(t, cfg.accWidth));
  add('accumulators', 'drain (read out and clear a row)', 'random', c.drained, readClear, `${cfg.banks} banks x (${cfg.accWidth}b register-file read + clearing write)`);
  add('reductionTree', 'reduction add (a row into the group sum)', 'random', c.merged, cfg.banks * addE(t, cfg.accWidth), `${cfg.banks} ${cfg.accWidth}b adds`);

  if (cfg.ant !== 'off') {
    const r = rangeTestOps(cfg);
    const test = r.wide * cmpE(t, r.width) + r.tag * cmpE(t, cfg.tagWidth);
    add('rangeUnit', 'range test', 'random', c.visited, test, `${r.wide.toFixed(2)} ${r.width}b subtract-and-compare + ${r.tag} ${cfg.tagWidth}b compares`);
    const bs = boxStore(cfg);
    add('rangeUnit', 'A-box read', 'random', c.visited, sramReadE(t, bs.aBankBytes, boxWidth(cfg)),
      `${boxWidth(cfg)}b SRAM read from one ${bs.a.rows}-row bank (${bs.aBankBytes} B); one per examined candidate (banks of unexamined candidates are not charged)`);
  }

  const pb = pipelineBits(cfg).total;
  add('clock', 'pipeline and control flip-flops', 'random', c.cycles * cfg.pes, pb * E.ff_clock_bit, `${pb} flip-flops x ff_clock_bit per PE-cycle`);

  const components: Record<string, number> = Object.fromEntries(ENERGY_COMPONENTS.map((k) => [k, 0]));
  for (const a of actions) components[a.component] += a.pJ;
  return {
    unit: 'pJ',
    total: actions.reduce((s, a) => s + a.pJ, 0),
    components,
    actions,
    notCounted: [
      'operand buffer and range-box writes while loading (the counters do not count loaded vectors)',
      'accumulator clears at INIT (bankDepth cycles once after reset)',
      'the output buffer behind each PE\'s port and the halo partial sums added there (outside the generated RTL)',
      'DRAM and global-buffer traffic (outside the PE)',
      'wires (crossbar and buffer wires: logic only)',
    ],
  };
}
