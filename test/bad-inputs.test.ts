/**
 * Bad inputs through the real CLI: each one must exit 2 with one message on stderr that names
 * what is wrong and what is allowed, print no stack trace, and write nothing (no output target,
 * no build cache entry, no half-written `*.tmp-*` file).
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ANT_MODES, CONFIG_KEYS } from '../generator/config.ts';
import { runCli } from './cli.ts';

/** A .npy file built by hand: magic, version 1.0, header dict padded to 64 bytes, little-endian data. */
function npy(descr: string, shape: number[], data: Buffer): Buffer {
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shp}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre[0] = 0x93;
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = 1; // major
  pre[7] = 0; // minor
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}
const int32s = (vals: number[]) => { const b = Buffer.alloc(4 * vals.length); vals.forEach((v, i) => b.writeInt32LE(v, 4 * i)); return b; };
const float64s = (vals: number[]) => { const b = Buffer.alloc(8 * vals.length); vals.forEach((v, i) => b.writeDoubleLE(v, 8 * i)); return b; };

const write = (file: string, data: string | Buffer) => { fs.writeFileSync(file, data); return file; };

/** A small fwd conv whose weights come from `file` (expected shape [1,1,2,2], K,C,R,S). */
const convWithWeights = (file: string) => JSON.stringify({
  kind: 'conv', phase: 'fwd', N: 1, C: 1, K: 1, H: 4, W: 4, R: 2, S: 2, tensors: { weights: file },
});
const MATMUL = JSON.stringify({ kind: 'matmul', M: 4, K: 4, N: 4, seed: 1 });
const conv = (extra: object) => JSON.stringify({ kind: 'conv', phase: 'fwd', N: 1, C: 1, K: 1, H: 4, W: 4, R: 1, S: 1, ...extra });

interface Case {
  name: string;
  /** CLI arguments; `dir` is a fresh empty temp folder for this case. */
  args: (dir: string) => string[];
  /** Files the case needs, created in `dir` before the run. */
  setup?: (dir: string) => void;
  /** Extra environment (ANTFORGE_CACHE always points at an empty `dir/cache`). */
  env?: (dir: string) => Record<string, string>;
  status: number;
  /** The stderr message: what is wrong and what is allowed. */
  stderr: RegExp;
  /** Commander's own usage errors are not prefixed `antforge: `. */
  usage?: boolean;
  json?: boolean;
}

/** generate into dir/rtl, which must not exist afterwards. */
const gen = (dir: string, ...args: string[]) => ['generate', '--out', path.join(dir, 'rtl'), ...args];
/** cosim with every writing option pointed into dir; none of them may exist afterwards. */
const sim = (dir: string, workload: string, ...args: string[]) =>
  ['cosim', '--workload', workload, '--dump', path.join(dir, 'dump'), '--vcd', path.join(dir, 'run.vcd'), ...args];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The allowed keys and ant modes, as the messages list them. */
const KEYS = escape(Object.keys(CONFIG_KEYS).join(', '));
const MODES = escape(ANT_MODES.map((m) => JSON.stringify(m)).join(' | '));

