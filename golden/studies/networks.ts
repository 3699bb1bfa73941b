/**
 * Layer tables of the CNNs used in the ANT paper's evaluation (ResNet-18, ResNet-50, VGG16,
 * DenseNet-121, WRN-28-10), for whole-network sparse-training models.
 *
 * Every conv and fully-connected layer is listed, each distinct shape once with its `repeat`
 * count: identical layers (same C, K, H, W, R, S, stride, pad, or same FC in/out) are merged,
 * and the tables are built so that no two entries of a network have the same shape. Pooling,
 * batch norm, activations, residual additions and concatenations carry no MACs here and are
 * left out; an FC layer runs as a matmul with M = batch, K = inFeatures, N = outFeatures.
 *
 * `published` is a commonly published dense forward MAC count for the architecture as
 * tabulated (one MAC per multiply-add), with its source and, where the source's architecture
 * matches exactly, its parameter count; the tests check that `networkMacs` (and
 * `networkParams`) are within 2% of them. Where no figure could be traced it is null.
 *
 * Variants: ImageNet = torchvision (224x224, 1000 classes; ResNet-50 is torchvision's V1.5).
 * CIFAR = kuangliu/pytorch-cifar (32x32, 10 classes; 3x3/1 stem and no max pool for the ResNets
 * and DenseNet, VGG('VGG16') with one FC); WRN-28-10 is CIFAR only.
 */
import { WorkloadError } from '../../generator/errors.ts';

export type Dataset = 'imagenet' | 'cifar';

export interface ConvLayer {
  kind: 'conv'; name: string;
  C: number; K: number; H: number; W: number; R: number; S: number;
  stride: number; pad: number; repeat: number;
}
/** Runs as a matmul: M = batch, K = inFeatures, N = outFeatures. */
export interface FcLayer { kind: 'fc'; name: string; inFeatures: number; outFeatures: number; repeat: number }
export type Layer = ConvLayer | FcLayer;

export interface Network {
  name: string;
  dataset: Dataset;
  inputSize: number;
  layers: Layer[];
  /** Published dense forward MACs (multiply-adds) of one image, and where the figure comes from. */
  published: Published | null;
}
/**
 * A published figure: `macs` dense forward multiply-adds of one image; `params` (when the
 * source's architecture matches the table's exactly) its parameter count including biases and
 * batch-norm weights; `source` names paper / docs / model-zoo table.
 */
export interface Published { macs: number; params?: number; source: string }

export const NETWORK_NAMES: readonly string[] = Object.freeze(['resnet18', 'resnet50', 'vgg16', 'densenet121', 'wrn28-10']);
export const DATASETS: readonly Dataset[] = Object.freeze(['imagenet', 'cifar'] as Dataset[]);

/** Output height and width of a conv layer: floor((H + 2p - R) / u) + 1. */
export function convOut(l: ConvLayer): { P: number; Q: number } {
  return {
    P: Math.floor((l.H + 2 * l.pad - l.R) / l.stride) + 1,
    Q: Math.floor((l.W + 2 * l.pad - l.S) / l.stride) + 1,
  };
}

/** Forward MACs of one instance of the layer, times batch (repeat not applied). */
export function denseMacs(layer: Layer, batch = 1): number {
  if (layer.kind === 'fc') return batch * layer.inFeatures * layer.outFeatures;
  const { P, Q } = convOut(layer);
  return batch * layer.K * layer.C * layer.R * layer.S * P * Q;
}

/** Sum over layers of denseMacs * repeat. */
export function networkMacs(net: Network, batch = 1): number {
  return net.layers.reduce((sum, l) => sum + denseMacs(l, batch) * l.repeat, 0);
}

/**
 * Weight count: conv K*C*R*S and FC in*out weights times repeat. Biases and batch-norm
 * parameters are EXCLUDED (published counts such as torchvision's num_params include them;
 * they add 0.01% (VGG16) to 1.1% (DenseNet-121, with its many batch norms)).
 */
export function networkParams(net: Network): number {
  return net.layers.reduce((sum, l) =>
    sum + l.repeat * (l.kind === 'fc' ? l.inFeatures * l.outFeatures : l.K * l.C * l.R * l.S), 0);
}

