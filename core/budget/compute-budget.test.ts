import { describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build-graph.js';
import { findPreset } from '../zoo/presets.js';
import { planActivations } from './activation-plan.js';
import { withParamModes } from '../spec/edit-spec.js';
import { checkSpecValue } from '../spec/load-spec.js';
import { recheckSpecValue } from '../spec/recheck-spec.js';
import { budgetFromCosts, computeBudget, layerCosts, reviseLayerCosts } from './compute-budget.js';
import { handCountedGraph } from './hand-counted-graph.fixture.js';

describe('planActivations', () => {
  it('frees each buffer after its last reader and shares it with views', () => {
    const plan = planActivations(handCountedGraph());
    // x 64 B; a, b, c 128 B each; flatten is a view of c; y 12 B and stays as the output.
    expect(plan.outputBytes).toEqual([64, 128, 128, 128, 0, 12]);
    expect(plan.liveBytes).toEqual([64, 192, 256, 384, 128, 140]);
    expect(plan.peakBytes).toBe(384);
    expect(plan.peakAt).toBe(3);
  });
});

describe('computeBudget', () => {
  const budget = computeBudget(handCountedGraph());

  it('sorts parameters by mode and counts BN state apart', () => {
    const t = budget.totals;
    expect([t.learnableParams, t.seededParams, t.frozenParams, t.totalParams]).toEqual([96, 18, 3, 117]);
    expect(t.fullModelBytes).toBe(117 * 4);
  });

  it('labels MACs and other ops and sums FLOPs as 2·MACs + other ops', () => {
    const t = budget.totals;
    expect(t.macs).toBe(2 * 16 * 9 + 96);
    // relu 32, add 32, dense bias 3.
    expect(t.otherOps).toBe(67);
    expect(t.flops).toBe(2 * t.macs + 67);
    expect(budget.layers.map((l) => l.flops)).toEqual([0, 576, 32, 32, 0, 195]);
  });

  it('sizes board RAM for both regeneration strategies', () => {
    const t = budget.totals;
    expect(t.seededBytes).toBe(72);
    expect(t.regenerateAtLoad.ramBytes).toBe(72 + 384);
    // Per layer: conv a needs its 72 B scratch while 192 B are live; the add still peaks higher.
    expect(t.regeneratePerLayer.ramBytes).toBe(384);
    expect(t.peakActivationLayer).toBe('c');
  });

  it('stores learnable tensors narrower at fp16 and int8', () => {
    const built = buildGraph(findPreset('reframe-resnet18-cifar')!.build());
    if (!built.ok) throw new Error('preset must build');
    const bytes = (['fp32', 'fp16', 'int8'] as const).map((dtype) => computeBudget(built.graph, { dtype }).totals.packageBytes);
    expect(bytes[0]).toBeGreaterThan(bytes[1]!);
    expect(bytes[1]).toBeGreaterThan(bytes[2]!);
  });

  it('takes an injected package sizer and reports whether it is exact', () => {
    const b = computeBudget(handCountedGraph(), { packageSizer: () => ({ bytes: 1234, exact: true }) });
    expect(b.totals.packageBytes).toBe(1234);
    expect(b.totals.packageBytesExact).toBe(true);
    expect(b.totals.regenerateAtLoad.flashBytes).toBe(1234);
  });
});

describe('reviseLayerCosts', () => {
  it('counts the revised layers again and keeps the others, equal to a budget from scratch', () => {
    const start = checkSpecValue(findPreset('resnet18-cifar')!.build());
    if (!start.ok) throw new Error('preset must check');
    const seeded = { mode: 'seeded', dist: 'normal', init: 'kaiming', fan: 'fan_in', gain: Math.SQRT2, seed: '0x9' } as const;
    const next = withParamModes(start.doc, { 'layer4.1.conv2.weight': seeded, 'fc.weight': { mode: 'frozen' } });
    const { result, revision } = recheckSpecValue(start, next);
    if (!result.ok || revision === undefined) throw new Error('a mode change must revise');
    const before = layerCosts(start.graph);
    const after = reviseLayerCosts(before, revision, result.graph);
    const sizer = { packageSizer: () => ({ bytes: 1, exact: true }) };
    expect(budgetFromCosts(result.graph, after, sizer)).toEqual(computeBudget(result.graph, sizer));
    const renewed = after.layers.filter((l, i) => l !== before.layers[i]).map((l) => l.name);
    expect(renewed).toEqual(['layer4.1.conv2', 'fc']);
    expect(after.plan).toBe(before.plan);
  });
});
