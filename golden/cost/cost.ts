/**
 * Energy and area of a config, Accelergy-style: an energy reference table (per-action energy,
 * per-component area, every entry citing its source: golden/cost/tech-45nm.json) times action
 * counts derived from the performance counters (golden model or RTL: the same `Counters`).
 *
 * Scaling rules (the table's `scaling` section documents and cites them):
 *   width   adders and comparators linear in bits, multipliers quadratic, SRAM access linear in
 *           the bits accessed; a width is scaled from the table's nearest reference width
 *           (ties to the wider reference).
 *   size    SRAM read energy E = a * bytes^b, a least-squares power law through Horowitz's
 *           64-bit reads of 8 KB, 32 KB and 1 MB (b ~ 0.47); writes = reads x write/read of the
 *           table's write entry.
 *   node    Stillmaker & Baas (2017): area factors of the 45 nm row, energy from the per-node
 *           polynomial a*Vdd^2 + b*Vdd + c at the table's Vdd (iso-voltage); linear in nm
 *           between listed nodes. Entries stated at another node (Aladdin's 40 nm) are scaled
 *           to the table's node when the table is loaded.
 *
 * Action vocabulary (Accelergy): random (new operands, full energy), repeated (same operands as
 * the previous action: x repeated_fraction) and gated (clock-gated or operand-isolated unit:
 * x gated_fraction).
 */
import fs from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { type HwConfig, derive, clog2 } from '../../generator/config.ts';
import { ConfigError } from '../../generator/errors.ts';
import { jobLayout } from '../../generator/layout.ts';
import { boxramShape, rangeWidth, boxWidth, bEntryWidth } from '../../generator/range.ts';
import type { Counters } from '../../generator/counters.ts';

export interface CostEntry {
  value: number;
  unit: string;
  source: string;
  width?: number;
  sizeBytes?: number;
  /** Node (nm) the value is stated at, when it differs from the table's. */
  node?: number;
  min?: number;
  max?: number;
}

export interface NodeRule { rule: string; source: string; nodes: number[]; area: number[]; energyPoly: [number, number, number][] }

export interface TechTable {
  name: string;
  description?: string;
  node: number;
  vdd: number;
  energy: Record<string, CostEntry>;
  area: Record<string, CostEntry>;
  scaling: {
    width: Record<'int_add' | 'compare' | 'int_mult' | 'sram_width', { exponent: number; source: string }>;
    sramSize: { rule: string; points: string[]; source: string };
    node: NodeRule;
  };
}

/** Entries every table must have (the energy and area models read them). */
export const REQUIRED_ENERGY = [
  'int_add_8', 'int_add_16', 'int_add_32', 'int_mult_8', 'int_mult_32',
  'fp_add_16', 'fp_mult_16', 'fp_add_32', 'fp_mult_32',
  'sram_read_8KB_32b', 'sram_read_8KB_64b', 'sram_read_32KB_64b', 'sram_read_1MB_64b', 'sram_write_8KB_64b', 'dram_read_64b',
  'reg_read_bit', 'reg_write_bit', 'ff_clock_bit', 'compare_16', 'mux2_bit', 'xbar_traversal_bit_level',
  'gated_fraction', 'repeated_fraction',
] as const;
export const REQUIRED_AREA = ['int_add_8', 'int_add_16', 'int_add_32', 'int_mult_8', 'int_mult_32', 'compare_16', 'reg_bit', 'mux2_bit', 'sram_bit'] as const;

const entrySchema = {
  type: 'object',
  required: ['value', 'unit', 'source'],
  properties: {
    value: { type: 'number', minimum: 0 },
    unit: { type: 'string', minLength: 1 },
    source: { type: 'string', minLength: 1 },
    width: { type: 'integer', minimum: 1 },
    sizeBytes: { type: 'number', exclusiveMinimum: 0 },
    node: { type: 'number', exclusiveMinimum: 0 },
    min: { type: 'number', minimum: 0 },
    max: { type: 'number', minimum: 0 },
  },
  additionalProperties: false,
} as const;

