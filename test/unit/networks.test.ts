/**
 * Layer tables of the evaluation CNNs: totals against the published figures stored with each
 * table, well-formed layers, full merging of identical shapes, channel / size chaining, and the
 * errors for unknown names. Pure arithmetic: fast.
 */
import { describe, it, expect } from 'vitest';
import {
  NETWORK_NAMES, DATASETS, network, denseMacs, networkMacs, networkParams, convOut,
  type ConvLayer, type Dataset, type Layer, type Network,
} from '../../golden/studies/networks.ts';
import { WorkloadError } from '../../generator/errors.ts';

const CLASSES: Record<Dataset, number> = { imagenet: 1000, cifar: 10 };

/** Every defined (network, dataset) pair: all but WRN-28-10 on ImageNet. */
const PAIRS: Array<[string, Dataset]> = NETWORK_NAMES.flatMap((n) =>
  DATASETS.filter((d) => !(n === 'wrn28-10' && d === 'imagenet')).map((d) => [n, d] as [string, Dataset]));

const convs = (net: Network) => net.layers.filter((l): l is ConvLayer => l.kind === 'conv');
const instances = (layers: Layer[]) => layers.reduce((s, l) => s + l.repeat, 0);
const relErr = (got: number, want: number) => Math.abs(got - want) / want;
function shapeKey(l: Layer): string {
  return l.kind === 'fc' ? `fc:${l.inFeatures}x${l.outFeatures}` : `conv:${[l.C, l.K, l.H, l.W, l.R, l.S, l.stride, l.pad].join(',')}`;
}

describe('published totals', () => {
  for (const [name, dataset] of PAIRS) {
    const net = network(name, dataset);
    const pub = net.published;
    if (!pub) continue;
    it(`${name}/${dataset}: networkMacs ${(networkMacs(net) / 1e9).toFixed(4)} G within 2% of published ${(pub.macs / 1e9).toFixed(3)} G`, () => {
      expect(pub.source.length).toBeGreaterThan(10);
      expect(relErr(networkMacs(net), pub.macs)).toBeLessThanOrEqual(0.02);
    });
    if (pub.params !== undefined) {
      const want = pub.params;
      it(`${name}/${dataset}: networkParams ${(networkParams(net) / 1e6).toFixed(3)} M within 2% of published ${(want / 1e6).toFixed(2)} M`, () => {
        // Published counts include biases and batch norm, networkParams does not: it may only be lower.
        expect(networkParams(net)).toBeLessThanOrEqual(want);
        expect(relErr(networkParams(net), want)).toBeLessThanOrEqual(0.02);
      });
    }
  }

  it('every ImageNet network and WRN-28-10 has a published figure', () => {
    for (const [name, dataset] of PAIRS) {
      if (dataset === 'imagenet' || name === 'wrn28-10') expect(network(name, dataset).published, `${name}/${dataset}`).not.toBeNull();
    }
  });
});

describe('layer tables are well formed', () => {
  for (const [name, dataset] of PAIRS) {
    const net = network(name, dataset);
    it(`${name}/${dataset}`, () => {
      expect(net.name).toBe(name);
      expect(net.dataset).toBe(dataset);
      expect(net.inputSize).toBe(dataset === 'imagenet' ? 224 : 32);
      for (const l of net.layers) {
        expect(Number.isInteger(l.repeat) && l.repeat >= 1, `${l.name} repeat ${l.repeat}`).toBe(true);
        if (l.kind === 'conv') {
          for (const v of [l.C, l.K, l.H, l.W, l.R, l.S, l.stride]) expect(Number.isInteger(v) && v >= 1, `${l.name}`).toBe(true);
          expect(Number.isInteger(l.pad) && l.pad >= 0).toBe(true);
          const { P, Q } = convOut(l);
          expect(P, `${l.name} P`).toBeGreaterThanOrEqual(1);
          expect(Q, `${l.name} Q`).toBeGreaterThanOrEqual(1);
        } else {
          expect(Number.isInteger(l.inFeatures) && l.inFeatures >= 1).toBe(true);
          expect(Number.isInteger(l.outFeatures) && l.outFeatures >= 1).toBe(true);
        }
      }
      // Merging is complete: each distinct shape appears once.
      const keys = net.layers.map(shapeKey);
      expect(new Set(keys).size).toBe(keys.length);
      // Names are unique too.
      expect(new Set(net.layers.map((l) => l.name)).size).toBe(net.layers.length);
      // First layer: conv on the RGB input; last: the classifier FC.
      const first = net.layers[0], last = net.layers[net.layers.length - 1];
      expect(first.kind === 'conv' && first.C === 3 && first.H === net.inputSize && first.W === net.inputSize).toBe(true);
      expect(last.kind === 'fc' && last.outFeatures === CLASSES[dataset]).toBe(true);
    });
  }
});

