/**
 * Energy and area of the primitive units at any width, from a scaled table (tech.ts): adders,
 * multipliers and comparators by the width rule from the nearest reference entry, SRAM by the
 * size power law, flip-flop register files per bit.
 */
import { clog2 } from '../../generator/config.ts';
import { type Tech, type TechTable, scaleWidth } from './tech.ts';

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
