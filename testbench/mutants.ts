/**
 * The mutant catalogue: small, plausible RTL bugs generated from the templates (a pattern in
 * one generated module and its replacement). `antforge mutate` cosimulates each on a short
 * regression; every mutant must be killed - one that survives is a hole in the regression.
 */
import { resolveConfig, type HwConfig } from '../generator/config.ts';
import { AntforgeError } from '../generator/errors.ts';
import { generate } from '../generator/index.ts';
import type { VModule } from '../generator/verilog.ts';
import { describeWorkload } from '../golden/workload/describe.ts';
import { validateWorkload, type Workload } from '../golden/workload/workload.ts';
import { cosim } from './cosim.ts';

export interface Mutant {
  name: string;
  description: string;
  module: string;
  pattern: RegExp;
  replace: string | ((cfg: HwConfig) => string);
  /** The ant mode whose RTL contains the mutated code. */
  ant: 'off' | 'window';
}

export const MUTANTS: Mutant[] = [
  { name: 'coord-row-limit-off-by-one', description: 'coordinate unit accepts output row == limY', module: 'af_coord',
    pattern: /\(oy < lim_y_s\)/, replace: '(oy <= lim_y_s)', ant: 'off' },
  { name: 'coord-col-limit-off-by-one', description: 'coordinate unit accepts output column == limX', module: 'af_coord',
    pattern: /\(ox < lim_x_s\)/, replace: '(ox <= lim_x_s)', ant: 'off' },
  { name: 'coord-negative-row-accepted', description: 'coordinate unit drops the sign check of the output row', module: 'af_coord',
    pattern: /wire in_y = !oy\[\d+\] && /, replace: 'wire in_y = ', ant: 'off' },
  { name: 'coord-wrong-stride-term', description: "B's channel address term uses A's channel stride", module: 'af_coord',
    pattern: /\* stride_bc/, replace: '* stride_ac', ant: 'off' },
  { name: 'coord-lost-last-lane', description: 'the last lane of every stationary vector is lost', module: 'af_coord',
    pattern: /assign p_valid\[P\] = a_lv\[i\] && b_lv\[f\]/, replace: (cfg) => `assign p_valid[P] = a_lv[i] && (i < ${cfg.I - 1}) && b_lv[f]`, ant: 'off' },
  { name: 'mul-sign-extension-dropped', description: 'multiplier zero-extends the stationary operand', module: 'af_mularray',
    pattern: /\{\{(\d+)\{a\[\d+\]\}\}, a\}/, replace: "{$1'd0, a}", ant: 'off' },
  { name: 'xbar-bank-bits-shifted', description: 'crossbar takes the bank index from address bits one position up', module: 'af_xbar',
    pattern: /pend_addr\[p\*(\d+) \+: (\d+)\] == BANK/, replace: 'pend_addr[p*$1 + 1 +: $2] == BANK', ant: 'off' },
  { name: 'xbar-no-conflict-serialization', description: 'a pair leaves the crossbar after one cycle even with bank conflicts', module: 'af_xbar',
    pattern: /wire last = \(pend & ~granted\) == [^;]+;/, replace: "wire last = 1'b1;", ant: 'off' },
  { name: 'xbar-stuck-write-enable', description: 'bank write enable stuck at 1', module: 'af_xbar',
    pattern: /assign bank_we\[b\] = \|want;/, replace: "assign bank_we[b] = 1'b1;", ant: 'off' },
  { name: 'accbank-dropped-carry', description: 'accumulator adds without carries', module: 'af_accbank',
    pattern: /assign sum = rd_data \+ acc_data;/, replace: 'assign sum = rd_data ^ acc_data;', ant: 'off' },
  { name: 'pe-stuck-valid', description: 'stage M valid never clears', module: 'af_pe',
    pattern: /m_valid <= issue \|\| \(m_valid && !x_take\);/, replace: 'm_valid <= issue || m_valid;', ant: 'off' },
  { name: 'pe-skipped-drain', description: 'a job that should drain goes straight back to idle', module: 'af_pe',
    pattern: /state <= drains \? S_WAIT : eng_start \? S_COMPUTE : S_IDLE;/, replace: 'state <= eng_start ? S_COMPUTE : S_IDLE;', ant: 'off' },
  { name: 'pe-one-operand-slot', description: 'the next job loads into the operand slot the running job computes from', module: 'af_pe',
    pattern: /ld_slot <= !ld_slot;/, replace: 'ld_slot <= ld_slot;', ant: 'off' },
  { name: 'seq-skips-last-a-vector', description: 'baseline sequencer wraps one A-vector early', module: 'af_seq',
    pattern: /\(a_idx_ext \+ (\d+)'d1\) == n_a/, replace: "(a_idx_ext + $1'd2) == n_a", ant: 'off' },
  { name: 'array-reduction-drops-a-pe', description: "the reducing drain leaves out the last PE's partial sums", module: 'af_array',
    pattern: /(assign psum_l1\[[^\]]+\] = psum_l0\[[^\]]+\]) \+ psum_l0\[[^\]]+\];/, replace: '$1;', ant: 'off' },
  { name: 'array-bcast-no-barrier', description: 'a PE takes a broadcast job without waiting for its group', module: 'af_array',
    pattern: /wire take_ok = !head_bcast\[p\] \|\| bc_lvl\[head_g\];/, replace: 'wire take_ok = 1\'b1 || bc_lvl[head_g];', ant: 'off' },
  { name: 'array-reduced-drain-not-synced', description: 'a reduced drain starts when its own PE waits, not when the whole group does', module: 'af_array',
    pattern: /wire drain_go = reduce_q\[p\] \? wait_lvl\[run_g\] : pe_wait\[p\];/, replace: 'wire drain_go = reduce_q[p] ? pe_wait[p] || wait_lvl[run_g] : pe_wait[p];', ant: 'off' },
  { name: 'range-row-test-off-by-one', description: 'ANT range test rejects pairs whose highest output row is 0', module: 'af_range',
    pattern: /wire y_before = ay_max < t_yhi;/, replace: 'wire y_before = ay_max <= t_yhi;', ant: 'window' },
  { name: 'range-row-low-off-by-one', description: 'ANT range test rejects pairs whose lowest output row is the last of the tile', module: 'af_range',
    pattern: /wire y_after = ay_min >= t_ylo;/, replace: 'wire y_after = ay_min >= t_ylo - 1;', ant: 'window' },
  { name: 'range-col-test-off-by-one', description: 'ANT range test rejects pairs whose lowest output column is the last', module: 'af_range',
    pattern: /wire x_after = ax_min >= t_xlo;/, replace: 'wire x_after = ax_min >= t_xlo - 1;', ant: 'window' },
  { name: 'seq-window-leaves-early', description: 'window sequencer leaves a B-vector one candidate before the end of A', module: 'af_seq',
    pattern: /wire leave_b = stop_above \|\| next_pos >= n_a_p;/, replace: 'wire leave_b = stop_above || next_pos + 1 >= n_a_p;', ant: 'window' },
  { name: 'boxram-no-forwarding', description: 'a box written in the cycle it is read returns the stale entry (no write-first)', module: 'af_boxram',
    pattern: /q <= \(we && wr_row == row\) \? wr_data : mem\[row\];/, replace: 'q <= mem[row];', ant: 'window' },
  { name: 'boxram-rotation-off-by-one', description: 'box memory hands candidate j the box of index j+1', module: 'af_boxram',
    pattern: /wire \[BANKW-1:0\] src = phase_q \+ J;/, replace: "wire [BANKW-1:0] src = phase_q + J + 1'b1;", ant: 'window' },
];

