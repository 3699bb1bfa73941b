/**
 * Ports as data: each block lists its ports once (a "signature", as in Amaranth) next to its
 * generator, and everything that needs them is derived from that list - the module's port
 * declaration, the instance connection in its parent, the simulators' harnesses and the FPGA
 * shell. Nothing reads ports back out of generated Verilog.
 */

export type Dir = 'input' | 'output';

export interface Port {
  name: string;
  dir: Dir;
  /** Bits, or a Verilog expression over the module's parameters (parameterized blocks). */
  width: number | string;
  /** A plain one-bit port, declared without a range (a vector of width 1 keeps its [0:0]). */
  scalar?: boolean;
  signed?: boolean;
  /** Declared `reg` (driven from an always block) instead of `wire`. */
  reg?: boolean;
}

/** A port list: ports, with comment lines between groups (kept in the declaration). */
export type Signature = (Port | { comment: string })[];

const isPort = (x: Port | { comment: string }): x is Port => 'name' in x;

export const portsOf = (sig: Signature): Port[] => sig.filter(isPort);

/** A port; without a width, a scalar one-bit port. */
export const input = (name: string, width?: number | string, opts: Partial<Port> = {}): Port =>
  ({ name, dir: 'input', width: width ?? 1, ...(width === undefined ? { scalar: true } : {}), ...opts });
export const output = (name: string, width?: number | string, opts: Partial<Port> = {}): Port =>
  ({ name, dir: 'output', width: width ?? 1, ...(width === undefined ? { scalar: true } : {}), ...opts });
export const comment = (text: string) => ({ comment: text });

/** `[w-1:0]` for a width in bits or a parameter expression; '' for a scalar. */
export function rangeOf(p: Port): string {
  if (p.scalar) return '';
  return typeof p.width === 'number' ? `[${p.width - 1}:0]` : `[${p.width}-1:0]`;
}

/** The width of a port in bits; throws for a parameterized width (top-level ports are numbers). */
export function bits(p: Port): number {
  if (typeof p.width !== 'number') throw new Error(`port ${p.name} has a parameterized width (${p.width})`);
  return p.width;
}

/** The port named `name` of a signature. */
export function port(sig: Signature, name: string): Port {
  const p = portsOf(sig).find((x) => x.name === name);
  if (!p) throw new Error(`no port ${name}`);
  return p;
}

/** The ANSI port declaration list, in aligned columns: direction, kind, range, name. */
export function declarePorts(sig: Signature, indent = '  '): string {
  const ports = portsOf(sig);
  const kind = (p: Port) => `${p.reg ? 'reg ' : 'wire'}${p.signed ? ' signed' : ''}`;
  const kindW = Math.max(...ports.map((p) => kind(p).length));
  const rangeW = Math.max(...ports.map((p) => rangeOf(p).length));
  const last = ports[ports.length - 1];
  return sig.map((x) => {
    if (!isPort(x)) return `${indent}// ${x.comment}`;
    const cols = [x.dir.padEnd(6), kind(x).padEnd(kindW)];
    if (rangeW > 0) cols.push(rangeOf(x).padEnd(rangeW));
    return `${indent}${cols.join(' ')} ${x.name}${x === last ? '' : ','}`;
  }).join('\n');
}

/**
 * An instance of a block, one connection a line, names aligned. Every port must be connected
 * exactly once (an empty string leaves an output open), so a port added to a block's list and
 * forgotten in its parent fails at generation time, not in a simulator.
 */
export function instance(module: string, name: string, sig: Signature, conns: Record<string, string>,
  params: Record<string, number> = {}, indent = '  '): string {
  const ports = portsOf(sig);
  const missing = ports.filter((p) => !Object.hasOwn(conns, p.name)).map((p) => p.name);
  const unknown = Object.keys(conns).filter((n) => !ports.some((p) => p.name === n));
  if (missing.length || unknown.length) {
    throw new Error(`instance ${name} of ${module}: ${missing.length ? `unconnected ports ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `no ports ${unknown.join(', ')}` : ''}`);
  }
  const nameW = Math.max(...ports.map((p) => p.name.length));
  const ps = Object.entries(params);
  const head = ps.length ? `${module} #(${ps.map(([k, v]) => `.${k}(${v})`).join(', ')}) ${name} (` : `${module} ${name} (`;
  const lines = ports.map((p, i) => `${indent}  .${p.name.padEnd(nameW)} (${conns[p.name]})${i === ports.length - 1 ? '' : ','}`);
  return `${indent}${head}\n${lines.join('\n')}\n${indent});`;
}

/** Connections of every port to the signal of the same name (optionally filtered). */
export function byName(sig: Signature, keep: (p: Port) => boolean = () => true): Record<string, string> {
  return Object.fromEntries(portsOf(sig).filter(keep).map((p) => [p.name, p.name]));
}
