/** Small layers of every mode and configs that exercise tiling, PE groups and buffer chunks. */
import { type HwConfig, resolveConfig } from '../../generator/config.ts';
import { makeOperands, validateWorkload, type Workload } from '../../golden/workload/workload.ts';
import type { Tensor } from '../../golden/workload/tensor.ts';
import { mapWorkload, type Mapping } from '../../golden/mapping/mapper.ts';

export const LAYERS: Record<string, object> = {
  fwd: { kind: 'conv', phase: 'fwd', N: 1, C: 3, K: 4, H: 12, W: 11, R: 3, S: 3, stride: 1, pad: 1, density: { activations: 0.4, weights: 0.5 }, seed: 1 },
  'fwd stride 2': { kind: 'conv', phase: 'fwd', N: 2, C: 2, K: 5, H: 17, W: 15, R: 5, S: 3, stride: 2, pad: 2, density: { activations: 0.3, weights: 0.6 }, seed: 3 },
  bwd: { kind: 'conv', phase: 'bwd', N: 1, C: 4, K: 3, H: 12, W: 12, R: 3, S: 3, stride: 1, pad: 1, density: { weights: 0.5, gradients: 0.4 }, seed: 2 },
  'bwd stride 2': { kind: 'conv', phase: 'bwd', N: 1, C: 3, K: 4, H: 15, W: 13, R: 3, S: 5, stride: 2, pad: 1, density: { weights: 0.5, gradients: 0.4 }, seed: 4 },
  wgrad: { kind: 'conv', phase: 'wgrad', N: 2, C: 3, K: 5, H: 13, W: 11, R: 3, S: 3, stride: 2, pad: 1, density: { activations: 0.3, gradients: 0.3 }, seed: 5 },
  // Padding wider than the plane: tiles of output columns whose inputs lie past the plane.
  'fwd, pad past a 2x1 plane': { kind: 'conv', phase: 'fwd', N: 1, C: 2, K: 2, H: 2, W: 1, R: 1, S: 1, stride: 1, pad: 2, density: { activations: 1, weights: 0.8 }, seed: 6 },
  'matmul packed': { kind: 'matmul', M: 40, K: 37, N: 24, density: { a: 0.2, b: 0.2 }, seed: 1, mapping: 'packed' },
  'matmul perk': { kind: 'matmul', M: 33, K: 20, N: 17, density: { a: 0.3, b: 0.3 }, seed: 2, mapping: 'perk' },
};

export const CONFIGS: Record<string, object> = {
  default: {},
  'pes=4': { pes: 4 },
  'pes=3, 32 accumulators': { pes: 3, banks: 4, bankDepth: 8 },
  'pes=2, 2-vector buffers': { pes: 2, aDepth: 2, bDepth: 2 },
  'pes=16, small PEs': { pes: 16, F: 2, I: 3, banks: 8, bankDepth: 16 },
  'pes=48, small PEs': { pes: 48, F: 2, I: 3, banks: 8, bankDepth: 16 },
};

export interface Case { name: string; cfg: HwConfig; w: Workload; tensors: Record<string, Tensor>; m: Mapping }

export function cases(): Case[] {
  const out: Case[] = [];
  for (const [ln, layer] of Object.entries(LAYERS)) for (const [cn, c] of Object.entries(CONFIGS)) {
    const cfg = resolveConfig(c), w = validateWorkload(layer);
    const { tensors } = makeOperands(w, cfg);
    out.push({ name: `${ln}, ${cn}`, cfg, w, tensors, m: mapWorkload(w, tensors, cfg) });
  }
  return out;
}
