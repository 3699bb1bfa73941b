/** Typed errors per area; the CLI maps each to an exit status and one clear message. */
export class AntforgeError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2, readonly area: string) { super(message); this.name = new.target.name; }
}
/** Bad hardware config: names the key and the allowed values. */
export class ConfigError extends AntforgeError { constructor(m: string) { super(m, 2, 'config'); } }
/** Bad workload description. */
export class WorkloadError extends AntforgeError { constructor(m: string) { super(m, 2, 'workload'); } }
/** Bad or missing tensor file (.npy). */
export class TensorFileError extends AntforgeError { constructor(m: string) { super(m, 2, 'tensor'); } }
/** A required external tool (verilator, iverilog, yosys) is missing or failed. */
export class ToolError extends AntforgeError { constructor(m: string) { super(m, 2, 'tool'); } }
/** A simulation that did not finish or produced unreadable output. */
export class SimulationError extends AntforgeError { constructor(m: string) { super(m, 2, 'simulation'); } }
/** Bad file or folder given for output. */
export class OutputError extends AntforgeError { constructor(m: string) { super(m, 2, 'output'); } }
/**
 * A bad command-line option, in any command: names the option and what is allowed. Its area
 * is 'option' unless the option describes another input (prune's options describe the
 * workload it prunes, and its JSON has always said so).
 */
export class OptionError extends AntforgeError { constructor(m: string, area = 'option') { super(m, 2, area); } }

// ---------------------------------------------------------------------------------------------
// Errors across worker threads: structured clone keeps neither the class nor extra fields, so
// an error travels as plain data and is rebuilt as the same class on the other side.

const CLASSES: Record<string, new (m: string) => Error> = {
  AntforgeError: AntforgeError as unknown as new (m: string) => Error,
  ConfigError, WorkloadError, TensorFileError, ToolError, SimulationError, OutputError, OptionError,
  Error, TypeError, RangeError, SyntaxError, ReferenceError,
};

/** An error as plain data: its class name, message, stack and own fields (area, exitCode, ...). */
export interface SerializedError { name: string; message: string; stack?: string; fields: Record<string, unknown> }

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (k !== 'name' && k !== 'message' && k !== 'stack') fields[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/** The same class again (an unknown class comes back as a plain Error of that name: still internal). */
export function reviveError(s: SerializedError): Error {
  const Cls = CLASSES[s.name] ?? Error;
  const e = new Cls(s.message);
  Object.assign(e, s.fields);
  e.name = s.name;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}
