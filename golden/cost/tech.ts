/**
 * The technology cost table: per-action energy and per-component area, every entry citing its
 * source (the built-in one is tech-45nm.json), validated against TECH_SCHEMA, and scaled to a
 * node. The per-width rules that read the scaled table are in units.ts.
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
 */
import fs from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { ConfigError } from '../../generator/errors.ts';

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
    throw new ConfigError(`tech table '${name}' cannot be read; give a path to a JSON file (schema: golden/cost/tech.ts TECH_SCHEMA, example: golden/cost/tech-45nm.json)`);
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

/** The table's entries after scaling to the chosen node, with their sources (for `size`). */
export function scaledTable(t: Tech): { energy: Record<string, CostEntry & { scaled: number }>; area: Record<string, CostEntry & { scaled: number }> } {
  const map = (entries: Record<string, CostEntry>, vals: Record<string, number>) =>
    Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, { ...e, scaled: vals[k] }]));
  return { energy: map(t.table.energy, t.energy), area: map(t.table.area, t.area) };
}
