/** What the convolution mappers (fwd.ts, bwd.ts, wgrad.ts) share. */
import type { HwConfig } from '../../generator/config.ts';
import { WorkloadError } from '../../generator/errors.ts';
import type { ConvWorkload } from '../workload/workload.ts';
import type { Tile } from './jobs.ts';

/** Strided layers match stride phases by tag: stride^2 phases must fit tagWidth. */
export function checkStrideTags(w: ConvWorkload, cfg: HwConfig): void {
  const u = w.stride;
  if (u > 1 && u * u > 2 ** cfg.tagWidth) throw new WorkloadError(`stride ${u} needs ${u * u} stride phases as match tags; tagWidth=${cfg.tagWidth} holds ${2 ** cfg.tagWidth}; raise tagWidth`);
}

/** fwd and bwd tiles: origin (n, channel, y, x) into an N x Ch x Y x X output. */
export function convOut(shape: number[]) {
  const [, Ch, Y, X] = shape;
  return (tile: Tile, addr: number) => {
    const per = tile.limY * tile.limX;
    const cc = Math.floor(addr / per), rem = addr % per;
    const y = Math.floor(rem / tile.limX), x = rem % tile.limX;
    const [n, c0, y0, x0] = tile.origin;
    return ((n * Ch + c0 + cc) * Y + y0 + y) * X + x0 + x;
  };
}
