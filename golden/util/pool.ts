/**
 * One worker pool for every parallel flow (model layers, sweep points, fuzz groups). A task is
 * a named export of a module, called as fn(item, shared); with one job (or one item) it runs
 * in this thread, otherwise over worker threads that each load the module once. Either way a
 * failure reaches the caller as the same error class with the same message, area and exit
 * code (generator/errors.ts serializes it across the thread), so `--jobs` never changes how
 * a run fails.
 */
import os from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { reviveError, serializeError, type SerializedError } from '../../generator/errors.ts';

/** Where the task lives: `module` is a file URL (pass import.meta.url of the task's file), `fn` an export of it. */
export interface PoolTask<S> { module: string | URL; fn: string; shared: S }

export interface PoolHandlers<R> {
  /** Each result as it arrives (in completion order); throwing here stops the pool like a failed item. */
  result: (index: number, result: R) => void;
  /** A failed item; without this handler a failure stops the pool and the earliest failed item's error is thrown. */
  error?: (index: number, error: Error) => void;
}

type TaskFn = (item: unknown, shared: unknown) => unknown;

/**
 * Tests inject an internal error with ANTFORGE_TEST_FAULT=<fn>: every call of that task throws
 * a plain Error, to show that it stays internal (exit 1) whatever --jobs is.
 */
async function call(fn: TaskFn, name: string, item: unknown, shared: unknown): Promise<unknown> {
  if (process.env.ANTFORGE_TEST_FAULT === name) throw new Error(`injected fault in task ${name} (ANTFORGE_TEST_FAULT)`);
  return fn(item, shared);
}

async function load(task: PoolTask<unknown>): Promise<TaskFn> {
  const mod = await import(String(task.module)) as Record<string, unknown>;
  const fn = mod[task.fn];
  if (typeof fn !== 'function') throw new Error(`pool: ${task.module} has no exported function ${task.fn}`);
  return fn as TaskFn;
}

/** One thread per core: the default of every --jobs. */
export const defaultJobs = () => Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/** Run every item through the task with up to `jobs` threads. */
export async function runPool<T, R, S>(task: PoolTask<S>, items: T[], jobs: number, on: PoolHandlers<R>): Promise<void> {
  if (jobs <= 1 || items.length <= 1) {
    const fn = await load(task as PoolTask<unknown>);
    for (const [i, item] of items.entries()) {
      let r: R;
      try {
        r = await call(fn, task.fn, item, task.shared) as R;
      } catch (e) {
        if (!on.error) throw e;
        on.error(i, e as Error);
        continue;
      }
      on.result(i, r);
    }
    return;
  }
  // On a failure no new item starts, the items in flight finish, and the failure of the
  // earliest item is thrown: the one an inline run would have met first, whatever the timing.
  let failure: { index: number; error: unknown } | undefined;
  const fail = (index: number, error: unknown) => { if (!failure || index < failure.index) failure = { index, error }; };
  let next = 0;
  const data = { module: String(task.module), fn: task.fn, shared: task.shared };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./pool-worker.mjs', import.meta.url), { workerData: data });
    const feed = () => {
      if (failure || next >= items.length) { void worker.terminate(); resolve(); return; }
      const i = next++;
      worker.postMessage({ i, item: items[i] });
    };
    worker.on('message', (m: { i: number; result?: R; error?: SerializedError }) => {
      try {
        if (!m.error) on.result(m.i, m.result as R);
        else if (on.error) on.error(m.i, reviveError(m.error));
        else fail(m.i, reviveError(m.error));
      } catch (e) {
        fail(m.i, e);
      }
      feed();
    });
    // The thread itself died (not a task's error): nothing to wait for.
    worker.on('error', (e) => { void worker.terminate(); reject(e); });
    feed();
  })));
  if (failure) throw failure.error;
}

/** The worker side (pool-worker.mjs calls this once tsx is registered): answer each item with its result or its error. */
export async function serveTasks(): Promise<void> {
  const task = workerData as PoolTask<unknown> & { fn: string };
  const fn = await load(task);
  parentPort!.on('message', async (m: { i: number; item: unknown }) => {
    try {
      parentPort!.postMessage({ i: m.i, result: await call(fn, task.fn, m.item, task.shared) });
    } catch (e) {
      parentPort!.postMessage({ i: m.i, error: serializeError(e) });
    }
  });
}
