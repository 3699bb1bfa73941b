/**
 * `antforge sweep`: a small space (F in {2, 4} x ant in {off, window}, one CIFAR network in wgrad
 * with one sampled group a layer, and two small conv layers) runs, writes every output, resumes
 * after being killed with the finished points reused unchanged, runs single points for external
 * runners, and rejects bad spaces with exit 2 and nothing written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paretoFront, OUTPUTS, CHARTS } from '../golden/sweep/outputs.ts';
import { ENERGY_COMPONENTS } from '../golden/cost/cost.ts';
import { SPACE_SCHEMA, type PointResult } from '../golden/sweep/sweep.ts';
import { runCli, spawnCli } from './cli.ts';

const SPACE = {
  description: 'test space',
  config: { F: [2, 4], ant: ['off', 'window'] },
  base: { I: 4, name: 'sweeptest' },
  networks: [{ name: 'resnet18', dataset: 'cifar' }],
  workloads: [
    { kind: 'conv', phase: 'wgrad', N: 1, C: 4, K: 4, H: 16, W: 16, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.1, gradients: 0.1 }, seed: 1 },
    { kind: 'conv', phase: 'fwd', N: 1, C: 4, K: 8, H: 12, W: 12, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.3, activations: 0.3 }, seed: 2 },
  ],
  model: { phases: ['wgrad'], sample: 1 },
};

let tmp: string;
const write = (name: string, obj: unknown) => { const f = path.join(tmp, name); fs.writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj)); return f; };

/** `antforge sweep ARGS` in this process (test/cli.ts). */
async function sweep(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(['sweep', ...args]);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const pointFiles = (dir: string) => (fs.existsSync(path.join(dir, 'points')) ? fs.readdirSync(path.join(dir, 'points')).filter((n) => /^[0-9a-f]{16}\.json$/.test(n)).sort() : []);
const withoutSeconds = (points: PointResult[]) => points.map(({ seconds: _s, ...rest }) => rest);

beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-sweep-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

describe('sweep', () => {
  let full: { dir: string; results: { points: PointResult[]; pareto: { cyclesArea: string[]; energyArea: string[] } } };

  it('runs every point and writes the point files, results.json/.csv, three charts and summary.md', async () => {
    const space = write('space.json', SPACE);
    const dir = path.join(tmp, 'full');
    const r = await sweep(['--space', space, '--out', dir, '--jobs', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, points: 4, ran: 4, skipped: 0 });
    for (const f of OUTPUTS) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(pointFiles(dir)).toHaveLength(4);
    for (const c of CHARTS) expect(fs.readFileSync(path.join(dir, c), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    const results = readJson(path.join(dir, 'results.json'));
    const pts: PointResult[] = results.points;
    expect(pts.map((p) => p.label)).toEqual(['F=2 ant=off', 'F=2 ant=window', 'F=4 ant=off', 'F=4 ant=window']);
    for (const p of pts) {
      expect(p.config.name).toBe('sweeptest');
      expect(p.design).toBe(p.config.ant);
      expect(p.workloads.map((w) => w.kind)).toEqual(['network', 'workload', 'workload']);
      expect(p.cycles.design).toBeCloseTo(p.workloads.reduce((s, w) => s + w.design, 0), 6);
      expect(p.speedup).toBeCloseTo(p.cycles.off / p.cycles.design, 12);
      expect(p.energy.total).toBeCloseTo(Object.values(p.energy.components).reduce((s, v) => s + v, 0), 3);
      expect(p.area.total).toBeCloseTo(Object.values(p.area.components).reduce((s, v) => s + v, 0), 9);
      expect(p.area.total).toBeGreaterThan(0);
      expect(readJson(path.join(dir, 'points', `${p.hash}.json`)).hash).toBe(p.hash);
    }
    // The design mode decides: off points are their own baseline; window anticipates RCPs (fewer cycles, a range unit's area).
    const [f2off, f2win] = pts;
    expect(f2off.speedup).toBe(1);
    expect(f2win.cycles.off).toBe(f2off.cycles.design);
    expect(f2win.cycles.design).toBeLessThan(f2off.cycles.design);
    expect(f2win.area.components.rangeUnit).toBeGreaterThan(0);
    expect(f2off.area.components.rangeUnit).toBe(0);
    expect(f2win.area.total).toBeGreaterThan(f2off.area.total);

    // Pareto flags: exactly the non-dominated points.
    for (const [key, val] of [['cyclesArea', (p: PointResult) => p.cycles.design], ['energyArea', (p: PointResult) => p.energy.total]] as const) {
      const want = pts.filter((a) => !pts.some((b) => b.area.total <= a.area.total && val(b) <= val(a) && (b.area.total < a.area.total || val(b) < val(a)))).map((p) => p.hash);
      expect(results.pareto[key]).toEqual(want);
      expect(j.pareto[key].map((p: { hash: string }) => p.hash).sort()).toEqual([...want].sort());
    }

    const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    const head = csv[0].split(',');
    expect(head.slice(0, 3)).toEqual(['hash', 'F', 'ant']);
    for (const c of ['cycles', 'offCycles', 'speedup', 'energyPj', 'areaMm2', ...ENERGY_COMPONENTS.map((k) => `energy_${k}_pJ`), 'paretoCyclesArea', 'paretoEnergyArea']) expect(head).toContain(c);
    expect(head).not.toContain('I');
    const row = csv[2].split(',');
    expect(Number(row[head.indexOf('cycles')])).toBe(f2win.cycles.design);
    expect(Number(row[head.indexOf('areaMm2')])).toBe(f2win.area.total);

    const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
    for (const c of CHARTS) expect(md).toContain(`](${c})`);
    for (const h of [...results.pareto.cyclesArea, ...results.pareto.energyArea]) expect(md).toContain(h);
    expect(md).toMatch(/## Pareto-optimal on cycles vs area/);
    expect(md).toMatch(/## Pareto-optimal on energy vs area/);
    full = { dir, results };
  });

  it('resumes after being killed: finished points are skipped and unchanged, the rest complete with identical results', async () => {
    const space = write('space.json', SPACE);
    const dir = path.join(tmp, 'killed');
    const child = spawnCli(['sweep', '--space', space, '--out', dir, '--jobs', '1']);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (pointFiles(dir).length === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    let done = pointFiles(dir);
    expect(done.length).toBeGreaterThan(0);
    // If the child outran the kill, take points away as an interruption would have left them.
    if (done.length === 4) { for (const f of done.slice(1)) fs.unlinkSync(path.join(dir, 'points', f)); done = done.slice(0, 1); }
    expect(fs.existsSync(path.join(dir, 'results.json'))).toBe(false);
    const before = Object.fromEntries(done.map((f) => [f, fs.readFileSync(path.join(dir, 'points', f), 'utf8')]));

    const r = await sweep(['--space', space, '--out', dir, '--jobs', '2', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.skipped).toBe(done.length);
    expect(j.ran).toBe(4 - done.length);
    for (const f of done) expect(fs.readFileSync(path.join(dir, 'points', f), 'utf8')).toBe(before[f]);
    expect(pointFiles(dir)).toEqual(pointFiles(full.dir));
    expect(fs.readdirSync(path.join(dir, 'points')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const results = readJson(path.join(dir, 'results.json'));
    expect(withoutSeconds(results.points)).toEqual(withoutSeconds(full.results.points));
    expect(results.pareto).toEqual(full.results.pareto);

    // A third run has nothing left to do.
    const again = JSON.parse((await sweep(['--space', space, '--out', dir, '--json'])).stdout);
    expect(again).toMatchObject({ ran: 0, skipped: 4 });
  });

  it('--list prints one JSON line a point; hashes depend on config and workloads only, so spaces share points', async () => {
    const space = write('space.json', SPACE);
    const r = await sweep(['--space', space, '--list', '--out', full.dir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.hash)).toEqual(full.results.points.map((p) => p.hash));
    for (const l of lines) {
      expect(l.done).toBe(true);
      expect(l.config).toMatchObject({ ...l.values, I: 4 });
      expect(l.command).toContain(`--point ${l.hash}`);
    }
    const list = async (s: object) => (await sweep(['--space', write('other.json', s), '--list'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { hash: string; label: string });
    // Another space over F in {4, 8} with the same workloads shares the F=4 points (name and description do not count).
    const other = await list({ ...SPACE, description: 'other', base: { I: 4, name: 'other' }, config: { F: [4, 8], ant: ['off', 'window'] } });
    const shared = other.filter((p) => full.results.points.some((q) => q.hash === p.hash)).map((p) => p.label);
    expect(shared).toEqual(['F=4 ant=off', 'F=4 ant=window']);
    // Changing a workload changes every hash.
    const changed = await list({ ...SPACE, workloads: [{ ...SPACE.workloads[0], seed: 9 }, SPACE.workloads[1]] });
    expect(changed.some((p) => full.results.points.some((q) => q.hash === p.hash))).toBe(false);
  });

  it('--point runs just one point for an external runner; a plain run then reuses it', async () => {
    const space = write('space.json', SPACE);
    const dir = path.join(tmp, 'external');
    const target = full.results.points[3];
    const r = await sweep(['--space', space, '--out', dir, '--point', target.hash.slice(0, 6), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, hash: target.hash, skipped: false });
    expect(pointFiles(dir)).toEqual([`${target.hash}.json`]);
    expect(withoutSeconds([readJson(path.join(dir, 'points', `${target.hash}.json`))])).toEqual(withoutSeconds([target]));
    expect(fs.existsSync(path.join(dir, 'results.json'))).toBe(false);
    expect(JSON.parse((await sweep(['--space', space, '--out', dir, '--point', target.hash, '--json'])).stdout).skipped).toBe(true);
    const bad = await sweep(['--space', space, '--out', dir, '--point', 'ffffffffffffffff']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a point of this space/);
  });

  it('a bad space exits 2 naming what is wrong, and writes nothing', async () => {
    const w = { workloads: [{ kind: 'matmul', M: 8, K: 8, N: 8 }] };
    const cases: [string, unknown, RegExp][] = [
      ['unknown key', { config: { F: [2] }, foo: 1, ...w }, /space key 'foo' is unknown; allowed keys: .*config/],
      ['unknown config key', { config: { Fx: [2] }, ...w }, /space key 'config.Fx' is unknown/],
      ['config value out of range', { config: { F: [2, 99] }, ...w }, /'config.F\[1\]': 99 is not allowed; allowed: an integer 1..16/],
      ['not a power of two', { config: { banks: [3] }, ...w }, /'config.banks\[0\]': 3 is not allowed/],
      ['bad base value', { config: { F: [2] }, base: { ant: 'fast' }, ...w }, /'base.ant': "fast" is not allowed/],
      ['key in base and config', { config: { F: [2] }, base: { F: 4 }, ...w }, /'base.F' is also swept in 'config.F'/],
      ['empty value list', { config: { F: [] }, ...w }, /'config.F' is an empty list/],
      ['empty workloads', { config: { F: [2] }, workloads: [] }, /'workloads' is an empty list/],
      ['no workloads at all', { config: { F: [2] } }, /space has no workloads/],
      ['bad workload', { config: { F: [2] }, workloads: [{ kind: 'conv', phase: 'fwd', N: 1, C: 1, K: 1, H: 4, W: 4, R: 3 }] }, /space workloads\[0\]: workload is missing key 'S'/],
      ['unknown network', { config: { F: [2] }, networks: [{ name: 'resnet19' }] }, /'networks\[0\].name': "resnet19" is not allowed/],
      ['bad gemm', { config: { F: [2] }, gemms: [{ name: 'lstm-1024', sparsity: 2 }] }, /'gemms\[0\].sparsity': 2 is not allowed/],
      ['bad model option', { config: { F: [2] }, networks: [{ name: 'resnet18' }], model: { phases: ['fwd', 'up'] } }, /'model.phases\[1\]': "up" is not allowed/],
      ['missing tech table', { config: { F: [2] }, tech: 'nope.json', ...w }, /tech table .*nope.json' cannot be read/],
      ['not JSON', '{"config": ', /is not valid JSON/],
    ];
    for (const [what, space, msg] of cases) {
      const dir = path.join(tmp, 'bad-out');
      const r = await sweep(['--space', write('bad.json', space), '--out', dir]);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(msg);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(fs.existsSync(dir), what).toBe(false);
    }
  });

  it('exports the space schema and a Pareto helper', () => {
    expect(SPACE_SCHEMA.properties.config.properties.F.items).toMatchObject({ type: 'integer', minimum: 1, maximum: 16 });
    expect(paretoFront([[1, 5], [2, 2], [3, 3], [1, 5], [4, 1]], (p) => p[0], (p) => p[1])).toEqual([true, true, false, true, true]);
  });
});
