/**
 * The property catalogue of `antforge prove`: each property is a harness generated from the
 * same config as the RTL, the blocks it instantiates, and how it is searched.
 */
import type { AntMode, HwConfig } from '../../generator/config.ts';
import type { Engine } from './run.ts';
import { harnessRange } from './harness-range.ts';
import { harnessCoord, harnessMul } from './harness-coord.ts';
import { harnessBoxram } from './harness-boxram.ts';
import { harnessAccbank, harnessXbar, xbarDepth } from './harness-xbar.ts';
import { harnessSeq, seqDepth } from './harness-seq.ts';

export interface Property {
  name: string;
  description: string;
  /** ANT mode of the generated blocks the harness instantiates. */
  ant: AntMode;
  /** Generated modules the harness instantiates (a mutant of another module cannot change it). */
  modules: string[];
  top: string;
  harness: (cfg: HwConfig) => string;
  engine: Engine;
  /** Cycles the harness needs: every check happens before this one. */
  depth: (cfg: HwConfig) => number;
  /**
   * True when the harness checks one arbitrary situation and nothing after its depth, so a
   * search to that depth covers every case (status proved). False when longer runs exist
   * (stall patterns, write sequences) that a bounded search leaves out: proved to depth N.
   */
  complete: boolean;
}

const seq = (ant: AntMode): Property => ({
  name: `seq-${ant}`,
  description: `sequencer completeness (ant = ${ant}): over a whole job of up to aDepth x bDepth vectors, every pair holding a valid product is issued exactly once, nothing else twice, and the job ends`,
  ant, modules: ant === 'off' ? ['af_seq'] : ['af_seq', 'af_range', 'af_boxram'], top: 'formal_seq',
  harness: (cfg) => harnessSeq(cfg, ant), engine: 'bmc', depth: (cfg) => seqDepth(cfg), complete: false,
});

export const PROPERTIES: Property[] = [
  { name: 'range-safety', description: 'af_range never rejects (infeasible, below or above the window) a pair that holds a valid product, for every lane content, buffer index, candidate slot, job register, sign and tag setting',
    ant: 'window', modules: ['af_range', 'af_boxram'], top: 'formal_range', harness: harnessRange, engine: 'bmc', depth: () => 3, complete: true },
  { name: 'coord', description: 'af_coord marks exactly the valid products (both lanes occupied, tags match, rows and columns in range), for every lane content and job register',
    ant: 'off', modules: ['af_coord'], top: 'formal_coord', harness: harnessCoord, engine: 'bmc', depth: () => 1, complete: true },
  { name: 'mularray', description: 'af_mularray forms every signed product, wrapped to accWidth',
    ant: 'off', modules: ['af_mularray'], top: 'formal_mul', harness: harnessMul, engine: 'bmc', depth: () => 1, complete: true },
  { name: 'boxram', description: 'af_boxram: every read slot returns the box last written to its index, a write in the same cycle forwarded, under any sequence of writes and reads',
    ant: 'window', modules: ['af_boxram'], top: 'formal_boxram', harness: harnessBoxram, engine: 'pdr', depth: () => 12, complete: false },
  { name: 'xbar-acc', description: 'af_xbar + af_accbank: every valid product of every taken pair is written to its bank and row exactly once, under any bank-conflict pattern and take timing; the crossbar empties; the drained row holds the product (one non-zero product a run)',
    ant: 'off', modules: ['af_xbar', 'af_accbank'], top: 'formal_xbar', harness: harnessXbar, engine: 'bmc', depth: (cfg) => xbarDepth(cfg), complete: false },
  { name: 'accbank', description: 'af_accbank: a cleared row that takes two free values drains their sum (wrapped to accWidth)',
    ant: 'off', modules: ['af_accbank'], top: 'formal_accbank', harness: harnessAccbank, engine: 'bmc', depth: () => 4, complete: true },
  seq('off'), seq('filter'), seq('window'),
];

export const propertyNamed = (name: string) => PROPERTIES.find((p) => p.name === name);
