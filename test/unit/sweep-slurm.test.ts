/**
 * The Slurm engine's parts that need no Slurm: the option checks, and the array script run by
 * bash as a task would run it (SLURM_ARRAY_* set by hand, a stand-in for node): the task id
 * picks its point, later chunks are offset, the exit status is recorded, and a TERM (time limit,
 * scancel) is recorded as 143. test/slurm.test.ts runs the same script under a real Slurm.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../generator/errors.ts';
import { ARRAY_CHUNK, checkMem, checkPartition, checkTime, sbatchScript, type ScriptSpec } from '../../golden/sweep/slurm.ts';

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-slurm-unit-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const hash = (i: number) => i.toString(16).padStart(16, '0');
const spec = (n: number, extra: Partial<ScriptSpec> = {}): ScriptSpec => ({
  root: '/repo', space: '/data/space.json', out: path.join(tmp, 'out'),
  points: Array.from({ length: n }, (_, i) => ({ hash: hash(i), label: `F=${i}` })), ...extra,
});

/** A stand-in for node: prints its arguments, or (FAKE_SLEEP) records its pid and sleeps. */
function fakeNode(): string {
  const f = path.join(tmp, 'fake-node');
  fs.writeFileSync(f, '#!/bin/sh\nif [ -n "${FAKE_SLEEP:-}" ]; then echo $$ > "$FAKE_SLEEP"; exec sleep 30; fi\necho "ARGS $*"\nexit ${FAKE_EXIT:-0}\n', { mode: 0o755 });
  return f;
}

function runTask(script: string, task: number, env: Record<string, string> = {}) {
  const f = path.join(tmp, 'task.sbatch');
  fs.writeFileSync(f, script);
  fs.mkdirSync(path.join(tmp, 'out', 'slurm', 'status'), { recursive: true });
  return spawnSync('bash', [f], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_JOB_ID: '77', SLURM_ARRAY_TASK_ID: String(task), ANTFORGE_NODE: fakeNode(), ...env } });
}
const status = (key: string) => fs.readFileSync(path.join(tmp, 'out', 'slurm', 'status', key), 'utf8').trim();

describe('slurm engine without Slurm', () => {
  it('checks --time, --mem and --partition in Slurm\'s formats', () => {
    for (const t of ['30', '0:30', '2:00:00', '1-12', '1-12:30', '1-12:30:15', 'UNLIMITED']) expect(checkTime(t)).toBe(t);
    for (const t of ['1h', '0', '-5', '1:2:3:4', '', '12:345', '1-']) expect(() => checkTime(t), t).toThrow(OptionError);
    for (const m of ['4G', '500M', '1024', '2t']) expect(checkMem(m)).toBe(m);
    for (const m of ['0', '4GB', '-1G', 'lots', '']) expect(() => checkMem(m), m).toThrow(/--mem .* is not allowed; allowed: a memory size/);
    for (const p of ['debug', 'gpu-a100', 'short,long']) expect(checkPartition(p)).toBe(p);
    for (const p of ['a b', 'x;rm -rf', '', 'a,']) expect(() => checkPartition(p), p).toThrow(/--partition .* is not allowed/);
  });

  it('writes the array, its limits and one line a point', () => {
    const s = sbatchScript(spec(3, { partition: 'debug', maxRunning: 2, time: '1:00:00', mem: '4G' }));
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    for (const l of ['#SBATCH --array=0-2%2', `#SBATCH --output=${tmp}/out/slurm/logs/%A_%a.log`, '#SBATCH --chdir=/repo', '#SBATCH --partition=debug', '#SBATCH --time=1:00:00', '#SBATCH --mem=4G', '#SBATCH --cpus-per-task=1']) expect(s).toContain(l);
    expect(s).toContain(`  ${hash(2)}  # 2 F=2`);
    const bare = sbatchScript(spec(1));
    expect(bare).toContain('#SBATCH --array=0-0\n');
    expect(bare).not.toMatch(/--partition|--time|--mem/);
    // Beyond Slurm's default MaxArraySize the first chunk's range is written; later chunks are offset at submission.
    expect(sbatchScript(spec(ARRAY_CHUNK + 500))).toContain(`#SBATCH --array=0-${ARRAY_CHUNK - 1}\n`);
  });

  it('a task runs its point by hash from the checkout, and records its exit status', () => {
    const s = sbatchScript(spec(3));
    const r = runTask(s, 1);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('antforge sweep: point 0000000000000001, task 77_1');
    expect(r.stdout).toContain(`ARGS /repo/scripts/antforge.mjs sweep --space /data/space.json --out ${tmp}/out --point 0000000000000001`);
    expect(status('77_1')).toBe('0');
    const failed = runTask(s, 2, { FAKE_EXIT: '2' });
    expect(failed.status).toBe(2);
    expect(status('77_2')).toBe('2');
  });

  it('a later chunk picks its points through ANTFORGE_SWEEP_OFFSET', () => {
    const r = runTask(sbatchScript(spec(ARRAY_CHUNK + 500)), 499, { ANTFORGE_SWEEP_OFFSET: String(ARRAY_CHUNK) });
    expect(r.stdout).toContain(`--point ${hash(ARRAY_CHUNK + 499)}`);
  });

  it('a task terminated (time limit, scancel) records 143 at once', async () => {
    const f = path.join(tmp, 'term.sbatch');
    fs.writeFileSync(f, sbatchScript(spec(2)));
    const pidFile = path.join(tmp, 'node.pid');
    const child = spawn('bash', [f], { env: { ...process.env, SLURM_ARRAY_JOB_ID: '78', SLURM_ARRAY_TASK_ID: '0', ANTFORGE_NODE: fakeNode(), FAKE_SLEEP: pidFile }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    while (!fs.existsSync(pidFile) || !fs.readFileSync(pidFile, 'utf8').trim()) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(status('78_0')).toBe('143');
    try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* already gone */ }
  });
});
