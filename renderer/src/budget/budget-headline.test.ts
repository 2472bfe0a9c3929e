import { describe, expect, it } from 'vitest';
import { computeBudget } from '../../../core/budget/compute-budget.js';
import { buildGraph } from '../../../core/graph/build-graph.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { budgetHeadline } from './budget-headline.js';

describe('budgetHeadline', () => {
  it('summarises the default preset in the units papers use', () => {
    const built = buildGraph(findPreset('reframe-resnet18-cifar')!.build());
    if (!built.ok) throw new Error('preset must build');
    const line = budgetHeadline(computeBudget(built.graph).totals);
    expect(line).toMatch(/^1\.11 M learnable · 30\.5 K seeded · 57\.84 M MACs · package 4\.31 MiB · peak RAM 1\.75 MiB$/);
  });

  it('leaves out seeds when a model has none', () => {
    const built = buildGraph(findPreset('resnet18-cifar')!.build());
    if (!built.ok) throw new Error('preset must build');
    expect(budgetHeadline(computeBudget(built.graph).totals)).not.toContain('seeded');
  });
});