/** A catalogued mutant by name (tests that need one particular bug take it from here). */
export function mutantNamed(name: string): Mutant {
  const m = MUTANTS.find((x) => x.name === name);
  if (!m) throw new Error(`no mutant named ${name}; the catalogue has ${MUTANTS.map((x) => x.name).join(', ')}`);
  return m;
}

/** The modules with one mutant applied; throws if its pattern no longer matches the template. */
export function applyMutant(modules: VModule[], m: Mutant, cfg: HwConfig): VModule[] {
  let hit = false;
  const out = modules.map((mod) => {
    if (mod.name !== m.module) return mod;
    if (!m.pattern.test(mod.text)) return mod;
    hit = true;
    const replacement = typeof m.replace === 'string' ? m.replace : m.replace(cfg);
    return { ...mod, text: mod.text.replace(m.pattern, replacement) };
  });
  if (!hit) throw new Error(`mutant ${m.name}: pattern ${m.pattern} not found in ${m.module}; the template changed, update the catalogue`);
  return out;
}

/** Small config with two PEs, so array, reduction and (for ANT mutants) window logic are all exercised. */
export const MUTATE_CONFIG = { name: 'mutate', pes: 2, F: 2, I: 2, banks: 8, bankDepth: 16, aDepth: 32, bDepth: 32, antLookahead: 2 };

