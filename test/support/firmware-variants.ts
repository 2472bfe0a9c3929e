import type { SpecDocument, SpecNode } from '../../core/spec/spec-document.js';
import { findPreset } from '../../core/zoo/presets.js';

// Models beyond the presets for the firmware tests: every distribution, init and fan, seeds with the
// high word set, upper-case hex in the spec, seeded biases and batch norm weights, a frozen tensor, and
// large seeded dense layers whose lengths are not multiples of a Philox block, input normalisation,
// pair-valued windows, count_include_pad false, batch norm on a vector with non-default eps and
// momentum, and softmax. The presets only seed depthwise convs with kaiming-normal fan_out.

type Params = Readonly<Record<string, unknown>>;

function withParams(doc: SpecDocument, params: Readonly<Record<string, Params>>): SpecDocument {
  const nodes = doc.nodes.map((n) => (params[n.name] === undefined ? n : ({ ...n, params: params[n.name] } as unknown as SpecNode)));
  return { ...doc, name: `${doc.name}-variety`, nodes };
}

/** The tiny preset with a seeded tensor of every kind. */
export function tinyVariety(): SpecDocument {
  const tiny = findPreset('tiny')!.build();
  return withParams(tiny, {
    conv1: { weight: { mode: 'seeded', dist: 'uniform', init: 'kaiming', fan: 'fan_in', gain: Math.SQRT2, seed: '0xfedcba9876543210' } },
    bn1: { weight: { mode: 'seeded', dist: 'sign', init: 'kaiming', fan: 'fan_out', gain: 0.75, seed: '0x00000000deadbeef' } },
    'layer1.0.nl1.conv': { weight: { mode: 'seeded', dist: 'sign', init: 'xavier', gain: 1, seed: '0xffffffffffffffff' } },
    'layer1.0.nl1.pw': { bias: { mode: 'seeded', dist: 'uniform', init: 'xavier', gain: 0.1, seed: '0x80000000' } },
    'layer1.0.nl2.conv': { weight: { mode: 'seeded', dist: 'normal', init: 'kaiming', gain: 1.7, seed: '0x1' } },
    'layer1.0.nl2.pw': { weight: { mode: 'frozen' } },
    fc: { weight: { mode: 'seeded', dist: 'normal', init: 'xavier', gain: 0.5, seed: '0xABCDEF0123' } },
  });
}

/** A small network of big seeded dense layers and the ops and attribute forms the presets do not use. */
export function denseVariety(): SpecDocument {
  const nodes = [
    { name: 'x', op: 'input', shape: [3, 20, 20], normalize: { mean: [125.3, 122.9, 113.8], std: [63, 62.1, 66.7] } },
    {
      name: 'c1',
      op: 'conv',
      inputs: ['x'],
      outChannels: 6,
      kernel: [3, 5],
      stride: [1, 2],
      padding: [1, 2],
      groups: 3,
      bias: true,
      params: { weight: { mode: 'seeded', dist: 'uniform', init: 'kaiming', fan: 'fan_out', gain: 1.25, seed: '0x0000000100000001' } },
    },
    { name: 'p1', op: 'avgpool', inputs: ['c1'], kernel: [3, 2], stride: [2, 1], padding: [1, 0], countIncludePad: false },
    { name: 'r1', op: 'relu', inputs: ['p1'] },
    { name: 'f', op: 'flatten', inputs: ['r1'] },
    { name: 'd1', op: 'dense', inputs: ['f'], outFeatures: 997, bias: false, params: { weight: { mode: 'seeded', dist: 'uniform', init: 'xavier', gain: 1, seed: '0x7fffffffffffffff' } } },
    { name: 'bn', op: 'batchnorm', inputs: ['d1'], eps: 0.001, momentum: 0.01 },
    { name: 'r2', op: 'relu', inputs: ['bn'] },
    { name: 'd2', op: 'dense', inputs: ['r2'], outFeatures: 333, bias: true, params: { weight: { mode: 'seeded', dist: 'sign', init: 'kaiming', gain: 1, seed: '0x0123456789abcdef' } } },
    { name: 'head', op: 'dense', inputs: ['d2'], outFeatures: 10, bias: true },
    { name: 'prob', op: 'softmax', inputs: ['head'] },
  ];
  return { format: 'reframe-spec', version: 1, name: 'dense-variety', description: 'Seeded dense layers for the firmware tests.', nodes: nodes as unknown as SpecNode[], outputs: ['prob', 'head'] };
}

/**
 * dense-variety with its nodes listed out of execution order: the studio runs them depth-first from the
 * first listed node, so GRPH holds them in another order than SPEC, and both decoders must accept that.
 */
export function denseVarietyShuffled(): SpecDocument {
  const doc = denseVariety();
  const order = ['prob', 'd1', 'x', 'head', 'bn', 'f', 'c1', 'r2', 'p1', 'd2', 'r1'];
  const nodes = order.map((name) => doc.nodes.find((n) => n.name === name)!);
  return { ...doc, name: 'dense-variety-shuffled', nodes };
}
