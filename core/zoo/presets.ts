import type { SpecDocument } from '../spec/spec-document.js';
import { buildResNet, DEFAULT_NL, type ResNetOptions, type ResNetStage } from './resnet-builder.js';

export interface Preset {
  readonly id: string;
  readonly summary: string;
  /** The preset whose reductions this one is usually compared against. */
  readonly baseline?: string;
  build(): SpecDocument;
}

const CIFAR_STAGES: readonly ResNetStage[] = [
  { blocks: 2, width: 64, stride: 1 },
  { blocks: 2, width: 128, stride: 2 },
  { blocks: 2, width: 256, stride: 2 },
  { blocks: 2, width: 512, stride: 2 },
];

const cifar = (name: string, description: string, nl?: ResNetOptions['nl']): ResNetOptions => ({
  name,
  description,
  inputShape: [3, 32, 32],
  numClasses: 10,
  stemWidth: 64,
  stages: CIFAR_STAGES,
  head: { kind: 'avgpool', kernel: 4 },
  ...(nl === undefined ? {} : { nl }),
});

const fashionStages = (blocks: number): ResNetStage[] => [
  { blocks, width: 16, stride: 1 },
  { blocks, width: 32, stride: 2 },
  { blocks, width: 64, stride: 2 },
];

const fashion = (name: string, description: string, blocks: number, nl?: ResNetOptions['nl']): ResNetOptions => ({
  name,
  description,
  inputShape: [1, 28, 28],
  numClasses: 10,
  stemWidth: 16,
  stages: fashionStages(blocks),
  head: { kind: 'global' },
  ...(nl === undefined ? {} : { nl }),
});

const preset = (id: string, summary: string, options: ResNetOptions, baseline?: string): Preset => ({
  id,
  summary,
  ...(baseline === undefined ? {} : { baseline }),
  build: () => buildResNet(options),
});

export const PRESETS: readonly Preset[] = [
  preset('resnet18-cifar', 'ResNet-18 for 32x32x3, all learnable (the paper\'s baseline)', cifar('resnet18-cifar', 'ResNet-18, CIFAR variant: 3x3 stem, no max-pool, basic blocks [2,2,2,2], 1x1 shortcuts, avg-pool 4, linear 10.')),
  preset(
    'reframe-resnet18-cifar',
    'ReFrame NL-ResNet-18, depthwise seeded convs (Cnl = Cin)',
    cifar('reframe-resnet18-cifar', 'NL-ResNet-18 (ReFrame, IEEE TSC 2025): every block conv is an NL module with a depthwise seeded conv.', DEFAULT_NL),
    'resnet18-cifar',
  ),
  preset(
    'reframe-resnet18-cifar-512',
    'ReFrame NL-ResNet-18, 512-channel seeded convs',
    cifar('reframe-resnet18-cifar-512', 'NL-ResNet-18 with Cnl = 512.', { ...DEFAULT_NL, cnl: 512 }),
    'resnet18-cifar',
  ),
  preset(
    'reframe-resnet18-cifar-768',
    'ReFrame NL-ResNet-18, 768-channel seeded convs',
    cifar('reframe-resnet18-cifar-768', 'NL-ResNet-18 with Cnl = 768.', { ...DEFAULT_NL, cnl: 768 }),
    'resnet18-cifar',
  ),
  preset('resnet8-fashion', 'ResNet-8 for 28x28x1 (widths 16/32/64), all learnable', fashion('resnet8-fashion', 'ResNet-8 for 28x28 grayscale: blocks [1,1,1], widths 16/32/64, global average pool.', 1)),
  preset(
    'reframe-resnet8-fashion',
    'ReFrame NL-ResNet-8 for 28x28x1, trains on a laptop CPU',
    fashion('reframe-resnet8-fashion', 'NL-ResNet-8 for 28x28 grayscale, depthwise seeded convs.', 1, DEFAULT_NL),
    'resnet8-fashion',
  ),
  preset('resnet14-fashion', 'ResNet-14 for 28x28x1 (widths 16/32/64), all learnable', fashion('resnet14-fashion', 'ResNet-14 for 28x28 grayscale: blocks [2,2,2], widths 16/32/64, global average pool.', 2)),
  preset(
    'reframe-resnet14-fashion',
    'ReFrame NL-ResNet-14 for 28x28x1',
    fashion('reframe-resnet14-fashion', 'NL-ResNet-14 for 28x28 grayscale, depthwise seeded convs.', 2, DEFAULT_NL),
    'resnet14-fashion',
  ),
  preset('tiny', 'A tiny NL network on 28x28x1 for tests and smoke runs (one block, 10 classes)', {
    name: 'tiny',
    description: 'Tiny test network: 28x28x1 input (Fashion-MNIST size), 8-channel stem, one stride-2 NL block of width 8, 10 classes.',
    inputShape: [1, 28, 28],
    numClasses: 10,
    stemWidth: 8,
    stages: [{ blocks: 1, width: 8, stride: 2 }],
    head: { kind: 'global' },
    nl: DEFAULT_NL,
  }),
];

export const DEFAULT_PRESET = 'reframe-resnet18-cifar';

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