const CASES: Case[] = [
  // ---- config ----
  { name: 'config F=0', args: (d) => gen(d, '--set', 'F=0'), status: 2, stderr: /config key 'F': 0 is not allowed; allowed: an integer 1\.\.16/ },
  { name: 'config F=17', args: (d) => gen(d, '--set', 'F=17'), status: 2, stderr: /config key 'F': 17 is not allowed; allowed: an integer 1\.\.16/ },
  { name: 'config banks=48 (not a power of two)', args: (d) => gen(d, '--set', 'banks=48'), status: 2,
    stderr: /config key 'banks': 48 is not allowed; allowed: a power of two 1\.\.64/ },
  { name: 'config dataWidth=3', args: (d) => gen(d, '--set', 'dataWidth=3'), status: 2,
    stderr: /config key 'dataWidth': 3 is not allowed; allowed: an integer 4\.\.32/ },
  { name: 'config ant="maybe"', args: (d) => gen(d, '--set', 'ant=maybe'), status: 2, stderr: new RegExp(`config key 'ant': "maybe" is not allowed; allowed: ${MODES}$`, 'm') },
  { name: 'config unknown key via --set', args: (d) => gen(d, '--set', 'colour=3'), status: 2,
    stderr: new RegExp(`config key 'colour' is unknown; allowed keys: ${KEYS}`) },
  { name: 'config unknown key via --config file', setup: (d) => write(path.join(d, 'cfg.json'), JSON.stringify({ F: 4, lanes: 8 })),
    args: (d) => gen(d, '--config', path.join(d, 'cfg.json')), status: 2, stderr: new RegExp(`config key 'lanes' is unknown; allowed keys: ${KEYS}`) },
  { name: 'config key inherited from Object.prototype via --set', args: (d) => gen(d, '--set', 'constructor=1'), status: 2,
    stderr: new RegExp(`config key 'constructor' is unknown; allowed keys: ${KEYS}`) },
  { name: 'config key inherited from Object.prototype via --config', setup: (d) => write(path.join(d, 'cfg.json'), '{"toString": 3}'),
    args: (d) => gen(d, '--config', path.join(d, 'cfg.json')), status: 2, stderr: new RegExp(`config key 'toString' is unknown; allowed keys: ${KEYS}`) },
  { name: 'config --set __proto__=1', args: (d) => gen(d, '--set', '__proto__=1'), status: 2, stderr: new RegExp(`config key '__proto__' is unknown; allowed keys: ${KEYS}`) },
  { name: 'config file is not JSON', setup: (d) => write(path.join(d, 'cfg.json'), 'F: 4\nbanks: 32\n'),
    args: (d) => gen(d, '--config', path.join(d, 'cfg.json')), status: 2, stderr: /config file '.*cfg\.json' is not valid JSON/ },
  { name: 'config file does not exist', args: (d) => gen(d, '--config', path.join(d, 'nope.json')), status: 2,
    stderr: /config file '.*nope\.json' cannot be read; give a path to a JSON file/ },
  { name: '--set without =', args: (d) => gen(d, '--set', 'F4'), status: 2, stderr: new RegExp(`--set 'F4' is not of the form key=value \\(keys: ${KEYS}\\)`) },

  // ---- workload ----
  { name: 'workload malformed JSON', args: (d) => sim(d, '{"kind": "matmul", "M": 4,'), status: 2, stderr: /workload is not valid JSON/ },
  { name: 'workload unknown key (file)', setup: (d) => write(path.join(d, 'wl.json'), JSON.stringify({ kind: 'matmul', M: 4, K: 4, N: 4, rows: 4 })),
    args: (d) => sim(d, path.join(d, 'wl.json')), status: 2,
    stderr: /workload key 'rows' is unknown; allowed keys: kind, M, K, N, density, tensors, mapping, seed, valueMax/ },
  { name: 'workload stride 0', args: (d) => sim(d, conv({ stride: 0 })), status: 2, stderr: /workload key 'stride': 0 is not allowed; allowed: an integer 1\.\.16/ },
  { name: 'workload phase that does not exist', args: (d) => sim(d, conv({ phase: 'backward' })), status: 2,
    stderr: /workload key 'phase': "backward" is not allowed; allowed: "fwd" \| "bwd" \| "wgrad"/ },
  { name: 'workload missing required key', args: (d) => sim(d, JSON.stringify({ kind: 'conv', phase: 'fwd', N: 1, C: 1, K: 1, H: 4, W: 4, R: 1 })),
    status: 2, stderr: /workload is missing key 'S'/ },
  { name: 'workload density above 1', args: (d) => sim(d, conv({ density: { weights: 1.5 } })), status: 2,
    stderr: /workload key 'density\.weights': 1\.5 is not allowed; allowed: a number 0\.\.1/ },
  { name: 'workload layer whose coordinates do not fit coordWidth (wgrad 300x300)',
    args: (d) => sim(d, JSON.stringify({ kind: 'conv', phase: 'wgrad', N: 1, C: 1, K: 1, H: 300, W: 300, R: 3, S: 3, pad: 1 })), status: 2,
    stderr: /stationary operand coordinate \(y=\d+, x=\d+\) does not fit coordWidth=8 \(0\.\.255\); raise coordWidth or use a smaller layer/ },
  { name: 'workload filter taller than the coordinate range (bwd, used to loop forever)',
    args: (d) => sim(d, JSON.stringify({ kind: 'conv', phase: 'bwd', N: 1, C: 1, K: 1, H: 20, W: 20, R: 17, S: 17 }), '--set', 'coordWidth=4'), status: 2,
    stderr: /filter R=17 S=17 needs coordinates up to 16; coordWidth=4 holds 0\.\.15; raise coordWidth/ },
  { name: 'workload filter halo beyond the coordinate range (fwd, zero weights, used to loop forever)',
    args: (d) => sim(d, conv({ H: 8, W: 8, R: 8, S: 8, density: { weights: 0 } }), '--set', 'coordWidth=2'), status: 2,
    stderr: /filter R=8 S=8 at stride 1 needs coordinates up to 15; coordWidth=2 holds 0\.\.3; raise coordWidth/ },
  { name: 'workload too large to hold (used to be an internal RangeError)', args: (d) => sim(d, JSON.stringify({ kind: 'matmul', M: 1 << 20, K: 1 << 20, N: 4 })),
    status: 2, stderr: /workload tensor 'a' \[1048576,1048576\] \(M,K\) has 1099511627776 elements; allowed: at most 268435456 per tensor/ },
  { name: 'workload tensor the phase does not read (used to be ignored)', args: (d) => sim(d, conv({ tensors: { gradients: path.join(d, 'dy.npy') } })),
    status: 2, stderr: /workload key 'tensors\.gradients': phase "fwd" does not read a gradients tensor; allowed keys: weights, activations/ },
  { name: 'workload file does not exist', args: (d) => sim(d, path.join(d, 'missing.json')), status: 2,
    stderr: /workload '.*missing\.json' is neither inline JSON nor a readable file/ },

  // ---- tensors (.npy) ----
  { name: 'npy file missing', args: (d) => sim(d, convWithWeights(path.join(d, 'w.npy'))), status: 2,
    stderr: /w\.npy: file not found \(the weights tensor is read from it\)/ },
  { name: 'npy float with fractional values', setup: (d) => write(path.join(d, 'w.npy'), npy('<f8', [1, 1, 2, 2], float64s([1, 2.5, -3, 4]))),
    args: (d) => sim(d, convWithWeights(path.join(d, 'w.npy'))), status: 2,
    stderr: /w\.npy: dtype float64 has non-integer values in the weights tensor \(1 of them, first 2\.5 at \[0,0,0,1\]\); allowed: integer dtypes .* or integral floats/ },
  { name: 'npy wrong shape', setup: (d) => write(path.join(d, 'w.npy'), npy('<i4', [1, 1, 3, 2], int32s([1, 2, 3, 4, 5, 6]))),
    args: (d) => sim(d, convWithWeights(path.join(d, 'w.npy'))), status: 2,
    stderr: /w\.npy: shape \[1,1,3,2\] does not match the workload's weights shape \[1,1,2,2\] \(K,C,R,S\)/ },
  { name: 'npy truncated', setup: (d) => write(path.join(d, 'w.npy'), npy('<i4', [1, 1, 2, 2], int32s([1, 2, 3, 4]).subarray(0, 10))),
    args: (d) => sim(d, convWithWeights(path.join(d, 'w.npy'))), status: 2,
    stderr: /w\.npy: truncated: the weights tensor of shape \[1,1,2,2\] and dtype int32 needs 16 data bytes, the file has 10/ },

  // ---- tools ----
  { name: 'verilator missing from PATH',
    setup: (d) => { fs.mkdirSync(path.join(d, 'bin')); fs.symlinkSync(process.execPath, path.join(d, 'bin', 'node')); },
    env: (d) => ({ PATH: path.join(d, 'bin') }),
    args: (d) => sim(d, MATMUL), status: 2,
    stderr: /verilator is not on PATH; run 'npm run setup' \(installs Debian package 'verilator'\) or install it yourself/ },

  // ---- outputs ----
  { name: '--vcd under a file', setup: (d) => write(path.join(d, 'afile'), ''),
    args: (d) => ['cosim', '--workload', MATMUL, '--vcd', path.join(d, 'afile', 'run.vcd')], status: 2,
    stderr: /--vcd '.*afile\/run\.vcd' cannot be written: '.*afile' is a file, not a folder/ },

  // ---- CLI usage ----
  { name: 'unknown command', args: () => ['frobnicate'], status: 2, usage: true, stderr: /unknown command 'frobnicate'/ },
  { name: 'unknown option', args: (d) => gen(d, '--fast'), status: 2, usage: true, stderr: /unknown option '--fast'/ },
  { name: 'cosim without --workload', args: (d) => ['cosim', '--dump', path.join(d, 'dump')], status: 2, usage: true,
    stderr: /required option '--workload <json\|file>' not specified/ },
  { name: '--max-cycles not a number', args: (d) => sim(d, MATMUL, '--max-cycles', 'lots'), status: 2,
    stderr: /--max-cycles 'lots' is not allowed; allowed: a positive integer/ },
  { name: '--max-cycles 0', args: (d) => sim(d, MATMUL, '--max-cycles', '0'), status: 2, stderr: /--max-cycles '0' is not allowed; allowed: a positive integer/ },

  // ---- outputs and waveforms ----
  { name: 'generate into a folder that cannot be created (its parent is a file)', setup: (d) => write(path.join(d, 'afile'), 'x'),
    args: (d) => ['generate', '--out', path.join(d, 'afile', 'rtl')], status: 2, stderr: /cannot create output folder '.*afile'/ },
  { name: 'a VCD cut short (a crashed simulation)', setup: (d) => write(path.join(d, 'cut.vcd'), '$timescale 1ps $end\n $scope module TOP $end\n  $var wire 1 ! clk $end\n $upscope $end\n$enddefinitions $end\n#0\n0!\n#5\n1'),
    args: (d) => ['trace', '--vcd', path.join(d, 'cut.vcd')], status: 2, stderr: /VCD file is cut short .*cut\.vcd/ },
  { name: 'a VCD without the array\'s ports', setup: (d) => write(path.join(d, 'other.vcd'), '$timescale 1ps $end\n $scope module TOP $end\n  $var wire 1 ! clk $end\n $upscope $end\n$enddefinitions $end\n#0\n0!\n'),
    args: (d) => ['trace', '--vcd', path.join(d, 'other.vcd')], status: 2, stderr: /TOP\.mon_issue/ },
  { name: 'model with an unknown network', args: () => ['model', '--network', 'alexnet'], status: 2, stderr: /--network 'alexnet' is not allowed; allowed: resnet18/ },
  { name: 'model sparsity out of range', args: () => ['model', '--all', '--sparsity', '1'], status: 2, stderr: /--sparsity '1' is not allowed; allowed: a number 0\.\.0\.999/ },
  { name: 'mutate an unknown mutant', args: () => ['mutate', '--only', 'nope'], status: 2, stderr: /--only: unknown mutant\(s\) nope; allowed: coord-row-limit-off-by-one/ },
  { name: 'sweep space with a config value out of range', setup: (d) => write(path.join(d, 'space.json'), JSON.stringify({ config: { F: [2, 99] }, networks: [{ name: 'resnet18', dataset: 'cifar' }] })),
    args: (d) => ['sweep', '--space', path.join(d, 'space.json'), '--out', path.join(d, 'sweep')], status: 2, stderr: /space key 'config\.F\[1\]': 99 is not allowed; allowed: an integer 1\.\.16/ },
  { name: 'sweep space that is not JSON', setup: (d) => write(path.join(d, 'space.json'), 'F: [2, 4]'),
    args: (d) => ['sweep', '--space', path.join(d, 'space.json'), '--out', path.join(d, 'sweep')], status: 2, stderr: /space.*(not valid JSON|JSON)/ },
  { name: 'fuzz with zero cases', args: () => ['fuzz', '--cases', '0'], status: 2, stderr: /--cases '0' is not allowed; allowed: an integer 1\.\.1000000/ },

  // ---- --json ----
  { name: '--json config error', args: (d) => gen(d, '--json', '--set', 'bankDepth=0'), status: 2, json: true,
    stderr: /config key 'bankDepth': 0 is not allowed; allowed: an integer 1\.\.4096/ },
  { name: '--json workload error', args: (d) => sim(d, conv({ stride: 0 }), '--json'), status: 2, json: true,
    stderr: /workload key 'stride': 0 is not allowed/ },
];

/** Every path under `dir`, relative. */
function listAll(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

/** The paths a command would write, read from its arguments. */
function targets(args: string[]): string[] {
  const out: string[] = [];
  // trace reads --vcd; every other command writes it.
  args.forEach((a, i) => { if (['--out', '--dump'].includes(a) || (a === '--vcd' && args[0] !== 'trace')) out.push(args[i + 1]); });
  return out;
}

describe('bad inputs through the CLI: exit 2, one clear message, nothing written', () => {
  it('covers at least 16 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(16));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'antforge-bad-'));
    try {
      const cache = path.join(dir, 'cache');
      fs.mkdirSync(cache); // empty: a cached build cannot hide a missing tool
      c.setup?.(dir);
      const args = c.args(dir);
      const before = new Set(listAll(dir));
      // The real entry point: exit status, environment (PATH, ANTFORGE_CACHE) and output of a process.
      const r = await runCli(args, { subprocess: true, timeout: 120_000, env: { ANTFORGE_CACHE: cache, ...c.env?.(dir) } });
      const shown = `args: ${JSON.stringify(args)}\nstatus: ${r.status} signal: ${r.signal}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`;
      expect(r.error, shown).toBeUndefined();
      expect(r.status, shown).toBe(c.status);
      expect(r.stderr, shown).toMatch(c.stderr);
      expect(r.stderr, shown).toMatch(c.usage ? /^error: / : /^antforge: /);
      expect(r.stderr, shown).not.toMatch(/internal error|^\s+at /m);

      if (c.json) {
        const j = JSON.parse(r.stdout);
        expect(j.ok).toBe(false);
        expect(typeof j.error.area).toBe('string');
        expect(j.error.message).toMatch(c.stderr);
        expect(r.stderr).toBe(`antforge: ${j.error.message}\n`);
      }

      // Nothing written: no output target, no build, no stray temp file.
      for (const t of targets(args)) expect(fs.existsSync(t), `${t} was written\n${shown}`).toBe(false);
      expect(fs.readdirSync(cache), `the build cache was written\n${shown}`).toEqual([]);
      const after = listAll(dir);
      expect(after.filter((f) => /\.tmp-/.test(path.basename(f))), shown).toEqual([]);
      expect(after.filter((f) => !before.has(f)), `new files\n${shown}`).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
