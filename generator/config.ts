/**
 * The hardware config: one JSON object, validated here and only here.
 * Every parameter check sits next to the parameter (Gemmini's `require(cond, msg)` style),
 * and the JSON Schema published by `antforge schema` is built from the same table.
 */
import fs from 'node:fs';
import { ConfigError } from './errors.ts';

export const ANT_MODES = ['off', 'filter', 'window'] as const;
export type AntMode = (typeof ANT_MODES)[number];
export const GATING_MODES = ['off', 'lanes'] as const;
export type GatingMode = (typeof GATING_MODES)[number];

export interface HwConfig {
  name: string;
  /** Multiplier array: F streamed (B) lanes x I stationary (A) lanes. */
  F: number;
  I: number;
  banks: number;
  bankDepth: number;
  dataWidth: number;
  accWidth: number;
  pes: number;
  ant: AntMode;
  /** Operand isolation of multiplier lanes whose product is an RCP inside an issued pair (energy only). */
  gating: GatingMode;
  /** Candidate A-vectors the ANT sequencer examines per cycle (filter, window). */
  antLookahead: number;
  /** Operand buffer depths, in vectors (one vector = F or I lanes). */
  aDepth: number;
  bDepth: number;
  /** Bits of the y and x coordinate fields each element carries. */
  coordWidth: number;
  /** Bits of the channel field c. */
  chanWidth: number;
  /** Bits of the match tag g (stride phase in fwd, contraction index in packed matmul). */
  tagWidth: number;
  counterWidth: number;
}

interface IntKey { kind: 'int'; min: number; max: number; pow2?: boolean; doc: string }
interface EnumKey { kind: 'enum'; values: readonly string[]; doc: string }
interface NameKey { kind: 'name'; doc: string }
type KeySpec = IntKey | EnumKey | NameKey;

export const CONFIG_KEYS: Record<keyof HwConfig, KeySpec> = {
  name: { kind: 'name', doc: 'Config name; names the output folder rtl-out/<name>. Letters, digits, _ and -.' },
  F: { kind: 'int', min: 1, max: 16, doc: 'Streamed-operand (B) lanes of the multiplier array.' },
  I: { kind: 'int', min: 1, max: 16, doc: 'Stationary-operand (A) lanes of the multiplier array.' },
  banks: { kind: 'int', min: 1, max: 64, pow2: true, doc: 'Accumulator banks behind the scatter crossbar.' },
  bankDepth: { kind: 'int', min: 1, max: 4096, doc: 'Accumulator entries per bank.' },
  dataWidth: { kind: 'int', min: 4, max: 32, doc: 'Operand bits (signed two\'s complement).' },
  accWidth: { kind: 'int', min: 8, max: 64, doc: 'Accumulator bits; sums wrap in two\'s complement at this width.' },
  pes: { kind: 'int', min: 1, max: 64, doc: 'Processing elements in the array (SCNN: 64).' },
  ant: { kind: 'enum', values: ANT_MODES, doc: 'RCP anticipation: "off" issues every (B-vector, A-vector) pair (SCNN baseline); "filter" skips pairs whose coordinate ranges cannot meet a valid output, examining antLookahead candidates a cycle; "window" also jumps into each B-vector\'s window of A-vectors and leaves at its end.' },
  gating: { kind: 'enum', values: GATING_MODES, doc: 'Lane gating inside issued pairs: "lanes" isolates the operands of every multiplier lane whose product the coordinate unit marks invalid (an RCP), so it does not toggle; counted in perf_gated; energy only, cycles and outputs unchanged. "off": every lane with both operands multiplies.' },
  antLookahead: { kind: 'int', min: 1, max: 16, doc: 'Candidate pairs the ANT sequencer examines per cycle (filter, window).' },
  aDepth: { kind: 'int', min: 1, max: 65536, doc: 'Stationary-operand buffer depth in I-lane vectors.' },
  bDepth: { kind: 'int', min: 1, max: 65536, doc: 'Streamed-operand buffer depth in F-lane vectors.' },
  coordWidth: { kind: 'int', min: 2, max: 16, doc: 'Bits of each element\'s y and x coordinates.' },
  chanWidth: { kind: 'int', min: 1, max: 16, doc: 'Bits of each element\'s channel coordinate.' },
  tagWidth: { kind: 'int', min: 1, max: 16, doc: 'Bits of each element\'s match tag (stride phase, packed contraction index).' },
  counterWidth: { kind: 'int', min: 16, max: 64, doc: 'Bits of each performance counter (they wrap).' },
};

/** SCNN-like default: 4x4 multipliers, 32 banks of 32 entries, 16-bit operands, 32-bit accumulate. */
export const DEFAULT_CONFIG: HwConfig = {
  name: 'scnn4x4',
  F: 4,
  I: 4,
  banks: 32,
  bankDepth: 32,
  dataWidth: 16,
  accWidth: 32,
  pes: 1,
  ant: 'off',
  gating: 'off',
  antLookahead: 4,
  aDepth: 256,
  bDepth: 256,
  coordWidth: 8,
  chanWidth: 8,
  tagWidth: 4,
  counterWidth: 32,
};

function allowed(spec: KeySpec): string {
  if (spec.kind === 'int') return spec.pow2 ? `a power of two ${spec.min}..${spec.max}` : `an integer ${spec.min}..${spec.max}`;
  if (spec.kind === 'enum') return spec.values.map((v) => JSON.stringify(v)).join(' | ');
  return 'a non-empty string of letters, digits, _ and - (at most 64)';
}

function require(cond: boolean, message: string): void {
  if (!cond) throw new ConfigError(message);
}

