/**
 * The Slurm engine of `antforge sweep --engine slurm`: the unfinished points of a space as a
 * job array (DIR/sweep.sbatch, one task a point, each running `sweep --point HASH`), submitted
 * with sbatch and followed with squeue until every task has ended; then the same aggregate
 * outputs as the local pool (golden/sweep/run.ts), and each point without a result reported
 * with its task's state, exit status and log tail.
 *
 * The point files are the truth: a point is done when its result file is there (each task
 * writes it atomically), so reruns, --no-wait and a follower killed midway all converge. Each
 * task also leaves its exit status in DIR/slurm/status/, because on a cluster without
 * accounting (no sacct) a finished job's exit codes leave squeue after MinJobAge.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionError, ToolError } from '../../generator/errors.ts';
import { writeAtomic } from '../util/atomic.ts';
import { toJson } from '../util/json.ts';
import { finishedPoints, makeOut, writeOutputs, type SweepResult } from './run.ts';
import type { PointResult, Space } from './sweep.ts';

/** Slurm's default MaxArraySize is 1001 (task ids 0..1000): larger sweeps go in chunks of this many. */
export const ARRAY_CHUNK = 1000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SlurmOptions {
  partition?: string;
  maxRunning?: number;
  time?: string;
  mem?: string;
  /** Follow the job until every task ends and write the outputs (false: submit and return). */
  wait: boolean;
  /** Write the script, submit nothing. */
  dryRun: boolean;
  pollSeconds: number;
  onPoint?: (r: PointResult, done: number, total: number) => void;
  onSubmit?: (jobs: SlurmJob[], script: string, following: SlurmJob[]) => void;
}

// ---------------------------------------------------------------------------------------------
// Options: checked here so a typo is exit 2 before anything reaches the cluster.

const bad = (opt: string, v: string, allowed: string) => new OptionError(`${opt} '${v}' is not allowed; allowed: ${allowed}`);

/** Slurm's --time formats. */
export function checkTime(v: string): string {
  if (/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i.test(v) && !/^0+$/.test(v)) return v;
  throw bad('--time', v, "a Slurm time limit: MINUTES, MM:SS, HH:MM:SS, DAYS-HH, DAYS-HH:MM or DAYS-HH:MM:SS (e.g. 30, 2:00:00, 1-12)");
}

export function checkMem(v: string): string {
  if (/^[1-9]\d*[KMGT]?$/i.test(v)) return v;
  throw bad('--mem', v, 'a memory size per task: a positive integer with an optional unit K, M, G or T (e.g. 4G, 500M)');
}

export function checkPartition(v: string): string {
  if (/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(v)) return v;
  throw bad('--partition', v, 'a partition name (letters, digits, _ . -), or several separated by commas');
}

// ---------------------------------------------------------------------------------------------
// The script