describe('MAC arithmetic', () => {
  it('conv MACs are K*C*R*S*P*Q, times batch; FC MACs are batch*in*out', () => {
    const c1 = network('resnet18', 'imagenet').layers[0] as ConvLayer;
    expect(convOut(c1)).toEqual({ P: 112, Q: 112 });
    expect(denseMacs(c1)).toBe(64 * 3 * 7 * 7 * 112 * 112);
    expect(denseMacs(c1, 8)).toBe(8 * 64 * 3 * 7 * 7 * 112 * 112);
    const odd: ConvLayer = { kind: 'conv', name: 'odd', C: 2, K: 3, H: 7, W: 9, R: 3, S: 2, stride: 2, pad: 1, repeat: 1 };
    expect(convOut(odd)).toEqual({ P: 4, Q: 5 });
    expect(denseMacs(odd, 3)).toBe(3 * 3 * 2 * 3 * 2 * 4 * 5);
    expect(denseMacs({ kind: 'fc', name: 'f', inFeatures: 512, outFeatures: 10, repeat: 4 }, 16)).toBe(16 * 512 * 10);
  });

  it('networkMacs sums denseMacs * repeat and scales with batch', () => {
    for (const [name, dataset] of PAIRS) {
      const net = network(name, dataset);
      const sum = net.layers.reduce((s, l) => s + denseMacs(l) * l.repeat, 0);
      expect(networkMacs(net)).toBe(sum);
      expect(networkMacs(net, 32)).toBe(32 * sum);
    }
  });
});

