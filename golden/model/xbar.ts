/**
 * Model of af_xbar: a pair's valid products grouped by accumulator bank; each cycle every
 * bank takes its lowest-numbered pending product, so the pair occupies the crossbar for
 * max(1, most products in one bank) cycles (the DNNsim rule, made exact).
 */
export interface Grant { step: number; p: number; addr: number; bank: number; row: number }

export function schedule(validP: number[], validAddr: number[], banks: number): { cycles: number; grants: Grant[] } {
  const perBank = new Map<number, number>();
  const grants: Grant[] = [];
  let cycles = 1;
  // validP is ascending, so the n-th product of a bank is granted in step n.
  for (let k = 0; k < validP.length; k++) {
    const addr = validAddr[k];
    const bank = addr % banks;
    const step = perBank.get(bank) ?? 0;
    perBank.set(bank, step + 1);
    if (step + 1 > cycles) cycles = step + 1;
    grants.push({ step, p: validP[k], addr, bank, row: Math.floor(addr / banks) });
  }
  return { cycles, grants };
}