function checkKey(key: keyof HwConfig, value: unknown): void {
  const spec = CONFIG_KEYS[key];
  const bad = `config key '${key}': ${JSON.stringify(value)} is not allowed; allowed: ${allowed(spec)}`;
  if (spec.kind === 'int') {
    require(typeof value === 'number' && Number.isInteger(value), bad);
    const v = value as number;
    require(v >= spec.min && v <= spec.max, bad);
    if (spec.pow2) require((v & (v - 1)) === 0, bad);
  } else if (spec.kind === 'enum') {
    require(typeof value === 'string' && spec.values.includes(value), bad);
  } else {
    require(typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value), bad);
  }
}

/** Validate a partial config object over the defaults; throws ConfigError naming the key. */
export function resolveConfig(partial: unknown, base: HwConfig = DEFAULT_CONFIG): HwConfig {
  require(typeof partial === 'object' && partial !== null && !Array.isArray(partial),
    'config must be a JSON object whose keys are: ' + Object.keys(CONFIG_KEYS).join(', '));
  const obj = partial as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    // Own keys only: 'constructor', 'toString' and '__proto__' are `in` every object.
    require(Object.hasOwn(CONFIG_KEYS, key), `config key '${key}' is unknown; allowed keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
  }
  const cfg = { ...base, ...obj } as HwConfig;
  for (const key of Object.keys(CONFIG_KEYS) as (keyof HwConfig)[]) checkKey(key, cfg[key]);
  // Cross-key rules.
  require(cfg.banks * cfg.bankDepth <= 1 << 20,
    `config keys 'banks' x 'bankDepth' = ${cfg.banks * cfg.bankDepth} accumulators; allowed: at most 1048576`);
  return cfg;
}

/** Parse `--set key=value` overrides: numbers as numbers, anything else as a string. */
export function parseSets(sets: string[]): Record<string, unknown> {
  // No prototype, so `--set __proto__=1` is kept as a key (and rejected) instead of vanishing.
  const out: Record<string, unknown> = Object.create(null);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set '${s}' is not of the form key=value (keys: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    const key = s.slice(0, eq).trim();
    const raw = s.slice(eq + 1).trim();
    out[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** The config a command runs with: defaults, then --config FILE, then --set overrides. */
export function loadConfig(file: string | undefined, sets: string[] = []): HwConfig {
  let fromFile: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`config file '${file}' cannot be read; give a path to a JSON file`);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`config file '${file}' is not valid JSON: ${(e as Error).message}`);
    }
  }
  const merged = resolveConfig(fromFile);
  return resolveConfig(parseSets(sets), merged);
}

/** JSON Schema (draft 2020-12) of the config, generated from CONFIG_KEYS. */
export function configSchema(): object {
  const properties: Record<string, object> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const def = DEFAULT_CONFIG[key as keyof HwConfig];
    if (spec.kind === 'int') {
      const p: Record<string, unknown> = { type: 'integer', minimum: spec.min, maximum: spec.max, default: def, description: spec.doc };
      if (spec.pow2) p.enum = Array.from({ length: Math.log2(spec.max) + 1 }, (_, i) => 2 ** i).filter((v) => v >= spec.min);
      properties[key] = p;
    } else if (spec.kind === 'enum') {
      properties[key] = { enum: [...spec.values], default: def, description: spec.doc };
    } else {
      properties[key] = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', default: def, description: spec.doc };
    }
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://antforge.dev/schema/config.json',
    title: 'antforge hardware config',
    description: 'One sparse outer-product PE (SCNN-like) with optional ANT anticipation. Omitted keys take the default.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

export const clog2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Widths every block derives from the config, computed once so RTL and model agree. */
export interface Derived {
  bankBits: number;
  rowWidth: number;
  addrWidth: number;
  aIdxWidth: number;
  bIdxWidth: number;
  aCountWidth: number;
  bCountWidth: number;
  /** Signed width of output-coordinate arithmetic (y/x sums with offsets). */
  ocWidth: number;
  laneWidth: number;
  /**
   * Bits of a count of ANT candidates, 0..antLookahead's largest allowed value: the
   * sequencer's per-cycle `visited` count and its candidate indices. Sized from the config
   * limit, not the value, so every build has the same port widths.
   */
  lookCountWidth: number;
  /**
   * Bits of an index into a double-buffered operand store (af_opbuf, af_range's box memories):
   * slot s holds its job's vector i at s x depth + i, and a read base may run one past the end.
   */
  aBufWidth: number;
  bBufWidth: number;
}

/** Operand slots per PE: one job computes from one while the next job loads into the other. */
export const OPERAND_SLOTS = 2;

export function derive(cfg: HwConfig): Derived {
  const bankBits = clog2(cfg.banks);
  const rowWidth = Math.max(1, clog2(cfg.bankDepth));
  return {
    bankBits,
    rowWidth,
    addrWidth: Math.max(1, clog2(cfg.banks * cfg.bankDepth)),
    aIdxWidth: Math.max(1, clog2(cfg.aDepth)),
    bIdxWidth: Math.max(1, clog2(cfg.bDepth)),
    aCountWidth: clog2(cfg.aDepth + 1),
    bCountWidth: clog2(cfg.bDepth + 1),
    ocWidth: cfg.coordWidth + 3,
    laneWidth: 1 + cfg.tagWidth + cfg.chanWidth + 2 * cfg.coordWidth + cfg.dataWidth,
    lookCountWidth: clog2((CONFIG_KEYS.antLookahead as IntKey).max + 1),
    aBufWidth: clog2(OPERAND_SLOTS * cfg.aDepth + 1),
    bBufWidth: clog2(OPERAND_SLOTS * cfg.bDepth + 1),
  };
}
