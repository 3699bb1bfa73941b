/**
 * `antforge sweep --engine slurm` against a real Slurm: test/slurm-cluster.ts brings up a
 * single-node one from Debian's packages when the machine has none (and stops it after). A
 * small model-only space (F in {2, 4} x ant in {off, window}, two small conv layers) runs
 * through a job array and through the local pool with byte-identical results.csv; a rerun
 * with every point done submits nothing; a point made to fail (its result file's path taken
 * by a folder, so the task's write fails for real) is reported by label, exit status and log
 * tail while the aggregate names it, and the rerun submits only it; --no-wait and a rerun that
 * follows the running array; a --dry-run script submitted by hand; bad options exit 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PointResult } from '../golden/sweep/sweep.ts';
import { runCli } from './cli.ts';
import { startCluster, type Cluster } from './slurm-cluster.ts';

const SPACE = {
  description: 'slurm test space',
  config: { F: [2, 4], ant: ['off', 'window'] },
  base: { I: 4, name: 'slurmtest' },
  workloads: [
    { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 12, W: 12, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.1, gradients: 0.1 }, seed: 1 },
    { kind: 'conv', phase: 'fwd', N: 1, C: 4, K: 8, H: 8, W: 8, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.3, activations: 0.3 }, seed: 2 },
  ],
};

let cluster: Cluster;
let tmp: string;
let space: string;
let local: { dir: string; csv: string; points: PointResult[] };

/** `antforge sweep ARGS` in this process, its Slurm clients pointed at the test cluster. */
async function sweep(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(['sweep', ...args], { env: { ...cluster.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}
const slurmCmd = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...cluster.env } });
const read = (...f: string[]) => fs.readFileSync(path.join(...f), 'utf8');
const readJson = (...f: string[]) => JSON.parse(read(...f));
const withoutSeconds = (points: PointResult[]) => points.map(({ seconds: _s, ...rest }) => rest);
const POLL = ['--poll', '0.5'];

