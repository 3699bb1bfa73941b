/**
 * Model of af_seq, the pair sequencer, one clock cycle per step() - the RTL's state machine
 * written again, so the golden model follows the same schedule.
 *   off:    every (B, A) pair in order, B outer, A inner, one pair per cycle.
 *   filter: each cycle looks at the next L candidate A-vectors of the current B-vector and
 *           issues the first feasible one; infeasible candidates before it are skipped in the
 *           same cycle, so a skipped pair costs at most 1/L cycle.
 *   window: as filter, but a B-vector starts at the first A-vector that is not below its
 *           window (remembered from the previous B-vector, whose window start only moves
 *           forward) and leaves as soon as a candidate is above the window.
 */
import type { AntMode } from '../../generator/config.ts';
import type { JobDesc } from '../mapping/jobs.ts';
import { type Box, feasible, below, above, windowLow } from './range.ts';

export interface SeqStep { issue: { b: number; a: number } | undefined; visited: number; skipped: number }

export class Seq {
  active = false;
  b = 0;
  a = 0;
  ws = 0;
  wsFound = false;
  private d!: JobDesc;
  private aBox: Box[] = [];
  private bBox: Box[] = [];

  constructor(readonly mode: AntMode, readonly lookahead: number) {}

  start(d: JobDesc, aBox: Box[], bBox: Box[]): void {
    this.d = d;
    this.aBox = aBox;
    this.bBox = bBox;
    this.active = d.nA > 0 && d.nB > 0;
    this.b = 0;
    this.a = 0;
    this.wsFound = false;
    this.ws = 0;
  }

  /** One cycle in which the pipeline can take a pair (advance). */
  step(): SeqStep {
    if (!this.active) return { issue: undefined, visited: 0, skipped: 0 };
    const { d, b } = this;
    const nA = d.nA;
    if (this.mode === 'off') {
      const issue = { b, a: this.a };
      this.move(this.a + 1);
      return { issue, visited: 1, skipped: 0 };
    }
    const group = Math.max(0, Math.min(this.lookahead, nA - this.a));
    const bb = this.bBox[b];
    let jStar = -1, jAbove = group, firstNB = -1;
    for (let j = 0; j < group; j++) {
      const ab = this.aBox[this.a + j];
      if (this.mode === 'window') {
        if (firstNB < 0 && !below(d, bb, ab)) firstNB = j;
        if (above(d, bb, ab)) { jAbove = j; break; }
      }
      if (feasible(d, bb, ab)) { jStar = j; break; }
    }
    if (this.mode === 'window' && !this.wsFound && firstNB >= 0) {
      this.ws = this.a + firstNB;
      this.wsFound = true;
    }
    if (jStar >= 0) {
      const issue = { b, a: this.a + jStar };
      this.move(this.a + jStar + 1);
      return { issue, visited: jStar + 1, skipped: jStar };
    }
    if (this.mode === 'window' && jAbove < group) {
      this.nextB();
      return { issue: undefined, visited: jAbove, skipped: jAbove };
    }
    this.move(this.a + group);
    return { issue: undefined, visited: group, skipped: group };
  }

  private move(next: number): void {
    if (next >= this.d.nA) this.nextB();
    else this.a = next;
  }

  private nextB(): void {
    const nb = this.b + 1;
    if (nb >= this.d.nB) {
      this.active = false;
      return;
    }
    if (this.mode === 'window') {
      // The window start only moves forward while the threshold does not drop.
      const forward = windowLow(this.d, this.bBox[nb]) >= windowLow(this.d, this.bBox[this.b]);
      this.a = forward ? (this.wsFound ? this.ws : this.d.nA) : 0;
    } else {
      this.a = 0;
    }
    this.b = nb;
    this.wsFound = false;
    this.ws = 0;
  }
}