// ---------------------------------------------------------------------------------------------
// Builders

function conv(name: string, C: number, K: number, H: number, R: number, stride: number, pad: number, repeat = 1): ConvLayer {
  return { kind: 'conv', name, C, K, H, W: H, R, S: R, stride, pad, repeat };
}
function fc(name: string, inFeatures: number, outFeatures: number, repeat = 1): FcLayer {
  return { kind: 'fc', name, inFeatures, outFeatures, repeat };
}
/** Identity of a layer's shape: everything but name and repeat. */
function shapeKey(l: Layer): string {
  return l.kind === 'fc' ? `fc:${l.inFeatures}:${l.outFeatures}` : `conv:${[l.C, l.K, l.H, l.W, l.R, l.S, l.stride, l.pad].join(':')}`;
}
/**
 * Merge layers of identical shape into the first of them (repeats summed, names joined by '+'):
 * catches coincidences the builders do not special-case, e.g. ResNet-50's layer1.0.downsample
 * (1x1 64 -> 256 at 56, stride 1) which has the shape of layer1's conv3, or VGG16's conv5_1
 * (512 -> 512, like conv5_2/5_3).
 */
function mergeIdentical(layers: Layer[]): Layer[] {
  const byKey = new Map<string, Layer>();
  const out: Layer[] = [];
  for (const l of layers) {
    const seen = byKey.get(shapeKey(l));
    if (seen) { seen.repeat += l.repeat; seen.name += `+${l.name}`; continue; }
    const copy = { ...l };
    byKey.set(shapeKey(l), copy);
    out.push(copy);
  }
  return out;
}
/** Block index range for names: "1-3", or "1" for a single block. */
function span(from: number, to: number): string {
  return from === to ? `${from}` : `${from}-${to}`;
}
/** Spatial size after a layer with this kernel, stride and pad (square maps). */
function after(H: number, R: number, stride: number, pad: number): number {
  return Math.floor((H + 2 * pad - R) / stride) + 1;
}

/**
 * Stem of the ImageNet ResNets and DenseNet: 7x7/2 conv (pad 3) 224 -> 112, then a 3x3/2 max
 * pool (pad 1, no MACs) 112 -> 56. CIFAR variants (kuangliu/pytorch-cifar): a 3x3/1 conv
 * (pad 1) and no pool, so the first stage runs at 32x32.
 */
function stem(dataset: Dataset, K: number, layers: Layer[]): { H: number; C: number } {
  if (dataset === 'imagenet') {
    layers.push(conv('conv1', 3, K, 224, 7, 2, 3));
    return { H: after(after(224, 7, 2, 3), 3, 2, 1), C: K };
  }
  layers.push(conv('conv1', 3, K, 32, 3, 1, 1));
  return { H: 32, C: K };
}

/**
 * ResNet-18 (basic blocks, [2, 2, 2, 2], widths 64/128/256/512). Layout is the same in
 * torchvision (ImageNet) and kuangliu (CIFAR): stage 1 keeps the size, stages 2-4 put stride 2
 * on the first block's first 3x3 conv and add a 1x1/2 projection shortcut. All other 3x3 convs
 * of a stage have one shape and are merged.
 */
function resnet18(dataset: Dataset, classes: number): Layer[] {
  const layers: Layer[] = [];
  let { H, C } = stem(dataset, 64, layers);
  const blocks = [2, 2, 2, 2], widths = [64, 128, 256, 512];
  for (let s = 0; s < 4; s++) {
    const K = widths[s], stride = s === 0 ? 1 : 2, n = blocks[s], L = `layer${s + 1}`;
    if (stride === 1 && C === K) {
      layers.push(conv(`${L}.*.conv1+conv2`, K, K, H, 3, 1, 1, 2 * n));
    } else {
      layers.push(conv(`${L}.0.conv1`, C, K, H, 3, stride, 1));
      layers.push(conv(`${L}.0.downsample`, C, K, H, 1, stride, 0));
      H = after(H, 3, stride, 1);
      layers.push(conv(`${L}.0.conv2+${L}.${span(1, n - 1)}.conv1+conv2`, K, K, H, 3, 1, 1, 2 * n - 1));
    }
    C = K;
  }
  layers.push(fc('fc', C, classes));
  return layers;
}

