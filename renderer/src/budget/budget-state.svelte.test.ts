import { describe, expect, it } from 'vitest';
import { DesignState } from '../design/design-state.svelte.js';
import { AUTO_BASELINE, BudgetState } from './budget-state.svelte.js';

function setup(preset: string) {
  const design = new DesignState(preset);
  return { design, budget: new BudgetState(design) };
}

describe('BudgetState', () => {
  it('compares a ReFrame preset with its own baseline by default', () => {
    const { budget } = setup('reframe-resnet18-cifar');
    expect(budget.baselineId).toBe('resnet18-cifar');
    expect(budget.headline).toMatch(/^1\.11 M learnable · 30\.5 K seeded · 57\.84 M MACs/);
    // The paper's ~89% fewer MACs than ResNet-18 (DESIGN.md §1).
    expect(budget.reduction?.change.macs).toBeCloseTo(57.84 / 555.42 - 1, 2);
  });

  it('recomputes totals, reductions and chart series on each toggle, and undo brings them back', () => {
    const { design, budget } = setup('resnet8-fashion');
    expect(budget.baselineId).toBe('resnet8-fashion');
    expect(budget.reduction?.change.learnableParams).toBe(0);
    const before = budget.budget!.totals;
    const chartBefore = budget.paramsChart;
    const row = budget.paramsChart.labels.indexOf('layer3.0.conv2');

    design.setMode('layer3.0.conv2', { kind: 'seeded', dist: 'normal' });
    const after = budget.budget!.totals;
    expect(after.learnableParams).toBe(before.learnableParams - 64 * 64 * 9);
    expect(after.seededParams).toBe(before.seededParams + 64 * 64 * 9);
    expect(after.packageBytes).toBeLessThan(before.packageBytes);
    expect(budget.reduction!.change.learnableParams).toBeCloseTo(-(64 * 64 * 9) / before.learnableParams, 10);
    expect(budget.paramsChart).not.toBe(chartBefore);
    expect(budget.paramsChart.series.map((s) => s.values[row])).toEqual([0, 64 * 64 * 9, 0]);

    design.undo();
    expect(budget.budget!.totals).toEqual(before);
    expect(budget.paramsChart.series.map((s) => s.values[row])).toEqual([64 * 64 * 9, 0, 0]);
  });

  it('charts MACs for every layer with weights, NL modules included', () => {
    const { design, budget } = setup('resnet8-fashion');
    design.setMode('layer1.0.conv1', { kind: 'nl', cnl: 'dw', dist: 'normal' });
    expect(budget.macsChart.labels).toContain('layer1.0.nl1.conv');
    expect(budget.macsChart.labels).toContain('layer1.0.nl1.pw');
    expect(budget.macsChart.labels).not.toContain('layer1.0.nl1.maxpool');
    expect(budget.macsChart.series[0]?.values.every((v) => v > 0)).toBe(true);
  });

  it('sizes the package in every dtype against the full model and the baseline', () => {
    const { budget } = setup('reframe-resnet8-fashion');
    const [fp32, fp16, int8] = budget.dtypeSizes;
    expect(budget.dtypeSizes.map((r) => r.dtype)).toEqual(['fp32', 'fp16', 'int8']);
    expect(fp32!.bytes).toBe(budget.budget!.totals.packageBytes);
    expect(fp16!.bytes).toBeLessThan(fp32!.bytes);
    expect(int8!.bytes).toBeLessThan(fp16!.bytes);
    expect(int8!.vsBaseline).toBeLessThan(0);
    budget.dtype = 'int8';
    expect(budget.budget!.dtype).toBe('int8');
    expect(budget.budget!.totals.packageBytes).toBe(int8!.bytes);
  });

  it('fits the design to the chosen board in both regeneration modes', () => {
    const { design, budget } = setup('resnet18-cifar');
    budget.boardId = 'esp32-s3';
    expect(budget.fit?.regenerateAtLoad.fits).toBe(false);
    expect(budget.fit?.recommended).toBe('none');
    design.loadPreset('reframe-resnet18-cifar');
    expect(budget.fit?.recommended).toBe('regenerate-at-load');
    budget.boardId = 'nrf52840';
    expect(budget.fit?.board.id).toBe('nrf52840');
    expect(budget.fit?.regeneratePerLayer.ramBytes).toBeLessThan(budget.fit!.regenerateAtLoad.ramBytes);
  });

  it('follows a chosen baseline, and has no budget while the design has problems', () => {
    const { design, budget } = setup('tiny');
    expect(budget.baselineId).toBe('tiny');
    budget.baselineChoice = 'resnet8-fashion';
    expect(budget.baselineBudget?.model).toBe('resnet8-fashion');
    budget.baselineChoice = AUTO_BASELINE;
    design.openText('x.json', '{"format": "reframe-spec"}');
    expect(budget.baselineId).toBeUndefined();
    expect(budget.budget).toBeUndefined();
    expect(budget.reduction).toBeUndefined();
    expect(budget.dtypeSizes).toEqual([]);
    expect(budget.paramsChart.labels).toEqual([]);
  });
});