/** The regression: one short layer per mode, chosen so every block does real work. */
export const MUTATE_REGRESSION: object[] = [
  { kind: 'conv', phase: 'wgrad', N: 1, C: 2, K: 2, H: 9, W: 9, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.4, gradients: 0.4 }, seed: 11 },
  { kind: 'conv', phase: 'fwd', N: 1, C: 2, K: 3, H: 9, W: 8, R: 3, S: 3, stride: 2, pad: 1, density: { weights: 0.5, activations: 0.5 }, seed: 12 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 3, K: 2, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 0, density: { weights: 0.5, gradients: 0.5 }, seed: 13 },
  { kind: 'matmul', M: 9, K: 8, N: 7, density: { a: 0.4, b: 0.4 }, seed: 14, mapping: 'packed' },
  // Jobs of one or two vectors a side, so a box is read in the cycle it is written.
  { kind: 'conv', phase: 'bwd', N: 1, C: 2, K: 2, H: 4, W: 4, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.2, gradients: 0.25 }, seed: 1 },
  { kind: 'conv', phase: 'bwd', N: 1, C: 2, K: 2, H: 4, W: 4, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.2, gradients: 0.25 }, seed: 3 },
  // With loads hidden behind computing, a box is read in the cycle it is written only when the
  // engine idles as a job of at most two B-vectors finishes loading (the job before it had
  // nothing to multiply): this layer has such a job.
  { kind: 'conv', phase: 'bwd', N: 1, C: 2, K: 2, H: 4, W: 4, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.2, gradients: 0.3 }, seed: 3 },
  // A broadcast group whose members' loaders free up at different cycles, with more A- than
  // B-vectors: only the barrier keeps the members' loads, and so their starts, in step.
  { kind: 'conv', phase: 'fwd', N: 1, C: 3, K: 2, H: 5, W: 5, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.15, activations: 0.5 }, seed: 2 },
];

export interface MutantResult { name: string; description: string; module: string; killed: boolean; killedBy?: string; workload?: string; detail?: string }

/** Cosimulate one mutant until a check fails; the first failing check is what killed it. */
export async function runMutant(m: Mutant, base: HwConfig = resolveConfig(MUTATE_CONFIG), regression = MUTATE_REGRESSION): Promise<MutantResult> {
  const cfg = { ...base, ant: m.ant };
  const modules = applyMutant(generate(cfg), m, cfg);
  for (const spec of regression) {
    const w: Workload = validateWorkload(spec);
    let r;
    try {
      r = await cosim(cfg, w, { modules });
    } catch (e) {
      if (e instanceof AntforgeError && e.area === 'simulation') {
        return { name: m.name, description: m.description, module: m.module, killed: true, killedBy: 'hang', workload: describeWorkload(w), detail: e.message };
      }
      throw e;
    }
    if (r.pass) continue;
    const killedBy = r.cycles.rtl !== r.cycles.golden ? 'cycles' : r.trace.mismatches ? 'trace' : r.countersCheck.mismatched.length ? 'counters' : 'outputs';
    const f = r.trace.first;
    const detail = f ? `first divergence at cycle ${f.cycle}, job ${f.job}, ${f.signal}: expected ${f.expected}, got ${f.actual}`
      : r.outputs.first ? `output [${r.outputs.first.index.join(',')}]: expected ${r.outputs.first.expected}, got ${r.outputs.first.actual}`
      : `cycles rtl ${r.cycles.rtl} golden ${r.cycles.golden}; counters ${r.countersCheck.mismatched.join(', ')}`;
    return { name: m.name, description: m.description, module: m.module, killed: true, killedBy, workload: describeWorkload(w), detail };
  }
  return { name: m.name, description: m.description, module: m.module, killed: false };
}
