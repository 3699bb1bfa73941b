/** Worker thread of `antforge fuzz`: runs the groups it is sent (one build each). */
import { parentPort } from 'node:worker_threads';
import { runGroup } from './fuzz.ts';

parentPort!.on('message', async (m: { seed: number; index: number; cases: number; shrink: boolean }) => {
  try {
    parentPort!.postMessage({ index: m.index, result: await runGroup(m.seed, m.index, m.cases, m.shrink) });
  } catch (e) {
    parentPort!.postMessage({ index: m.index, error: (e as Error).stack ?? String(e) });
  }
});
