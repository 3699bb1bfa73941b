// The one worker entry of golden/util/pool.ts: registers tsx in this thread, then serves the
// task module named in workerData.
import { register } from 'tsx/esm/api';

register();
const { serveTasks } = await import('./pool.ts');
await serveTasks();