export interface ScriptSpec {
  /** The antforge checkout the tasks run (a shared file system on a cluster). */
  root: string;
  space: string;
  out: string;
  points: { hash: string; label: string }[];
  partition?: string;
  maxRunning?: number;
  time?: string;
  mem?: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
export const logsDir = (out: string) => path.join(out, 'slurm', 'logs');
export const statusDir = (out: string) => path.join(out, 'slurm', 'status');
export const taskLog = (out: string, job: string, task: number) => path.join(logsDir(out), `${job}_${task}.log`);

/** The sbatch array script: task i runs point i (plus ANTFORGE_SWEEP_OFFSET for the later chunks of a large sweep). */
export function sbatchScript(s: ScriptSpec): string {
  const n = Math.min(s.points.length, ARRAY_CHUNK);
  return [
    '#!/bin/bash',
    `# antforge sweep of ${s.space}: ${s.points.length} point${s.points.length > 1 ? 's' : ''}, one Slurm array task each.`,
    '# Written by `antforge sweep --engine slurm`, which submits and follows it; `sbatch` on it by hand works too.',
    '# Each task runs one point by its hash and writes its result to OUT/points/<hash>.json; a rerun of the',
    '# same command submits only the points still without a result. Needs this checkout on the nodes\' shared',
    '# file system, node on PATH (the submitting environment is exported) and its npm packages installed.',
    '#SBATCH --job-name=antforge-sweep',
    `#SBATCH --array=0-${n - 1}${s.maxRunning ? `%${s.maxRunning}` : ''}`,
    `#SBATCH --output=${logsDir(s.out)}/%A_%a.log`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --chdir=${s.root}`,
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.time ? [`#SBATCH --time=${s.time}`] : []),
    ...(s.mem ? [`#SBATCH --mem=${s.mem}`] : []),
    'set -u',
    'HASHES=(',
    ...s.points.map((p, i) => `  ${p.hash}  # ${i} ${p.label.replace(/[\r\n]/g, ' ')}`),
    ')',
    'HASH=${HASHES[$((SLURM_ARRAY_TASK_ID + ${ANTFORGE_SWEEP_OFFSET:-0}))]}',
    `STATUS=${q(statusDir(s.out))}/"\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"`,
    'status() { echo "$1" > "$STATUS.tmp.$$" && mv -f "$STATUS.tmp.$$" "$STATUS"; }',
    '# Slurm sends TERM at the time limit and on scancel; the point runs in the background so the trap',
    '# fires at once and the status says so (a later KILL leaves no status: the follower then asks Slurm).',
    "trap 'status 143; exit 143' TERM",
    'echo "antforge sweep: point $HASH, task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname)"',
    `"\${ANTFORGE_NODE:-node}" ${q(path.join(s.root, 'scripts', 'antforge.mjs'))} sweep --space ${q(s.space)} --out ${q(s.out)} --point "$HASH" &`,
    'wait $!',
    'code=$?',
    'status $code',
    'exit $code',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Talking to Slurm

function slurm(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new ToolError(`${cmd} is not on PATH: --engine slurm submits with Slurm's sbatch and follows with squeue; run it on a cluster's login node, or use --engine local, or --dry-run to only write the script`);
  }
  // Slurm's messages come a line each; joined, they make the one line an error message is.
  const stderr = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim().split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
  return { ok: r.status === 0 && !r.error, stdout: r.stdout ?? '', stderr };
}

/** One submitted array: task i ran hashes[i]. */
export interface SlurmJob { id: string; hashes: string[] }

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'SPECIAL_EXIT', 'REVOKED']);

export interface TaskState { state: string; exitCode?: number; signal?: number; reason?: string }

/** squeue's view of a job (finished tasks too, while the controller keeps them); 'gone' once it forgot the job. */
function queue(job: string): { active: boolean; tasks: Map<number, TaskState> } | 'gone' {
  const r = slurm('squeue', ['-h', '-r', '-t', 'all', '-j', job, '-O', 'ArrayTaskID:24,State:24,exit_code:16,Reason:200']);
  if (!r.ok) {
    if (/invalid job id/i.test(r.stderr)) return 'gone';
    throw new ToolError(`squeue -j ${job} failed: ${r.stderr || 'no message'}`);
  }
  const tasks = new Map<number, TaskState>();
  let active = false;
  for (const line of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [task, state, exit, ...reason] = line.split(/\s+/);
    if (!TERMINAL.has(state)) active = true;
    // Pending tasks not yet split off show as one range ("2-9%2"): only single tasks carry an outcome.
    if (/^\d+$/.test(task)) {
      const w = Number(exit);
      tasks.set(Number(task), { state, ...(Number.isInteger(w) ? { exitCode: w >> 8, signal: w & 0x7f || undefined } : {}), reason: reason.join(' ') });
    }
  }
  return { active, tasks };
}

/** sacct's view, for a task squeue has forgotten (clusters with accounting); undefined without it. */
function sacct(job: string, task: number): TaskState | undefined {
  let r;
  try { r = slurm('sacct', ['-n', '-P', '-X', '-j', `${job}_${task}`, '-o', 'State,ExitCode']); } catch { return undefined; }
  const line = r.ok ? r.stdout.trim().split('\n')[0] : '';
  if (!line) return undefined;
  const [state, exit] = line.split('|');
  const [code, sig] = (exit ?? '').split(':').map(Number);
  return { state: state.split(' ')[0], exitCode: code, signal: sig || undefined };
}

