/** `antforge bench`: placeholder until the benchmark lands (being written). */
import type { Command } from 'commander';
export function registerBench(program: Command): void {
  program.command('bench').description('measure cosim, build and golden-model throughput');
}