/** JSON Schema (draft 2020-12) of a technology table (`antforge size --tech FILE`). */
export const TECH_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://antforge.dev/schema/tech.json',
  title: 'antforge technology cost table',
  description: 'Per-action energy (pJ) and per-component area (um^2), each entry with its source, plus the width, SRAM-size and node scaling rules.',
  type: 'object',
  required: ['name', 'node', 'vdd', 'energy', 'area', 'scaling'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    node: { type: 'number', exclusiveMinimum: 0, description: 'technology node of the values, nm' },
    vdd: { type: 'number', exclusiveMinimum: 0, description: 'supply voltage of the values, V' },
    energy: { type: 'object', required: [...REQUIRED_ENERGY], additionalProperties: entrySchema },
    area: { type: 'object', required: [...REQUIRED_AREA], additionalProperties: entrySchema },
    scaling: {
      type: 'object',
      required: ['width', 'sramSize', 'node'],
      properties: {
        width: {
          type: 'object',
          required: ['int_add', 'compare', 'int_mult', 'sram_width'],
          additionalProperties: {
            type: 'object', required: ['exponent', 'source'],
            properties: { exponent: { type: 'number', minimum: 0 }, source: { type: 'string', minLength: 1 } },
          },
        },
        sramSize: {
          type: 'object', required: ['rule', 'points', 'source'],
          properties: {
            rule: { const: 'power-law' },
            points: { type: 'array', minItems: 2, items: { type: 'string' } },
            source: { type: 'string', minLength: 1 },
          },
        },
        node: {
          type: 'object', required: ['rule', 'source', 'nodes', 'area', 'energyPoly'],
          properties: {
            rule: { type: 'string' },
            source: { type: 'string', minLength: 1 },
            nodes: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0 } },
            area: { type: 'array', minItems: 1, items: { type: 'number', exclusiveMinimum: 0 } },
            energyPoly: { type: 'array', minItems: 1, items: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number' } } },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
// Ajv's default dialect is draft-07: compile the body without the 2020-12 meta-schema keys.
const { $schema: _s, $id: _i, ...schemaBody } = TECH_SCHEMA;
const validateTable = ajv.compile(schemaBody);

function describeError(e: ErrorObject): string {
  const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
  if (e.keyword === 'required') return `${at === '(top level)' ? '' : at + '.'}${(e.params as { missingProperty: string }).missingProperty} is missing`;
  if (e.keyword === 'minimum' || e.keyword === 'exclusiveMinimum') return `${at} is ${e.keyword === 'minimum' ? 'negative' : 'not positive'}; allowed: a number ${e.message}`;
  if (e.keyword === 'additionalProperties') return `${at} has unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  return `${at} ${e.message}`;
}

/** The built-in table. */
export const DEFAULT_TECH_FILE = new URL('./tech-45nm.json', import.meta.url);

/** Read and validate a table; throws ConfigError (exit 2) naming the missing or bad entry. */
export function readTechTable(file: string | URL = DEFAULT_TECH_FILE): TechTable {
  const name = typeof file === 'string' ? file : 'built-in tech-45nm.json';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`tech table '${name}' cannot be read; give a path to a JSON file (schema: golden/cost/cost.ts TECH_SCHEMA, example: golden/cost/tech-45nm.json)`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`tech table '${name}' is not valid JSON: ${(e as Error).message}`);
  }
  return validateTechTable(obj, name);
}

export function validateTechTable(obj: unknown, name = 'tech table'): TechTable {
  if (!validateTable(obj)) {
    const errs = (validateTable.errors ?? []).map(describeError);
    const hint = `every table needs energy entries ${REQUIRED_ENERGY.join(', ')} and area entries ${REQUIRED_AREA.join(', ')}, each {value >= 0, unit, source}`;
    throw new ConfigError(`tech table '${name}': ${errs.slice(0, 3).join('; ')}${errs.length > 3 ? ` (and ${errs.length - 3} more)` : ''}; ${hint}`);
  }
  const t = obj as unknown as TechTable;
  const n = t.scaling.node;
  if (n.area.length !== n.nodes.length || n.energyPoly.length !== n.nodes.length) {
    throw new ConfigError(`tech table '${name}': scaling.node.nodes, .area and .energyPoly must have one entry per node (${n.nodes.length}, ${n.area.length}, ${n.energyPoly.length})`);
  }
  for (let i = 1; i < n.nodes.length; i++) {
    if (!(n.nodes[i] < n.nodes[i - 1])) throw new ConfigError(`tech table '${name}': scaling.node.nodes must be strictly decreasing (nm), got ${n.nodes.join(', ')}`);
  }
  for (const p of t.scaling.sramSize.points) {
    const e = t.energy[p];
    if (!e || !e.sizeBytes || !e.width) throw new ConfigError(`tech table '${name}': scaling.sramSize.points names '${p}', which must be an energy entry with sizeBytes and width`);
  }
  checkNode(n, t.node, `tech table '${name}': node`);
  for (const [kind, entries] of [['energy', t.energy], ['area', t.area]] as const) {
    for (const [k, e] of Object.entries(entries)) if (e.node !== undefined) checkNode(n, e.node, `tech table '${name}': ${kind}.${k}.node`);
  }
  return t;
}

function checkNode(n: NodeRule, node: number, what: string): void {
  const lo = n.nodes[n.nodes.length - 1], hi = n.nodes[0];
  if (!(node >= lo && node <= hi)) throw new ConfigError(`${what} ${node} nm is outside the node rule's range; allowed: ${lo}..${hi} nm`);
}

/** A node rule's factor at `node`, interpolated linearly in nm between the listed nodes. */
function interp(n: NodeRule, node: number, f: (i: number) => number): number {
  const i = n.nodes.findIndex((x) => x <= node);
  if (i === 0 || n.nodes[i] === node) return f(i);
  const hi = n.nodes[i - 1], lo = n.nodes[i];
  const t = (hi - node) / (hi - lo);
  return f(i - 1) * (1 - t) + f(i) * t;
}

/** Node scaling factors from `from` nm to `to` nm (multiply an energy or area by them). */
export function nodeFactors(n: NodeRule, vdd: number, from: number, to: number): { energy: number; area: number } {
  const e = (i: number) => { const [a, b, c] = n.energyPoly[i]; return a * vdd * vdd + b * vdd + c; };
  const a = (i: number) => n.area[i];
  return { energy: interp(n, to, e) / interp(n, from, e), area: interp(n, to, a) / interp(n, from, a) };
}

/** Scale a value stated at refWidth to width by the power-law width rule. */
export const scaleWidth = (value: number, refWidth: number, width: number, exponent: number): number => value * (width / refWidth) ** exponent;

export interface Tech {
  table: TechTable;
  /** Node the numbers are scaled to. */
  node: number;
  energyFactor: number;
  areaFactor: number;
  /** Every entry's value at `node` (pJ, um^2, or a ratio). */
  energy: Record<string, number>;
  area: Record<string, number>;
  /** SRAM read fit at `node`: pJ = a * bytes^b for a 64-bit access. */
  sramFit: { a: number; b: number };
}

/** A table scaled to `node` (default: the table's own node). */
export function makeTech(table: TechTable, node = table.node): Tech {
  checkNode(table.scaling.node, node, `--node`);
  const rule = table.scaling.node;
  const f = nodeFactors(rule, table.vdd, table.node, node);
  const scale = (entries: Record<string, CostEntry>, kind: 'energy' | 'area') => Object.fromEntries(Object.entries(entries).map(([k, e]) => {
    if (e.unit === 'ratio') return [k, e.value];
    const fromNode = e.node ?? table.node;
    const g = nodeFactors(rule, table.vdd, fromNode, node);
    return [k, e.value * g[kind]];
  }));
  const energy = scale(table.energy, 'energy');
  const area = scale(table.area, 'area');
  // Least squares in log-log through the SRAM points, each first brought to 64 bits.
  const pts = table.scaling.sramSize.points.map((p) => {
    const e = table.energy[p];
    return [Math.log(e.sizeBytes!), Math.log(energy[p] * (64 / e.width!) ** table.scaling.width.sram_width.exponent)];
  });
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length, my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0), sxy = pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const b = sxx > 0 ? sxy / sxx : 0;
  return { table, node, energyFactor: f.energy, areaFactor: f.area, energy, area, sramFit: { a: Math.exp(my - b * mx), b } };
}

/** Read a table (default: the built-in 45 nm one) and scale it to `node`. */
export function loadTech(file?: string, node?: number): Tech {
  return makeTech(readTechTable(file ?? DEFAULT_TECH_FILE), node);
}

type Kind = 'int_add' | 'int_mult' | 'compare';
const EXPONENT_KEY: Record<Kind, 'int_add' | 'int_mult' | 'compare'> = { int_add: 'int_add', int_mult: 'int_mult', compare: 'compare' };

/** The reference entry of a kind nearest to `width` (|log ratio|, ties to the wider). */
function nearest(table: TechTable, which: 'energy' | 'area', kind: Kind, width: number): string {
  const re = new RegExp(`^${kind}_(\\d+)$`);
  let best = '', bestD = Infinity, bestW = 0;
  for (const [k, e] of Object.entries(table[which])) {
    if (!re.test(k)) continue;
    const w = e.width ?? Number(re.exec(k)![1]);
    const d = Math.abs(Math.log(width / w));
    if (d < bestD - 1e-12 || (Math.abs(d - bestD) <= 1e-12 && w > bestW)) { best = k; bestD = d; bestW = w; }
  }
  return best;
}

function byWidth(t: Tech, which: 'energy' | 'area', kind: Kind, width: number): number {
  const k = nearest(t.table, which, kind, width);
  const e = t.table[which][k];
  return scaleWidth(t[which][k], e.width ?? Number(k.split('_').pop()), width, t.table.scaling.width[EXPONENT_KEY[kind]].exponent);
}

export const addE = (t: Tech, w: number) => byWidth(t, 'energy', 'int_add', w);
export const multE = (t: Tech, w: number) => byWidth(t, 'energy', 'int_mult', w);
export const cmpE = (t: Tech, w: number) => byWidth(t, 'energy', 'compare', w);
export const addA = (t: Tech, w: number) => byWidth(t, 'area', 'int_add', w);
export const multA = (t: Tech, w: number) => byWidth(t, 'area', 'int_mult', w);
export const cmpA = (t: Tech, w: number) => byWidth(t, 'area', 'compare', w);

/** SRAM read of `width` bits from an array of `bytes` bytes (pJ). */
export function sramReadE(t: Tech, bytes: number, width: number): number {
  return t.sramFit.a * bytes ** t.sramFit.b * (width / 64) ** t.table.scaling.width.sram_width.exponent;
}
export function sramWriteE(t: Tech, bytes: number, width: number): number {
  const w = t.table.energy.sram_write_8KB_64b;
  return sramReadE(t, bytes, width) * (t.energy.sram_write_8KB_64b / sramReadE(t, w.sizeBytes!, w.width!));
}
/** Flip-flop register file (asynchronous read through a depth:1 mux), per access of `width` bits. */
export const regReadE = (t: Tech, depth: number, width: number) => width * (t.energy.reg_read_bit + clog2(depth) * t.energy.mux2_bit);
export const regWriteE = (t: Tech, width: number) => width * t.energy.reg_write_bit;
/** Area of a flip-flop register file with `ports` asynchronous read ports (each a depth:1 mux per bit). */
export const regfileA = (t: Tech, depth: number, width: number, ports: number) =>
  depth * width * t.area.reg_bit + ports * width * Math.max(0, depth - 1) * t.area.mux2_bit;

// ---------------------------------------------------------------------------------------------
// Structure of the generated RTL that the models count (kept next to the formulas that use it).

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

/** Flip-flops clocked every cycle in one PE outside the storage arrays (the per-cycle proxy). */
export function pipelineBits(cfg: HwConfig): { total: number; parts: Record<string, number> } {
  const d = derive(cfg);
  const P = cfg.F * cfg.I;
  const parts = {
    operandReadRegs: (cfg.F + cfg.I) * d.laneWidth, // af_opbuf rd_data (stage M)
    stageM: 1,
    xbarPending: P * (cfg.accWidth + d.addrWidth + 1) + 1, // af_xbar pend, pend_addr, pend_prod, busy
    jobRegister: jobLayout(cfg).width,
    loadCounters: d.aCountWidth + d.bCountWidth + Math.max(1, clog2(cfg.bankDepth + 1)) + 3,
    sequencer: 2 * d.aCountWidth + d.bIdxWidth + 2,
    perfCounters: 8 * cfg.counterWidth,
    // af_boxram read registers (one box per bank) and bank phases; none without ANT.
    boxReadRegs: cfg.ant === 'off' ? 0 : boxReadBits(cfg),
  };
  return { total: Object.values(parts).reduce((s, v) => s + v, 0), parts };
}

// ---------------------------------------------------------------------------------------------
// Energy

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

export const ENERGY_COMPONENTS = ['multipliers', 'operandBuffers', 'coordinate', 'crossbar', 'accumulators', 'rangeUnit', 'clock'] as const;

/**
 * Energy of a run = action counts (from the counters and the config) x the table.
 *   multipliers    random: products (every lane pair with both operands, RCPs included);
 *                  gated: empty lanes of issued pairs and all F x I lanes of skipped pairs;
 *                  repeated: F x I lanes held through each bank-conflict stall cycle
 *   operandBuffers one A-vector and one B-vector SRAM read per issued pair, at vector width
 *   coordinate     per issued pair the F + I lane terms, per product its coordinate and address
 *   crossbar       random: a traversal per valid product; gated: RCPs, dropped at its input
 *   accumulators   a read-modify-write per valid product (register-file read, add, write)
 *   rangeUnit      per visited pair (ant != off): the range test and the A-box read (SRAM bank)
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
      'accumulator clears (INIT) and drains',
      'DRAM and global-buffer traffic (outside the PE)',
      'wires (crossbar and buffer wires: logic only)',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Area

export interface AreaPart { um2: number; detail: string }
export interface AreaReport {
  unit: 'um^2';
  node: number;
  /** All PEs. */
  total: number;
  perPe: number;
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
 *   operandBuffers   (aDepth x I + bDepth x F) lanes of laneWidth bits of SRAM (af_opbuf is
 *                    BRAM-shaped: synchronous read) + the read-data registers
 *   coordinate       per lane 2 small (addrWidth) multipliers + 4 adders, per product 6 adders
 *                    and 3 compares
 *   rangeUnit (ANT)  storage: aDepth A bounding boxes and bDepth B threshold entries in af_boxram's
 *                    single-ported SRAM banks (as the operand buffers) + a read register per bank;
 *                    logic: box min/max per lane, the B thresholds at load, antLookahead range
 *                    testers, per bank a row incrementer and a write-first bypass (row compare +
 *                    entry-wide mux), the bank-rotation muxes; 0 for ant = off
 *   control          job register, load/sequencer counters, 8 performance counters (flip-flops +
 *                    an incrementer each)
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

  const bufBits = (cfg.aDepth * cfg.I + cfg.bDepth * cfg.F) * lw;
  parts.operandBuffers = { um2: bufBits * A.sram_bit + (cfg.F + cfg.I) * lw * A.reg_bit, detail: `${bufBits} SRAM bits (${cfg.aDepth}x${cfg.I} + ${cfg.bDepth}x${cfg.F} lanes x ${lw}b) + read registers` };

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
      detail: `${cfg.aDepth} A boxes x ${bw}b (${bs.a.banks} banks x ${bs.a.rows}) + ${cfg.bDepth} B thresholds x ${ew}b (2 x ${bs.b.rows}) in SRAM, ${bs.a.banks + 2} read registers, box min/max per lane, ${L} range testers, bank rotation`,
    };
  } else {
    parts.rangeUnit = { um2: 0, detail: 'ant = off: no range unit' };
  }

  const pb = pipelineBits(cfg).parts;
  const ctlBits = pb.jobRegister + pb.loadCounters + pb.sequencer + pb.perfCounters;
  const ctlAdders = 8 * addA(t, cfg.counterWidth) + addA(t, d.aCountWidth) * 3 + addA(t, d.bCountWidth) * 2;
  parts.control = { um2: ctlBits * A.reg_bit + ctlAdders, detail: `${ctlBits} flip-flops (job, counters, sequencer) + 13 incrementers` };

  const perPe = Object.values(parts).reduce((s, p) => s + p.um2, 0);
  for (const p of Object.values(parts)) p.um2 *= cfg.pes;
  const total = perPe * cfg.pes;
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

/** The table's entries after scaling to the chosen node, with their sources (for `size`). */
export function scaledTable(t: Tech): { energy: Record<string, CostEntry & { scaled: number }>; area: Record<string, CostEntry & { scaled: number }> } {
  const map = (entries: Record<string, CostEntry>, vals: Record<string, number>) =>
    Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, { ...e, scaled: vals[k] }]));
  return { energy: map(t.table.energy, t.energy), area: map(t.table.area, t.area) };
}