/**
 * ResNet-50 (bottleneck blocks, [3, 4, 6, 3], widths 64/128/256/512, expansion 4) in the
 * "V1.5" layout of torchvision and of kuangliu's CIFAR model: the stride-2 of a stage sits on
 * the first block's 3x3 conv (conv2), not on its first 1x1 conv as in He et al. 2016 (V1,
 * 3.8 GFLOPs there); the projection shortcut is a 1x1 conv with the stage's stride. Stage 1
 * has a projection too (64 -> 256 channels).
 */
function resnet50(dataset: Dataset, classes: number): Layer[] {
  const layers: Layer[] = [];
  let { H, C } = stem(dataset, 64, layers);
  const blocks = [3, 4, 6, 3], widths = [64, 128, 256, 512];
  for (let s = 0; s < 4; s++) {
    const w = widths[s], out = 4 * w, stride = s === 0 ? 1 : 2, n = blocks[s], L = `layer${s + 1}`;
    const Ho = after(H, 3, stride, 1);
    layers.push(conv(`${L}.0.conv1`, C, w, H, 1, 1, 0));
    if (stride === 1) {
      // Same-size stage: the first block's 3x3 has the shape of the others.
      layers.push(conv(`${L}.*.conv2`, w, w, H, 3, 1, 1, n));
    } else {
      layers.push(conv(`${L}.0.conv2`, w, w, H, 3, stride, 1));
      layers.push(conv(`${L}.${span(1, n - 1)}.conv2`, w, w, Ho, 3, 1, 1, n - 1));
    }
    layers.push(conv(`${L}.*.conv3`, w, out, Ho, 1, 1, 0, n));
    layers.push(conv(`${L}.0.downsample`, C, out, H, 1, stride, 0));
    layers.push(conv(`${L}.${span(1, n - 1)}.conv1`, out, w, Ho, 1, 1, 0, n - 1));
    H = Ho; C = out;
  }
  layers.push(fc('fc', C, classes));
  return layers;
}

/**
 * VGG16 (configuration D): 13 3x3/1 pad-1 convs in 5 groups (64x2, 128x2, 256x3, 512x3,
 * 512x3), a 2x2/2 max pool after each group. ImageNet (torchvision): 224 input, classifier
 * 25088 -> 4096 -> 4096 -> 1000. CIFAR (kuangliu VGG('VGG16')): 32 input, one FC 512 -> 10.
 */
function vgg16(dataset: Dataset, classes: number): Layer[] {
  const layers: Layer[] = [];
  const groups = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
  let H = dataset === 'imagenet' ? 224 : 32, C = 3;
  groups.forEach(([K, n], g) => {
    layers.push(conv(`conv${g + 1}_1`, C, K, H, 3, 1, 1));
    layers.push(conv(n === 2 ? `conv${g + 1}_2` : `conv${g + 1}_2-${n}`, K, K, H, 3, 1, 1, n - 1));
    C = K; H = after(H, 2, 2, 0);
  });
  if (dataset === 'imagenet') {
    // torchvision applies AdaptiveAvgPool2d(7) (identity at 224: the map is already 7x7).
    layers.push(fc('fc6', C * H * H, 4096));
    layers.push(fc('fc7', 4096, 4096));
    layers.push(fc('fc8', 4096, classes));
  } else {
    layers.push(fc('classifier', C * H * H, classes)); // 512 * 1 * 1
  }
  return layers;
}

/**
 * DenseNet-121 (growth 32, blocks [6, 12, 24, 16], bn_size 4, compression 0.5). Each dense
 * layer is a 1x1 conv C -> 4*32 = 128 (C grows by 32 per layer, so every 1x1 is its own shape)
 * and a 3x3 pad-1 conv 128 -> 32 (one shape per block, merged). Transition: 1x1 conv C -> C/2,
 * then a 2x2/2 average pool (no MACs). ImageNet (torchvision): 7x7/2 stem to 64 channels +
 * max pool, blocks at 56/28/14/7, FC 1024 -> 1000. CIFAR (kuangliu DenseNet121): 3x3 stem
 * 3 -> 2*growth = 64, no pool, blocks at 32/16/8/4, FC 1024 -> 10.
 */
