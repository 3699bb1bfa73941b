/**
 * The performance counters of af_pe, in port order (`perf_<name>`). This list is the one
 * source: the PE's and the array's ports, the harnesses, the golden models' Counters type and
 * the cost model's incrementers are all derived from it.
 */
export const COUNTER_DOCS = {
  cycles: 'clock cycles since reset (the array\'s, in summed counters)',
  pairs: '(B-vector, A-vector) pairs issued to the multipliers',
  products: 'lane pairs of issued pairs with both operands present',
  valid: 'products whose output coordinate is valid',
  rcps: 'products that are RCPs (products - valid)',
  stalls: 'bank-conflict cycles of the crossbar',
  visited: 'pairs the sequencer examined',
  skipped: 'examined pairs the ANT range test rejected',
  gated: 'RCP lanes of issued pairs whose operands lane gating isolated (0 without gating)',
  drained: 'accumulator rows read out and cleared (DRAIN), to its own port or into its group\'s adder tree',
  merged: 'drained rows that went into its group\'s adder tree (a reduced drain\'s members after the first)',
} as const;

export type CounterName = keyof typeof COUNTER_DOCS;
export type Counters = Record<CounterName, number>;
export const COUNTER_NAMES = Object.keys(COUNTER_DOCS) as CounterName[];

const ZERO = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;
export const zeroCounters = (): Counters => ({ ...ZERO });

/** Counters summed over PEs, with the array's cycle count. */
export function sumCounters(perPe: Counters[], cycles: number): Counters {
  const sum = { ...zeroCounters(), cycles };
  for (const c of perPe) for (const n of COUNTER_NAMES) if (n !== 'cycles') sum[n] += c[n];
  return sum;
}
