/** Worker thread of `antforge sweep`: evaluates the points it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { AntforgeError } from '../../generator/errors.ts';
import { evaluatePoint, type PointJob } from './sweep.ts';

parentPort!.on('message', (job: PointJob) => {
  try {
    parentPort!.postMessage({ hash: job.hash, result: evaluatePoint(job) });
  } catch (e) {
    const typed = e instanceof AntforgeError;
    parentPort!.postMessage({ hash: job.hash, error: typed ? e.message : ((e as Error).stack ?? String(e)), typed, area: typed ? e.area : undefined });
  }
});
