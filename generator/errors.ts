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
