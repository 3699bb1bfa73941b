/**
 * FuseSoC, the real one from PyPI, in a virtual environment the project owns
 * (.antforge/venv, git-ignored): created and pip-installed on first use, pinned so that every
 * machine checks the generated .core with the same FuseSoC and Edalize. Not a system package:
 * Debian's fusesoc is old or absent, and a pip install outside a venv is refused on Debian.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ToolError } from '../generator/errors.ts';

/** Pinned: FuseSoC reads the .core, Edalize (its back end) writes the Verilator and Yosys runs. */
export const FUSESOC_VERSION = '2.4.7';
export const EDALIZE_VERSION = '0.6.8';
const PINS = [`fusesoc==${FUSESOC_VERSION}`, `edalize==${EDALIZE_VERSION}`];

/** The repository root, not the cwd: one venv per checkout wherever the command runs. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VENV = path.resolve(process.env.ANTFORGE_VENV ?? path.join(ROOT, '.antforge', 'venv'));
/** Written last into a finished venv: its presence says the install completed, its text which pins. */
const STAMP = 'antforge-pins.txt';
const python = (venv: string) => path.join(venv, 'bin', 'python');

function run(cmd: string, args: string[], timeoutSeconds: number) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutSeconds * 1000, maxBuffer: 64 << 20 });
}

const lastLine = (r: ReturnType<typeof run>) =>
  (r.error?.message ?? `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `exit status ${r.status}`);

function ready(venv: string): boolean {
  try {
    return fs.readFileSync(path.join(venv, STAMP), 'utf8') === PINS.join('\n') + '\n' && fs.existsSync(python(venv));
  } catch {
    return false;
  }
}

/**
 * Build the venv in a private sibling folder and rename it into place, so a killed install
 * leaves no half venv and two first uses at once (two test workers) do not clash: the first
 * rename wins. Console scripts (bin/fusesoc) would carry the private folder's path in their
 * shebang, so FuseSoC is always started as `<venv>/bin/python -m fusesoc.main`, which moves.
 */
function install(venv: string, py: string): void {
  const tmp = `${venv}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  removeDeadInstalls(venv);
  try {
    const mk = run(py, ['-m', 'venv', tmp], 120);
    if (mk.error && (mk.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToolError(`${py} was not found; FuseSoC needs Python 3 with venv: install Debian packages 'python3' and 'python3-venv'`);
    }
    if (mk.status !== 0) {
      throw new ToolError(`cannot create a Python virtual environment for FuseSoC (${py} -m venv: ${lastLine(mk)}); install Debian package 'python3-venv'`);
    }
    const pip = run(python(tmp), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', ...PINS], 600);
    if (pip.status !== 0) {
      throw new ToolError(`cannot pip-install ${PINS.join(' ')} into ${venv} (it needs PyPI): ${lastLine(pip)}`);
    }
    fs.writeFileSync(path.join(tmp, STAMP), PINS.join('\n') + '\n');
    if (ready(venv)) return; // another process finished first
    const old = `${venv}.old-${process.pid}-${Date.now()}`;
    if (fs.existsSync(venv)) fs.renameSync(venv, old); // a venv of other pins, or an unfinished one
    try {
      fs.renameSync(tmp, venv);
    } catch (e) {
      if (!ready(venv)) throw new ToolError(`cannot move the FuseSoC venv into ${venv}: ${(e as Error).message}`);
    }
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Remove the private folders of installs whose process is gone (killed mid-install; about 60 MB each). */
function removeDeadInstalls(venv: string): void {
  const mine = new RegExp(`^${path.basename(venv)}\\.(?:tmp|old)-(\\d+)-\\d+$`);
  for (const n of fs.readdirSync(path.dirname(venv))) {
    const pid = Number(mine.exec(n)?.[1] ?? 0);
    if (!pid || pid === process.pid) continue;
    try { process.kill(pid, 0); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(path.dirname(venv), n), { recursive: true, force: true });
    }
  }
}

/**
 * The venv's python with the pinned FuseSoC, installing it first when missing. `py` makes the
 * venv (ANTFORGE_PYTHON or python3); both arguments are for tests of the failure messages.
 */
export function fusesocPython(venv = VENV, py = process.env.ANTFORGE_PYTHON ?? 'python3'): string {
  if (!ready(venv)) install(venv, py);
  return python(venv);
}

export interface FusesocResult { status: number; stdout: string; stderr: string; command: string }

/**
 * Run `fusesoc ARGS` in `cwd` (where it reads fusesoc.conf and writes build/). Its own failures
 * are returned, not thrown: callers decide whether a lint error is a failed check or bad input.
 */
export function fusesoc(args: string[], opts: { cwd: string; timeoutSeconds?: number }): FusesocResult {
  const py = fusesocPython();
  const r = spawnSync(py, ['-m', 'fusesoc.main', ...args], {
    cwd: opts.cwd, encoding: 'utf8', timeout: (opts.timeoutSeconds ?? 600) * 1000, maxBuffer: 64 << 20,
  });
  const command = `fusesoc ${args.join(' ')}`;
  if (r.error) throw new ToolError(`${command} did not run: ${r.error.message}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, command };
}
