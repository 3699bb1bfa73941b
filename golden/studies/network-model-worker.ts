/** Worker thread of golden/studies/network-model.ts: evaluates the layer tasks it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateTask, type LayerTask } from './network-model.ts';
import type { HwConfig } from '../../generator/config.ts';

const { cfg, sample } = workerData as { cfg: HwConfig; sample: number };
parentPort!.on('message', (m: { i: number; task: LayerTask }) => {
  try {
    parentPort!.postMessage({ i: m.i, result: evaluateTask(cfg, m.task, sample) });
  } catch (e) {
    parentPort!.postMessage({ i: m.i, error: (e as Error).message });
  }
});
