/**
 * Energy and area of a config, Accelergy-style: an energy reference table (per-action energy,
 * per-component area, every entry citing its source: golden/cost/tech-45nm.json) times action
 * counts derived from the performance counters (golden model or RTL: the same `Counters`).
 * This module is the cost model's front door; its parts, by role:
 *   tech.ts       the table: schema, validation, loading, node scaling
 *   units.ts      primitive units at any width (adders, multipliers, compares, SRAM, registers)
 *   structure.ts  what the generated RTL has that the models count (flip-flops, range-test ops)
 *   energy.ts     energy of a run from its counters
 *   area.ts       area of a config per component
 */
export * from './tech.ts';
export * from './units.ts';
export * from './structure.ts';
export * from './energy.ts';
export * from './area.ts';