function densenet121(dataset: Dataset, classes: number): Layer[] {
  const layers: Layer[] = [];
  const growth = 32, bottleneck = 4 * growth, blocks = [6, 12, 24, 16];
  let { H, C } = stem(dataset, 2 * growth, layers);
  blocks.forEach((n, b) => {
    const D = `denseblock${b + 1}`;
    for (let i = 0; i < n; i++) layers.push(conv(`${D}.layer${i + 1}.conv1`, C + i * growth, bottleneck, H, 1, 1, 0));
    layers.push(conv(`${D}.*.conv2`, bottleneck, growth, H, 3, 1, 1, n));
    C += n * growth;
    if (b < blocks.length - 1) {
      const out = Math.floor(C / 2);
      layers.push(conv(`transition${b + 1}.conv`, C, out, H, 1, 1, 0));
      C = out; H = after(H, 2, 2, 0);
    }
  });
  layers.push(fc('classifier', C, classes));
  return layers;
}

/**
 * WRN-28-10 (Zagoruyko & Komodakis 2016), CIFAR: conv 3 -> 16 at 32x32, then 3 groups of
 * (28 - 4) / 6 = 4 pre-activation basic blocks of widths 16k = 160, 32k = 320, 64k = 640
 * (k = 10) at 32, 16, 8 (stride 2 on the first 3x3 of groups 2 and 3), a 1x1 shortcut conv in
 * the first block of each group (the channel count changes in all three), FC 640 -> classes.
 */
function wrn28_10(classes: number): Layer[] {
  const layers: Layer[] = [conv('conv1', 3, 16, 32, 3, 1, 1)];
  const n = 4, widths = [160, 320, 640];
  let H = 32, C = 16;
  widths.forEach((K, g) => {
    const stride = g === 0 ? 1 : 2, G = `block${g + 1}`;
    layers.push(conv(`${G}.0.conv1`, C, K, H, 3, stride, 1));
    layers.push(conv(`${G}.0.shortcut`, C, K, H, 1, stride, 0));
    H = after(H, 3, stride, 1);
    layers.push(conv(`${G}.0.conv2+${G}.${span(1, n - 1)}.conv1+conv2`, K, K, H, 3, 1, 1, 2 * n - 1));
    C = K;
  });
  layers.push(fc('fc', C, classes));
  return layers;
}

// ---------------------------------------------------------------------------------------------
// Published figures. All of them count one multiply-add as one operation even where the table
// says "FLOPs"/"GFLOPS" (torchvision's fvcore-based _ops, mmcv's complexity counter, the
// "#MAdds" of pytorch-cifar-models): a FLOP = 2 ops reading would be twice as large. Counters
// that also count batch norm, ReLU, pooling and residual additions land up to ~1% above the
// conv + FC total tabulated here. Params include biases and batch-norm affine weights.

const TV = 'torchvision model docs (pytorch.org/vision/stable/models, weights meta num_params and GFLOPS = _ops, conv+linear multiply-adds)';
const MMPRE = 'open-mmlab/mmpretrain configs/resnet/README.md, CIFAR-10 table (ResNet_CIFAR: 3x3/1 stem, no max pool, stride on the 3x3 as in kuangliu; mmcv counter, multiply-adds, also counts BN/ReLU)';

