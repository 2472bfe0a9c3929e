import { withParamModes } from '../spec/edit-spec.js';
import type { ParamSpec } from '../spec/param-spec.js';
import type { SpecDocument } from '../spec/spec-document.js';
import { addNlModule, KAIMING_NORMAL_FAN_OUT_RELU, type SeededInit } from './nl-module.js';
import { offsetSeed, SpecBuilder } from './spec-builder.js';

export interface ResNetStage {
  readonly blocks: number;
  readonly width: number;
  readonly stride: number;
}

export interface NlOptions {
  /** Seeded conv width of every NL module: 'dw' (one per input channel) or a channel count. */
  readonly cnl: 'dw' | number;
  /**
   * Which block convs become NL modules, by id `layer<stage>.<block>.conv<1|2>` (1-based stage, as
   * torchvision names them); 'all' converts every 3x3 conv inside the residual blocks.
   */
  readonly convs: 'all' | readonly string[];
  readonly pointwiseGroups: number;
  readonly shuffle: boolean;
  /** Seed of the first NL module; the i-th NL module (in execution order) gets base + i. */
  readonly seedBase: string;
  readonly init: SeededInit;
}

export interface ResNetOptions {
  readonly name: string;
  readonly description: string;
  /** [C, H, W] */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly stemWidth: number;
  readonly stages: readonly ResNetStage[];
  /** 'avgpool' pools with `head.kernel` (the CIFAR ResNet's avg_pool2d(out, 4)); 'global' averages all. */
  readonly head: { readonly kind: 'avgpool'; readonly kernel: number } | { readonly kind: 'global' };
  /** Absent for a plain (all-learnable) ResNet. */
  readonly nl?: NlOptions;
  /** Any tensor's mode by id `node.param`, e.g. `{ 'fc.weight': { mode: 'frozen' } }`. */
  readonly paramModes?: Readonly<Record<string, ParamSpec>>;
}

export const DEFAULT_SEED_BASE = '0x0000000000005eed';

export const DEFAULT_NL: NlOptions = {
  cnl: 'dw',
  convs: 'all',
  pointwiseGroups: 4,
  shuffle: true,
  seedBase: DEFAULT_SEED_BASE,
  init: KAIMING_NORMAL_FAN_OUT_RELU,
};

/**
 * A CIFAR-style ResNet of basic blocks (3x3 stem, no max-pool, 1x1 projection shortcuts), with any of
 * its block convs replaced by ReFrame NL modules. Node names follow PyTorch's module paths.
 */
export function buildResNet(o: ResNetOptions): SpecDocument {
  const b = new SpecBuilder();
  let x = b.add({ name: 'input', op: 'input', shape: [...o.inputShape] });
  x = b.add({ name: 'conv1', op: 'conv', inputs: [x], outChannels: o.stemWidth, kernel: 3, stride: 1, padding: 1, bias: false });
  x = b.add({ name: 'bn1', op: 'batchnorm', inputs: [x] });
  x = b.add({ name: 'relu1', op: 'relu', inputs: [x] });

  let channels = o.stemWidth;
  let nlIndex = 0;
  const convBlock = (id: string, input: string, inChannels: number, outChannels: number, stride: number): string => {
    const nl = o.nl;
    if (nl !== undefined && (nl.convs === 'all' || nl.convs.includes(id))) {
      return addNlModule(b, {
        prefix: id.replace(/conv(\d)$/, 'nl$1'),
        input,
        inChannels,
        outChannels,
        stride,
        cnl: nl.cnl,
        pointwiseGroups: nl.pointwiseGroups,
        shuffle: nl.shuffle,
        seed: offsetSeed(nl.seedBase, nlIndex++),
        init: nl.init,
      });
    }
    return b.add({ name: id, op: 'conv', inputs: [input], outChannels, kernel: 3, stride, padding: 1, bias: false });
  };

  o.stages.forEach((stage, s) => {
    for (let i = 0; i < stage.blocks; i++) {
      const p = `layer${s + 1}.${i}`;
      const stride = i === 0 ? stage.stride : 1;
      const blockInput = x;
      let y = convBlock(`${p}.conv1`, blockInput, channels, stage.width, stride);
      y = b.add({ name: `${p}.bn1`, op: 'batchnorm', inputs: [y] });
      y = b.add({ name: `${p}.relu1`, op: 'relu', inputs: [y] });
      y = convBlock(`${p}.conv2`, y, stage.width, stage.width, 1);
      y = b.add({ name: `${p}.bn2`, op: 'batchnorm', inputs: [y] });
      let shortcut = blockInput;
      if (stride !== 1 || channels !== stage.width) {
        shortcut = b.add({ name: `${p}.shortcut.conv`, op: 'conv', inputs: [blockInput], outChannels: stage.width, kernel: 1, stride, bias: false });
        shortcut = b.add({ name: `${p}.shortcut.bn`, op: 'batchnorm', inputs: [shortcut] });
      }
      y = b.add({ name: `${p}.add`, op: 'add', inputs: [y, shortcut] });
      x = b.add({ name: `${p}.relu2`, op: 'relu', inputs: [y] });
      channels = stage.width;
    }
  });

  x =
    o.head.kind === 'avgpool'
      ? b.add({ name: 'avgpool', op: 'avgpool', inputs: [x], kernel: o.head.kernel })
      : b.add({ name: 'avgpool', op: 'globalavgpool', inputs: [x] });
  x = b.add({ name: 'flatten', op: 'flatten', inputs: [x] });
  x = b.add({ name: 'fc', op: 'dense', inputs: [x], outFeatures: o.numClasses, bias: true });
  const doc = b.build(o.name, o.description, [x]);
  return o.paramModes === undefined ? doc : withParamModes(doc, o.paramModes);
}
