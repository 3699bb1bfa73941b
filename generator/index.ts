/** Generate every block of a config, and write them as one module a file. */
import fs from 'node:fs';
import path from 'node:path';
import type { HwConfig } from './config.ts';
import { OutputError } from './errors.ts';
import type { VModule } from './verilog.ts';
import { genPe } from './pe.ts';
import { genSeq } from './seq.ts';
import { genOpbuf } from './opbuf.ts';
import { genMularray } from './mularray.ts';
import { genCoord } from './coord.ts';
import { genXbar } from './xbar.ts';
import { genAccbank } from './accbank.ts';
import { genRange } from './range.ts';
import { genBoxram } from './boxram.ts';
import { genArray } from './array.ts';

export const TOP = 'af_array';

/** Every module of the design, top first; deterministic for a config. */
export function generate(cfg: HwConfig): VModule[] {
  const blocks = [genArray(cfg), genPe(cfg), genSeq(cfg), genOpbuf(cfg), genMularray(cfg), genCoord(cfg), genXbar(cfg), genAccbank(cfg)];
  return cfg.ant === 'off' ? blocks : [...blocks, genRange(cfg), genBoxram(cfg)];
}

/**
 * Write the modules into `dir` without leaving a half-written design: files go to a
 * temporary sibling folder that replaces `dir` by rename. `extra` files (the FuseSoC .core)
 * go into the same folder, so they appear and vanish with the Verilog they describe; the
 * returned paths are the modules' only (callers hand them to Verilog tools).
 */
export function writeRtl(modules: VModule[], dir: string, extra: { file: string; text: string }[] = []): string[] {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create output folder '${parent}': ${(e as Error).message}`);
  }
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) throw new OutputError(`output '${dir}' exists and is not a folder`);
  const tmp = `${abs}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(tmp);
    for (const m of [...modules, ...extra]) fs.writeFileSync(path.join(tmp, m.file), m.text);
    const old = `${abs}.old-${process.pid}-${Date.now()}`;
    if (fs.existsSync(abs)) fs.renameSync(abs, old);
    fs.renameSync(tmp, abs);
    if (fs.existsSync(old)) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new OutputError(`cannot write RTL into '${dir}': ${(e as Error).message}`);
  }
  return modules.map((m) => path.join(dir, m.file));
}