describe('architecture sanity', () => {
  it('depth in the name counts the weighted layers on the main path', () => {
    // Layer instances = the depth of the name + the 1x1 projection shortcuts, which the names do
    // not count. Each shortcut conv is a single instance, so it shows as one '+'-separated name
    // part (it may share a merged entry with a main-path layer of the same shape, as ResNet-50's
    // layer1.0.downsample does with layer1's conv3). DenseNet-121's 121 counts the stem, the
    // 2 x 58 dense-layer convs, 3 transitions and the FC. WRN-28-10 is named by the convention
    // depth = 6n + 4 (n = 4 blocks a group); its main path is the stem, 3 x 4 x 2 block convs and
    // the FC (26 layers), plus 3 shortcut convs.
    const shortcuts = (net: Network) => net.layers.flatMap((l) => l.name.split('+')).filter((p) => /downsample|shortcut/.test(p)).length;
    const expected: Array<[string, number, number]> = [['resnet18', 18, 3], ['resnet50', 50, 4], ['densenet121', 121, 0], ['vgg16', 16, 0], ['wrn28-10', 26, 3]];
    for (const [name, dataset] of PAIRS) {
      const net = network(name, dataset);
      const [, depth, sc] = expected.find(([n]) => n === name)!;
      expect(shortcuts(net), `${name}/${dataset}`).toBe(sc);
      // VGG16-CIFAR has a single FC instead of three.
      const d = name === 'vgg16' && dataset === 'cifar' ? depth - 2 : depth;
      expect(instances(net.layers), `${name}/${dataset}`).toBe(d + sc);
    }
  });

  it('classifier inputs: ResNet-50 2048, ResNet-18 512, DenseNet-121 1024, VGG16 25088 / 512, WRN 640', () => {
    const fcIn = (n: string, d: Dataset) => network(n, d).layers.flatMap((l) => (l.kind === 'fc' ? [l.inFeatures] : []));
    for (const d of DATASETS) {
      expect(fcIn('resnet50', d)).toEqual([2048]);
      expect(fcIn('resnet18', d)).toEqual([512]);
      expect(fcIn('densenet121', d)).toEqual([1024]);
    }
    expect(fcIn('vgg16', 'imagenet')).toEqual([512 * 7 * 7, 4096, 4096]);
    expect(fcIn('vgg16', 'cifar')).toEqual([512]);
    expect(fcIn('wrn28-10', 'cifar')).toEqual([640]);
  });

  it('ResNet-50 is V1.5: stride 2 on the first 3x3 of stages 2-4, projections carry the stride', () => {
    const layers = convs(network('resnet50', 'imagenet'));
    for (const s of [2, 3, 4]) {
      const c1 = layers.find((l) => l.name === `layer${s}.0.conv1`)!;
      const c2 = layers.find((l) => l.name === `layer${s}.0.conv2`)!;
      const ds = layers.find((l) => l.name === `layer${s}.0.downsample`)!;
      expect([c1.R, c1.stride]).toEqual([1, 1]);
      expect([c2.R, c2.stride]).toEqual([3, 2]);
      expect([ds.R, ds.stride, ds.C, ds.K]).toEqual([1, 2, c1.C, 4 * c1.K]);
      expect(convOut(ds)).toEqual(convOut(c2));
    }
  });

  it('sequential chaining: VGG16 channels and sizes follow the configuration', () => {
    for (const d of DATASETS) {
      const layers = convs(network('vgg16', d));
      let C = 3, H = d === 'imagenet' ? 224 : 32;
      for (const l of layers) {
        if (l.C === C && l.H !== H) H = l.H; // after a 2x2 max pool
        expect(l.C === C || l.C === l.K, l.name).toBe(true);
        expect(l.H, l.name).toBe(H);
        expect(convOut(l)).toEqual({ P: H, Q: H });
        C = l.K;
      }
      expect(C).toBe(512);
    }
  });

  it('DenseNet-121: 1x1 inputs grow by 32 per layer, blocks end at 256/512/1024/1024, transitions halve', () => {
    for (const d of DATASETS) {
      const layers = convs(network('densenet121', d));
      const blocks = [6, 12, 24, 16], ends = [256, 512, 1024, 1024];
      blocks.forEach((n, b) => {
        const ones = layers.filter((l) => l.name.startsWith(`denseblock${b + 1}.layer`));
        expect(ones.length).toBe(n);
        ones.forEach((l, i) => { expect(l.C).toBe(ones[0].C + 32 * i); expect([l.K, l.R, l.repeat]).toEqual([128, 1, 1]); });
        const threes = layers.filter((l) => l.name === `denseblock${b + 1}.*.conv2`);
        expect(threes.map((l) => [l.C, l.K, l.R, l.pad, l.repeat])).toEqual([[128, 32, 3, 1, n]]);
        expect(ones[n - 1].C + 32).toBe(ends[b]);
        if (b < 3) {
          const t = layers.find((l) => l.name === `transition${b + 1}.conv`)!;
          expect([t.C, t.K, t.R]).toEqual([ends[b], ends[b] / 2, 1]);
          const next = layers.find((l) => l.name === `denseblock${b + 2}.layer1.conv1`)!;
          expect(next.C).toBe(ends[b] / 2);
          expect(next.H).toBe(t.H / 2);
        }
      });
    }
  });

  it('stems: ImageNet 7x7/2 then a max pool to 56; CIFAR 3x3/1 at 32', () => {
    for (const [n, K] of [['resnet18', 64], ['resnet50', 64], ['densenet121', 64]] as const) {
      const im = convs(network(n, 'imagenet')), cf = convs(network(n, 'cifar'));
      expect([im[0].C, im[0].K, im[0].R, im[0].stride, im[0].pad]).toEqual([3, K, 7, 2, 3]);
      expect(im[1].H).toBe(56);
      expect([cf[0].C, cf[0].K, cf[0].R, cf[0].stride, cf[0].pad, cf[0].H]).toEqual([3, K, 3, 1, 1, 32]);
      expect(cf[1].H).toBe(32);
    }
  });

  it('CIFAR bodies are the ImageNet bodies on smaller maps: layer MACs scale exactly by the area ratio', () => {
    // ResNets / DenseNet: stages at 32/16/8/4 instead of 56/28/14/7 (ratio 4/7); VGG16 convs at
    // 32..2 instead of 224..14 (ratio 1/7). Stem and classifier differ and are skipped.
    for (const [n, ratio] of [['resnet18', 16 / 49], ['resnet50', 16 / 49], ['densenet121', 16 / 49], ['vgg16', 1 / 49]] as const) {
      const im = convs(network(n, 'imagenet')), cf = convs(network(n, 'cifar'));
      expect(cf.map((l) => l.name)).toEqual(im.map((l) => l.name));
      for (let i = n === 'vgg16' ? 0 : 1; i < im.length; i++) {
        expect([cf[i].C, cf[i].K, cf[i].R, cf[i].stride, cf[i].repeat]).toEqual([im[i].C, im[i].K, im[i].R, im[i].stride, im[i].repeat]);
        expect(denseMacs(cf[i]) / denseMacs(im[i]), cf[i].name).toBeCloseTo(ratio, 12);
      }
    }
  });
});

describe('errors', () => {
  it('an unknown network name throws WorkloadError listing NETWORK_NAMES', () => {
    expect(() => network('alexnet', 'imagenet')).toThrow(WorkloadError);
    try {
      network('alexnet', 'imagenet');
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain('alexnet');
      for (const n of NETWORK_NAMES) expect(m).toContain(n);
    }
  });

  it('an unknown dataset throws WorkloadError listing the datasets', () => {
    expect(() => network('resnet18', 'mnist' as Dataset)).toThrow(WorkloadError);
    expect(() => network('resnet18', 'mnist' as Dataset)).toThrow(/imagenet.*cifar/);
  });

  it('WRN-28-10 on ImageNet throws WorkloadError: defined for CIFAR only', () => {
    expect(() => network('wrn28-10', 'imagenet')).toThrow(WorkloadError);
    expect(() => network('wrn28-10', 'imagenet')).toThrow(/CIFAR only/);
  });
});
