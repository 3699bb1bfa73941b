/**
 * Named GEMM workloads C (M x N) = A (M x K) * B (K x N), where B is the weight (pruned with a
 * structured pattern) and A the activation operand (with its own density):
 *   - the fully-connected layers of the five CNNs (batch rows of activations);
 *   - BERT-base encoder GEMMs at sequence length 128 and 384 (hidden 768, 12 heads of 64,
 *     FFN 3072; Devlin et al. 2019): fused QKV projection, attention output, FFN up and down,
 *     and the two attention matmuls per head (Q K^T and P V, whose "weight" is an activation);
 *   - one LSTM layer with hidden size 1024 (input 1024): the four gate GEMMs
 *     [x_t, h_{t-1}] (2048) x W_gate (2048 x 1024), one GEMM per gate, over a sequence of steps
 *     batched as rows.
 * Each entry's `count` is how many times it runs per forward pass (e.g. 12 heads).
 */
import { WorkloadError } from '../../generator/errors.ts';
import { NETWORK_NAMES, network } from './networks.ts';

export interface Gemm { name: string; M: number; K: number; N: number; count: number; /** B is a learned weight (prunable); false for attention's activation x activation products. */ weight: boolean }
export interface GemmWorkload { name: string; description: string; gemms: Gemm[] }

function bert(seq: number): GemmWorkload {
  const h = 768, heads = 12, dh = 64, ff = 3072;
  return {
    name: `bert-base-${seq}`,
    description: `BERT-base encoder layer, sequence ${seq} (hidden ${h}, ${heads} heads, FFN ${ff})`,
    gemms: [
      { name: 'qkv', M: seq, K: h, N: 3 * h, count: 1, weight: true },
      { name: 'attention-scores (Q K^T)', M: seq, K: dh, N: seq, count: heads, weight: false },
      { name: 'attention-values (P V)', M: seq, K: seq, N: dh, count: heads, weight: false },
      { name: 'attention-output', M: seq, K: h, N: h, count: 1, weight: true },
      { name: 'ffn-up', M: seq, K: h, N: ff, count: 1, weight: true },
      { name: 'ffn-down', M: seq, K: ff, N: h, count: 1, weight: true },
    ],
  };
}

function lstm(steps: number): GemmWorkload {
  return {
    name: 'lstm-1024',
    description: `one LSTM layer, input and hidden 1024, ${steps} time steps batched as rows (4 gate GEMMs)`,
    gemms: ['input', 'forget', 'cell', 'output'].map((g) => ({ name: `${g}-gate`, M: steps, K: 2048, N: 1024, count: 1, weight: true })),
  };
}

function cnnFc(net: string, batch: number): GemmWorkload {
  const dataset = net === 'wrn28-10' ? 'cifar' : 'imagenet';
  const n = network(net, dataset);
  return {
    name: `${net}-fc`,
    description: `fully-connected layers of ${net} (${dataset}), batch ${batch}`,
    gemms: n.layers.filter((l) => l.kind === 'fc').map((l) => ({ name: l.name, M: batch, K: l.kind === 'fc' ? l.inFeatures : 0, N: l.kind === 'fc' ? l.outFeatures : 0, count: l.repeat, weight: true })),
  };
}

export const GEMM_NAMES: readonly string[] = Object.freeze(['bert-base-128', 'bert-base-384', 'lstm-1024', ...NETWORK_NAMES.map((n) => `${n}-fc`)]);

/** A named GEMM workload; batch is the row count of CNN FC layers and LSTM time steps. */
export function gemmWorkload(name: string, batch = 16): GemmWorkload {
  if (name === 'bert-base-128') return bert(128);
  if (name === 'bert-base-384') return bert(384);
  if (name === 'lstm-1024') return lstm(batch);
  const net = name.replace(/-fc$/, '');
  if (name.endsWith('-fc') && NETWORK_NAMES.includes(net)) return cnnFc(net, batch);
  throw new WorkloadError(`GEMM workload '${name}' is unknown; allowed: ${GEMM_NAMES.join(', ')}`);
}