beforeAll(async () => {
  cluster = await startCluster();
  console.log(`slurm test cluster: ${cluster.started ? `started in ${cluster.upSeconds.toFixed(1)} s (package install ${cluster.installSeconds.toFixed(1)} s)` : 'an existing Slurm, used as it is'}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-slurm-sweep-'));
  space = path.join(tmp, 'space.json');
  fs.writeFileSync(space, JSON.stringify(SPACE));
});

afterAll(async () => {
  await cluster?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sweep --engine slurm', () => {
  it('runs a small space as a job array with results.csv byte-identical to the local pool\'s', async () => {
    const dir = path.join(tmp, 'local');
    let t = Date.now();
    const l = await sweep(['--space', space, '--out', dir, '--jobs', '2', '--json']);
    const localSeconds = (Date.now() - t) / 1000;
    expect(l.stderr).toBe('');
    expect(l.code).toBe(0);
    local = { dir, csv: read(dir, 'results.csv'), points: readJson(dir, 'results.json').points };

    const out = path.join(tmp, 'slurm');
    t = Date.now();
    const s = await sweep(['--space', space, '--out', out, '--engine', 'slurm', '--max-running', '2', ...POLL, '--json']);
    const slurmSeconds = (Date.now() - t) / 1000;
    console.log(`4 points: local pool (2 workers) ${localSeconds.toFixed(1)} s, Slurm array (%2) ${slurmSeconds.toFixed(1)} s`);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    const j = s.json();
    expect(j).toMatchObject({ ok: true, engine: 'slurm', points: 4, ran: 4, skipped: 0, failed: [], missing: [], followed: [] });
    expect(j.submitted).toEqual(local.points.map((p) => p.hash));
    expect(j.jobs).toHaveLength(1);
    const job = j.jobs[0].id as string;

    expect(read(out, 'results.csv')).toBe(local.csv);
    expect(withoutSeconds(readJson(out, 'results.json').points)).toEqual(withoutSeconds(local.points));
    const script = read(out, 'sweep.sbatch');
    expect(script).toContain('#SBATCH --array=0-3%2');
    expect(script).toContain(`#SBATCH --output=${out}/slurm/logs/%A_%a.log`);
    for (const p of local.points) expect(script).toContain(`  ${p.hash}  #`);
    // Each task ran its point by hash, logged it and left exit status 0.
    local.points.forEach((p, i) => {
      expect(read(out, 'slurm', 'logs', `${job}_${i}.log`)).toContain(`point ${p.hash}, task ${job}_${i}`);
      expect(read(out, 'slurm', 'logs', `${job}_${i}.log`)).toContain(`wrote ${out}/points/${p.hash}.json`);
      expect(read(out, 'slurm', 'status', `${job}_${i}`).trim()).toBe('0');
    });
  });

  it('a rerun with every point done submits nothing and writes the same outputs', async () => {
    const out = path.join(tmp, 'slurm');
    const jobsBefore = read(out, 'slurm', 'jobs.json');
    const r = await sweep(['--space', space, '--out', out, '--engine', 'slurm', ...POLL, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, ran: 0, skipped: 4, submitted: [], jobs: [], followed: [], script: null });
    expect(read(out, 'slurm', 'jobs.json')).toBe(jobsBefore);
    expect(read(out, 'results.csv')).toBe(local.csv);
  });

  it('a failing point is reported by label, exit status and log tail, the aggregate names it, and the rerun submits only it', async () => {
    const out = path.join(tmp, 'failing');
    const victim = local.points.find((p) => p.label === 'F=4 ant=off')!;
    // A folder where the point's result file goes: the task computes the point and then really fails to write it.
    fs.mkdirSync(path.join(out, 'points', `${victim.hash}.json`), { recursive: true });
    const r = await sweep(['--space', space, '--out', out, '--engine', 'slurm', ...POLL, '--json']);
    expect(r.code).toBe(1);
    const j = r.json();
    expect(j).toMatchObject({ ok: false, points: 4, ran: 3 });
    expect(j.failed).toHaveLength(1);
    const f = j.failed[0];
    expect(f).toMatchObject({ hash: victim.hash, label: 'F=4 ant=off', task: `${j.jobs[0].id}_2`, state: 'FAILED', exitStatus: 2 });
    expect(f.logTail.join('\n')).toMatch(/antforge: cannot write '.*points\/[0-9a-f]{16}\.json': EISDIR/);
    expect(f.log).toBe(path.join(out, 'slurm', 'logs', `${j.jobs[0].id}_2.log`));
    expect(j.missing).toEqual([{ hash: victim.hash, label: 'F=4 ant=off', reason: expect.stringMatching(/^task \d+_2 FAILED, exit status 2: antforge: cannot write/) }]);
    expect(r.stderr).toMatch(/point F=4 ant=off \([0-9a-f]{16}\) failed: task \d+_2 FAILED, exit status 2; log .*\n( {4}.*\n)* {4}antforge: cannot write/);
    expect(r.stderr).toMatch(/1 of 4 points failed; the outputs cover the 3 finished ones/);

    // The aggregate: the three finished points, and the missing one named rather than dropped.
    const results = readJson(out, 'results.json');
    expect(results.ok).toBe(false);
    expect(results.missing.map((m: { hash: string }) => m.hash)).toEqual([victim.hash]);
    expect(results.points.map((p: PointResult) => p.label)).toEqual(['F=2 ant=off', 'F=2 ant=window', 'F=4 ant=window']);
    const md = read(out, 'summary.md');
    expect(md).toMatch(/\*\*1 of 4 points is missing\*\*/);
    expect(md).toMatch(new RegExp(`## Missing points[\\s\\S]*\\| F=4 ant=off \\| \`${victim.hash}\` \\| task \\d+_2 FAILED, exit status 2`));
    const csv = read(out, 'results.csv').trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv.some((l) => l.startsWith(victim.hash))).toBe(false);

    // Fixed, the rerun submits the one missing point and the outputs match the local pool's.
    fs.rmdirSync(path.join(out, 'points', `${victim.hash}.json`));
    const again = await sweep(['--space', space, '--out', out, '--engine', 'slurm', ...POLL, '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ ok: true, ran: 1, skipped: 3, submitted: [victim.hash], failed: [], missing: [] });
    expect(read(out, 'sweep.sbatch')).toContain('#SBATCH --array=0-0');
    expect(read(out, 'results.csv')).toBe(local.csv);
    expect(readJson(out, 'results.json').ok).toBe(true);
  });

  it('--no-wait submits and returns; a rerun follows the running array instead of submitting again', async () => {
    const out = path.join(tmp, 'nowait');
    const r = await sweep(['--space', space, '--out', out, '--engine', 'slurm', '--max-running', '1', '--no-wait', '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ ok: true, waited: false, submitted: local.points.map((p) => p.hash) });
    const job = j.jobs[0].id as string;
    expect(fs.existsSync(path.join(out, 'results.csv'))).toBe(false);
    // Held, the array's pending tasks stay pending whatever this machine's speed: the rerun must see it running.
    const hold = slurmCmd('scontrol', ['hold', job]);
    expect(hold.stderr).toBe('');
    const seen = await sweep(['--space', space, '--out', out, '--engine', 'slurm', '--no-wait', '--json']);
    expect(seen.code).toBe(0);
    expect(seen.json()).toMatchObject({ waited: false, submitted: [], jobs: [], followed: [job] });
    expect(slurmCmd('scontrol', ['release', job]).status).toBe(0);
    const followed = await sweep(['--space', space, '--out', out, '--engine', 'slurm', ...POLL, '--json']);
    expect(followed.code).toBe(0);
    expect(followed.json()).toMatchObject({ ok: true, submitted: [], jobs: [], followed: [job], failed: [] });
    expect(read(out, 'results.csv')).toBe(local.csv);
  });

  it('--dry-run writes the script and submits nothing; the script submitted by hand runs the points', async () => {
    const out = path.join(tmp, 'dry');
    // The test cluster's partition is 'debug'; an existing cluster's first one otherwise.
    const partition = slurmCmd('sinfo', ['-h', '-o', '%R']).stdout.trim().split('\n')[0];
    const r = await sweep(['--space', space, '--out', out, '--engine', 'slurm', '--dry-run', '--time', '5', '--mem', '200M', '--max-running', '3', '--partition', partition, '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ ok: true, dryRun: true, todo: 4, submitted: [], jobs: [], script: path.join(out, 'sweep.sbatch') });
    expect(fs.existsSync(path.join(out, 'slurm', 'jobs.json'))).toBe(false);
    const script = read(out, 'sweep.sbatch');
    for (const l of ['#SBATCH --array=0-3%3', `#SBATCH --partition=${partition}`, '#SBATCH --time=5', '#SBATCH --mem=200M']) expect(script).toContain(l);
    const s = slurmCmd('sbatch', ['--parsable', j.script]);
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    // (sbatch --wait would do, but it polls with a back-off of up to half a minute.)
    const id = s.stdout.trim().split(';')[0];
    while (slurmCmd('squeue', ['-h', '-j', id]).stdout.trim()) await new Promise((r) => setTimeout(r, 300));
    // Every point is done now: the engine submits nothing and aggregates what the hand-submitted array wrote.
    const after = await sweep(['--space', space, '--out', out, '--engine', 'slurm', ...POLL, '--json']);
    expect(after.code).toBe(0);
    expect(after.json()).toMatchObject({ ok: true, ran: 0, skipped: 4, submitted: [] });
    expect(read(out, 'results.csv')).toBe(local.csv);
  });

  it('bad options and a cluster that refuses the job exit 2 with one message naming what is wrong', async () => {
    const out = path.join(tmp, 'bad');
    const cases: [string, string[], RegExp, Record<string, string>?][] = [
      ['unknown engine', ['--engine', 'kubernetes'], /--engine 'kubernetes' is not allowed; allowed: local, slurm/],
      ['bad time', ['--engine', 'slurm', '--time', '1h'], /--time '1h' is not allowed; allowed: a Slurm time limit: MINUTES, MM:SS, HH:MM:SS/],
      ['bad memory', ['--engine', 'slurm', '--mem', 'lots'], /--mem 'lots' is not allowed; allowed: a memory size/],
      ['bad partition name', ['--engine', 'slurm', '--partition', 'a b'], /--partition 'a b' is not allowed/],
      ['zero max-running', ['--engine', 'slurm', '--max-running', '0'], /--max-running '0' is not allowed; allowed: an integer 1\.\./],
      ['slurm option on the local engine', ['--partition', 'debug'], /--partition applies to --engine slurm only/],
      ['--jobs with slurm', ['--engine', 'slurm', '--jobs', '2'], /--jobs sets the local worker threads; with --engine slurm use --max-running/],
      ['no sbatch', ['--engine', 'slurm'], /sbatch is not on PATH: --engine slurm submits with Slurm's sbatch/, { PATH: path.join(tmp, 'no-such-bin') }],
    ];
    for (const [what, args, msg, env] of cases) {
      const r = await sweep(['--space', space, '--out', out, ...args], env);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(msg);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(fs.existsSync(out), what).toBe(false);
    }
    const refused = await sweep(['--space', space, '--out', out, '--engine', 'slurm', '--partition', 'nosuchpartition']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/sbatch refused the job array: .*invalid partition.*; check --partition, --time and --mem/);
    expect(fs.existsSync(path.join(out, 'slurm', 'jobs.json'))).toBe(false);
  });
});
