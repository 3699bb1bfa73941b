/**
 * Nothing is half-written: every output goes to a temporary name in its own folder and is
 * renamed over the target only when it is whole (a rename within one file system is atomic).
 * The temporary name carries the writer's pid, so a later run can tell a killed writer's
 * leftovers from a live one's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OutputError } from '../../generator/errors.ts';

let counter = 0;
const TEMP = /\.tmp-(\d+)-\d+$/;

/** A fresh temporary name next to `file` (for writers that are not this process, e.g. a simulator's VCD). */
export function tempPath(file: string): string {
  return `${file}.tmp-${process.pid}-${++counter}`;
}

/** How a failure is reported: by default "cannot write 'FILE': why", an OutputError (exit 2). */
export type WriteFailure = (file: string, why: string) => Error;
const cannotWrite: WriteFailure = (file, why) => new OutputError(`cannot write '${file}': ${why}`);

export interface AtomicFile { path: string; data: string | Uint8Array }

/** Write several files as one step: all to temporary names first, then each renamed; on failure none is left. */
export function writeFilesAtomic(files: AtomicFile[], fail: WriteFailure = cannotWrite): void {
  const tmps: string[] = [];
  let current = files[0]?.path ?? '';
  try {
    for (const f of files) {
      current = f.path;
      const tmp = tempPath(f.path);
      tmps.push(tmp);
      fs.writeFileSync(tmp, f.data);
    }
    files.forEach((f, i) => { current = f.path; fs.renameSync(tmps[i], f.path); });
  } catch (e) {
    for (const t of tmps) fs.rmSync(t, { force: true });
    throw fail(current, (e as Error).message);
  }
}

/** Write one file whole or not at all. */
export function writeAtomic(file: string, data: string | Uint8Array, fail: WriteFailure = cannotWrite): void {
  writeFilesAtomic([{ path: file, data }], fail);
}

/** Move a finished temporary file (from tempPath) onto its target. */
export function commitTemp(tmp: string, file: string, fail: WriteFailure = cannotWrite): void {
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fail(file, (e as Error).message);
  }
}

/** Remove the temporary files in `dir` whose writer is gone (a killed run); a live writer's are kept. */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const n of names) {
    const m = TEMP.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) { try { process.kill(pid, 0); alive = true; } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; } }
    if (!alive) { try { fs.unlinkSync(path.join(dir, n)); } catch { /* raced */ } }
  }
}