const PUBLISHED: Record<string, Partial<Record<Dataset, Published>>> = {
  resnet18: {
    imagenet: { macs: 1.814e9, params: 11_689_512, source: `${TV}: ResNet18_Weights.IMAGENET1K_V1 1.81 G (_ops 1.814), 11,689,512 params; He et al. 2016 Table 1: 1.8x10^9 FLOPs (multiply-adds)` },
    cifar: { macs: 0.56e9, params: 11.17e6, source: `${MMPRE}: ResNet-18 0.56 GFLOPs, 11.17M params` },
  },
  resnet50: {
    imagenet: { macs: 4.089e9, params: 25_557_032, source: `${TV}: ResNet50_Weights.IMAGENET1K_V1 4.09 G (_ops 4.089), 25,557,032 params, for the V1.5 layout tabulated here (stride on the 3x3); He et al. 2016 report 3.8x10^9 for V1 (stride on the first 1x1 of a stage: about 3.86 G multiply-adds by this table's count)` },
    cifar: { macs: 1.31e9, params: 23.52e6, source: `${MMPRE}: ResNet-50 1.31 GFLOPs, 23.52M params` },
  },
  vgg16: {
    imagenet: { macs: 15.47e9, params: 138_357_544, source: `${TV}: VGG16_Weights.IMAGENET1K_V1 15.47 G, 138,357,544 params; timm vgg16.tv_in1k 15.5 GMACs` },
    // No params here: the source's classifier (512-512-512-10, 15.25M params) differs from
    // kuangliu's single 512 -> 10 FC (14.73M); the conv stack, which dominates the MACs, is identical.
    cifar: { macs: 313.73e6, source: 'chenyaofo/pytorch-cifar-models README, CIFAR-10 vgg16_bn: 313.73 M MAdds; same 13 convs at 32x32, its classifier 512-512-512-10 adds 0.52 M MACs over the single FC 512->10 of kuangliu VGG(\'VGG16\') tabulated here' },
  },
  densenet121: {
    imagenet: { macs: 2.834e9, params: 7_978_856, source: `${TV}: DenseNet121_Weights.IMAGENET1K_V1 2.83 G (_ops 2.834), 7,978,856 params; thop's table gives 2.90 G because it also counts batch norm and ReLU` },
    // cifar: no figure found for kuangliu DenseNet121 at 32x32 from a source we could check (the
    // "~0.90 G" sometimes quoted could not be traced). The table computes 0.888 G; its layers are
    // the ImageNet network's with maps of 32/16/8/4 instead of 56/28/14/7, so apart from stem and
    // FC every layer's MACs are exactly 16/49 of the ImageNet layer's (checked in the tests).
  },
  'wrn28-10': {
    cifar: { macs: 5.20e9, params: 36.5e6, source: 'Huang et al., Revisiting Residual Networks for Adversarial Robustness: An Architectural Perspective (arXiv:2212.11005, CVPR 2023), CIFAR-10 tables of its repository README: WRN-28-10 36.5M params, 5.20G FLOPs (multiply-adds); 36.5M params is also the count in Zagoruyko & Komodakis, Wide Residual Networks (BMVC 2016)' },
  },
};

const INPUT: Record<Dataset, number> = { imagenet: 224, cifar: 32 };
const CLASSES: Record<Dataset, number> = { imagenet: 1000, cifar: 10 };

/** The layer table of one network on one dataset. */
export function network(name: string, dataset: Dataset): Network {
  if (!NETWORK_NAMES.includes(name)) {
    throw new WorkloadError(`network: unknown network '${name}'; allowed: ${NETWORK_NAMES.join(', ')}`);
  }
  if (!(DATASETS as readonly string[]).includes(dataset)) {
    throw new WorkloadError(`network: unknown dataset '${String(dataset)}'; allowed: ${DATASETS.join(', ')}`);
  }
  const classes = CLASSES[dataset];
  let layers: Layer[];
  switch (name) {
    case 'resnet18': layers = resnet18(dataset, classes); break;
    case 'resnet50': layers = resnet50(dataset, classes); break;
    case 'vgg16': layers = vgg16(dataset, classes); break;
    case 'densenet121': layers = densenet121(dataset, classes); break;
    default:
      // WRN-28-10 is a CIFAR network. The WRN paper's ImageNet models are different
      // architectures (bottleneck WRN-50-2 etc.), so no ImageNet variant of WRN-28-10 is defined.
      if (dataset !== 'cifar') {
        throw new WorkloadError(`network: 'wrn28-10' is defined for CIFAR only (dataset 'cifar'); got dataset '${dataset}'`);
      }
      layers = wrn28_10(classes);
  }
  return { name, dataset, inputSize: INPUT[dataset], layers: mergeIdentical(layers), published: PUBLISHED[name][dataset] ?? null };
}