function submit(script: string, count: number, maxRunning: number | undefined): SlurmJob['id'][] {
  const ids: string[] = [];
  for (let start = 0; start < count; start += ARRAY_CHUNK) {
    const n = Math.min(ARRAY_CHUNK, count - start);
    // Later chunks wait for the previous one, so --max-running stays a bound on the whole sweep.
    const args = ['--parsable', `--array=0-${n - 1}${maxRunning ? `%${maxRunning}` : ''}`,
      ...(start ? [`--export=ALL,ANTFORGE_SWEEP_OFFSET=${start}`, `--dependency=afterany:${ids[ids.length - 1]}`] : []), script];
    const r = slurm('sbatch', args);
    const id = r.stdout.trim().split(';')[0];
    if (!r.ok || !/^\d+$/.test(id)) {
      throw new ToolError(`sbatch refused the job array${ids.length ? ` (chunk ${ids.length + 1}; jobs ${ids.join(', ')} were submitted)` : ''}: ${r.stderr || r.stdout || 'no message'}; check --partition, --time and --mem against the cluster's limits (sinfo, scontrol show partition)`);
    }
    ids.push(id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// The record of submitted arrays (DIR/slurm/jobs.json), so a rerun follows a live array instead of submitting its points again.

const jobsFile = (out: string) => path.join(out, 'slurm', 'jobs.json');

function readJobs(out: string): SlurmJob[] {
  try {
    const j = JSON.parse(fs.readFileSync(jobsFile(out), 'utf8')) as { jobs?: SlurmJob[] };
    return Array.isArray(j.jobs) ? j.jobs.filter((x) => typeof x.id === 'string' && Array.isArray(x.hashes)) : [];
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until no task of these jobs is pending or running; the last state seen of each task. */
async function follow(jobs: SlurmJob[], pollSeconds: number, onTick: () => void): Promise<Map<string, TaskState>> {
  const seen = new Map<string, TaskState>();
  let failingSince: number | undefined;
  for (;;) {
    let active = false;
    let error: string | undefined;
    for (const j of jobs) {
      let st;
      // squeue failing (a controller restarting) is retried below; squeue missing is not.
      try { st = queue(j.id); } catch (e) { if (e instanceof ToolError && !/not on PATH/.test(e.message)) { error = e.message; continue; } throw e; }
      if (st === 'gone') continue;
      active ||= st.active;
      for (const [t, s] of st.tasks) seen.set(`${j.id}_${t}`, s);
    }
    onTick();
    if (!error) failingSince = undefined;
    // A controller restarting is not the end of the jobs: keep asking for a while.
    else if ((failingSince ??= Date.now()) < Date.now() - 300_000) {
      throw new ToolError(`${error} (for 5 minutes); jobs ${jobs.map((j) => j.id).join(', ')} may still be running: rerun the same command later to follow them`);
    }
    if (!active && !error) return seen;
    await sleep(pollSeconds * 1000);
  }
}

// ---------------------------------------------------------------------------------------------
// The sweep

export interface TaskFailure {
  hash: string;
  label: string;
  /** `JOB_TASK`. */
  task: string;
  /** Slurm's state of the task (FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY, ...), or ENDED when Slurm no longer knows it. */
  state: string;
  /** The task's exit status (128 + n for signal n), null when it left none. */
  exitStatus: number | null;
  log: string;
  logTail: string[];
}

export interface SlurmSweepResult {
  /** The aggregate (undefined with --dry-run or --no-wait). */
  sweep?: SweepResult;
  script?: string;
  /** Points without a result and not in a running array: the new array's (or, with --dry-run, the script's). */
  todo: string[];
  /** Points put into the new array(s). */
  submitted: string[];
  jobs: SlurmJob[];
  /** Earlier arrays still running that this run followed instead of resubmitting. */
  followed: SlurmJob[];
  failures: TaskFailure[];
  seconds: number;
}

function describeFailure(out: string, hash: string, label: string, jobs: SlurmJob[], seen: Map<string, TaskState>): TaskFailure {
  const job = [...jobs].reverse().find((j) => j.hashes.includes(hash));
  if (!job) return { hash, label, task: '-', state: 'NOT_SUBMITTED', exitStatus: null, log: '', logTail: [] };
  const t = job.hashes.indexOf(hash);
  const key = `${job.id}_${t}`;
  const st = seen.get(key) ?? sacct(job.id, t);
  let exitStatus: number | null = null;
  try {
    const v = Number(fs.readFileSync(path.join(statusDir(out), key), 'utf8').trim());
    if (Number.isInteger(v)) exitStatus = v;
  } catch { /* killed before writing it */ }
  if (exitStatus === null && st?.exitCode !== undefined && TERMINAL.has(st.state)) exitStatus = st.signal ? 128 + st.signal : st.exitCode;
  const log = taskLog(out, job.id, t);
  let logTail: string[] = [];
  try { logTail = fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-10); } catch { logTail = ['(no log: the task never started)']; }
  // squeue says COMPLETED for a task whose exit was 0 but whose point file is not there: say so rather than "COMPLETED".
  const state = st?.state === 'COMPLETED' ? 'COMPLETED_WITHOUT_RESULT' : st?.state ?? 'ENDED';
  return { hash, label, task: key, state, exitStatus, log, logTail };
}

export const failureReason = (f: TaskFailure) => `task ${f.task} ${f.state}${f.exitStatus !== null ? `, exit status ${f.exitStatus}` : ''}${f.logTail.length ? `: ${f.logTail[f.logTail.length - 1]}` : ''} (log ${f.log || 'none'})`;

/** Submit the unfinished points as a job array, follow it, write the aggregate. */
export async function runSlurmSweep(space: Space, outDir: string, o: SlurmOptions): Promise<SlurmSweepResult> {
  const started = Date.now();
  const out = path.resolve(outDir);
  // sbatch's --output pattern and the unquoted #SBATCH lines cannot carry these.
  if (/[\s%]/.test(out) || /[\s%]/.test(ROOT)) throw new OptionError(`--out '${outDir}' is not allowed with --engine slurm: the folder's path (and the checkout's, ${ROOT}) may not contain spaces or %`);
  if (!o.dryRun) slurm('sbatch', ['--version']);
  makeOut(out);
  for (const d of [logsDir(out), statusDir(out)]) fs.mkdirSync(d, { recursive: true });
  const before = finishedPoints(space, out);
  const known = readJobs(out);

  // Arrays of an earlier run (say with --no-wait) that still run: follow them, do not submit their points again.
  const followed = o.dryRun ? [] : known.filter((j) => { const st = queue(j.id); return st !== 'gone' && st.active; });
  const inFlight = new Set(followed.flatMap((j) => j.hashes));
  const todo = space.points.filter((p) => !before.has(p.hash) && !inFlight.has(p.hash));
  let script: string | undefined;
  const jobs: SlurmJob[] = [];
  if (todo.length) {
    script = path.join(out, 'sweep.sbatch');
    writeAtomic(script, sbatchScript({ root: ROOT, space: path.resolve(space.file), out, points: todo, partition: o.partition, maxRunning: o.maxRunning, time: o.time, mem: o.mem }));
    if (!o.dryRun) {
      const ids = submit(script, todo.length, o.maxRunning);
      ids.forEach((id, c) => jobs.push({ id, hashes: todo.slice(c * ARRAY_CHUNK, (c + 1) * ARRAY_CHUNK).map((p) => p.hash) }));
      // Keep only the arrays that still matter: those holding a point without a result.
      const keep = [...known, ...jobs].filter((j) => j.hashes.some((h) => !before.has(h)));
      writeAtomic(jobsFile(out), toJson({ jobs: keep }) + '\n');
    }
  }
  const result = (extra: Partial<SlurmSweepResult> = {}): SlurmSweepResult =>
    ({ script, todo: todo.map((p) => p.hash), submitted: o.dryRun ? [] : todo.map((p) => p.hash), jobs, followed, failures: [], seconds: (Date.now() - started) / 1000, ...extra });
  if (o.dryRun) return result();
  o.onSubmit?.(jobs, script ?? '', followed);
  if (!o.wait) return result();

  const following = [...followed, ...jobs];
  const reported = new Set(before.keys());
  const tick = () => {
    for (const p of space.points) {
      if (reported.has(p.hash)) continue;
      const r = finishedPoints({ ...space, points: [p] }, out).get(p.hash);
      if (r) { reported.add(p.hash); o.onPoint?.(r, reported.size, space.points.length); }
    }
  };
  const seen = following.length ? await follow(following, o.pollSeconds, tick) : new Map<string, TaskState>();
  const finished = finishedPoints(space, out);
  const all = [...known, ...jobs];
  const failures = space.points.filter((p) => !finished.has(p.hash)).map((p) => describeFailure(out, p.hash, p.label, all, seen));
  const ran = [...finished.keys()].filter((h) => !before.has(h));
  const sweep = await writeOutputs(space, out, finished, ran, started, failures.map((f) => ({ hash: f.hash, label: f.label, reason: failureReason(f) })));
  return result({ sweep, failures });
}
