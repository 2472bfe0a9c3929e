import { describe, expect, it } from 'vitest';
import { computeBudget } from '../budget/compute-budget.js';
import { buildGraph } from '../graph/build-graph.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { checkSpecValue } from '../spec/load-spec.js';
import { PRESETS, findPreset } from './presets.js';
import { buildResNet } from './resnet-builder.js';

function graphOf(id: string): ModelGraph {
  const built = buildGraph(findPreset(id)!.build());
  if (!built.ok) throw new Error(built.issues.map((i) => i.message).join('\n'));
  return built.graph;
}

describe('the zoo', () => {
  it.each(PRESETS.map((p) => p.id))('%s passes every spec check', (id) => {
    const result = checkSpecValue(findPreset(id)!.build());
    expect(result.ok).toBe(true);
  });

  // Figures counted with the paper authors' PyTorch code (jianhayes/ReFrame, torchprofile profile_macs).
  it.each([
    ['resnet18-cifar', 11_173_962, 0, 555_422_720],
    ['reframe-resnet18-cifar', 1_107_786, 30_528, 57_844_736],
  ])('%s has the reference counts', (id, learnable, seeded, macs) => {
    const t = computeBudget(graphOf(id)).totals;
    expect([t.learnableParams, t.seededParams, t.macs]).toEqual([learnable, seeded, macs]);
  });

  it('gives the 512 and 768 variants grouped seeded convs of that width', () => {
    for (const [id, cnl] of [
      ['reframe-resnet18-cifar-512', 512],
      ['reframe-resnet18-cifar-768', 768],
    ] as const) {
      const seeded = graphOf(id).nodes.filter((n) => n.params.some((p) => p.spec.mode === 'seeded'));
      expect(seeded).toHaveLength(16);
      for (const node of seeded) expect(node.outputShape[0]).toBe(cnl);
      // groups = gcd(Cin, Cnl): 512 input channels and Cnl 768 share 256.
      const last = seeded.at(-1)!;
      expect(last.params[0]!.shape).toEqual([cnl, cnl === 512 ? 1 : 2, 3, 3]);
    }
  });

  it('builds the NL module as the paper does', () => {
    const g = graphOf('reframe-resnet18-cifar');
    const names = g.nodes.filter((n) => n.name.startsWith('layer2.0.nl1.')).map((n) => `${n.name}:${n.op}`);
    // Stride 2: no "pool(x) - x", whose shapes would not match.
    expect(names).toEqual([
      'layer2.0.nl1.conv:conv',
      'layer2.0.nl1.relu:relu',
      'layer2.0.nl1.maxpool:maxpool',
      'layer2.0.nl1.mixpool:mixedpool',
      'layer2.0.nl1.cat:concat',
      'layer2.0.nl1.pw:conv',
      'layer2.0.nl1.shuffle:channelshuffle',
    ]);
    const stride1 = g.nodes.find((n) => n.name === 'layer2.0.nl2.mixsub');
    expect(stride1?.op).toBe('sub');
    const conv = g.nodes.find((n) => n.name === 'layer1.0.nl1.conv')!;
    expect(conv.params[0]!.spec).toEqual({ mode: 'seeded', dist: 'normal', init: 'kaiming', fan: 'fan_out', gain: Math.SQRT2, seed: '0x0000000000005eed' });
    const pw = g.nodes.find((n) => n.name === 'layer1.0.nl1.pw')!;
    expect(pw.params.map((p) => p.shape)).toEqual([[64, 48, 1, 1], [64]]);
  });

  it('seeds the i-th NL module with base + i in execution order', () => {
    const seeds = graphOf('reframe-resnet18-cifar')
      .nodes.flatMap((n) => n.params)
      .flatMap((p) => (p.spec.mode === 'seeded' ? [p.spec.seed] : []));
    expect(seeds).toHaveLength(16);
    expect(seeds.map((s) => Number(BigInt(s) - 0x5eedn))).toEqual([...Array(16).keys()]);
  });

  it('converts only the named convs and takes any width, depth and Cnl', () => {
    const doc = buildResNet({
      name: 'custom',
      description: 'builder options',
      inputShape: [3, 16, 16],
      numClasses: 4,
      stemWidth: 8,
      stages: [
        { blocks: 3, width: 8, stride: 1 },
        { blocks: 1, width: 16, stride: 2 },
      ],
      head: { kind: 'global' },
      nl: { cnl: 12, convs: ['layer1.1.conv2', 'layer2.0.conv1'], pointwiseGroups: 2, shuffle: false, seedBase: '0xffffffffffffffff', init: { dist: 'uniform', init: 'xavier', gain: 1 } },
      paramModes: { 'fc.weight': { mode: 'frozen' } },
    });
    const result = checkSpecValue(doc);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const seeded = result.graph.nodes.flatMap((n) => n.params.filter((p) => p.spec.mode === 'seeded'));
    expect(seeded.map((p) => p.id)).toEqual(['layer1.1.nl2.conv.weight', 'layer2.0.nl1.conv.weight']);
    // The seed wraps modulo 2^64.
    expect(seeded.map((p) => (p.spec.mode === 'seeded' ? p.spec.seed : ''))).toEqual(['0xffffffffffffffff', '0x0000000000000000']);
    expect(result.graph.nodes.some((n) => n.op === 'channelshuffle')).toBe(false);
    expect(result.graph.nodes.filter((n) => n.name.match(/^layer\d\.\d\.conv\d$/)).length).toBe(6);
    expect(result.graph.nodes.find((n) => n.name === 'fc')!.params[0]!.spec).toEqual({ mode: 'frozen' });
  });
});
