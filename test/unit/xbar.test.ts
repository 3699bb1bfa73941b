/** The crossbar schedule (golden/model/xbar.ts, af_xbar) against a cycle-by-cycle replay of its rule. */
import { describe, it, expect } from 'vitest';
import { schedule } from '../../golden/model/xbar.ts';
import { Rng } from '../../golden/workload/rng.ts';

/** The rule, one cycle at a time: every bank takes its lowest-numbered pending product. */
function replay(validP: number[], validAddr: number[], banks: number) {
  const pending = validP.map((p, k) => ({ p, addr: validAddr[k] }));
  const stepOf = new Map<number, number>();
  let cycle = 0;
  while (pending.length) {
    const taken = new Set<number>();
    for (let k = 0; k < pending.length; k++) {
      const bank = pending[k].addr % banks;
      if (taken.has(bank)) continue;
      taken.add(bank);
      stepOf.set(pending[k].p, cycle);
      pending.splice(k--, 1);
    }
    cycle++;
  }
  return { cycles: Math.max(1, cycle), stepOf };
}

describe('crossbar schedule', () => {
  it('no products: the pair still takes one cycle', () => {
    expect(schedule([], [], 8)).toEqual({ cycles: 1, grants: [] });
  });

  it('products in distinct banks go in one cycle; n in one bank take n', () => {
    expect(schedule([0, 1, 2], [0, 1, 2], 4).cycles).toBe(1);
    const s = schedule([0, 3, 5, 9], [2, 6, 10, 14], 4);
    expect(s.cycles).toBe(4);
    expect(s.grants.map((g) => [g.step, g.bank, g.row])).toEqual([[0, 2, 0], [1, 2, 1], [2, 2, 2], [3, 2, 3]]);
  });

  it.each([1, 2, 4, 32])('random pairs at %i banks match the replay', (banks) => {
    const rng = new Rng(banks);
    for (let trial = 0; trial < 300; trial++) {
      const P = rng.int(1, 64);
      const validP = Array.from({ length: P }, (_, p) => p).filter(() => rng.next() < 0.4);
      const validAddr = validP.map(() => rng.int(0, banks * 16 - 1));
      const s = schedule(validP, validAddr, banks);
      const r = replay(validP, validAddr, banks);
      expect(s.cycles).toBe(r.cycles);
      s.grants.forEach((g, k) => {
        expect(g).toEqual({ step: r.stepOf.get(validP[k]), p: validP[k], addr: validAddr[k], bank: validAddr[k] % banks, row: Math.floor(validAddr[k] / banks) });
      });
    }
  });
});
