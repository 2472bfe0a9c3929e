import { describe, expect, it } from 'vitest';
import { computeBudget } from '../budget/compute-budget.js';
import { findPreset } from '../zoo/presets.js';
import { SpecEditError, withParamModes } from './edit-spec.js';
import { checkSpecValue } from './load-spec.js';

describe('withParamModes', () => {
  const doc = findPreset('resnet8-fashion')!.build();

  it('turns any tensor seeded or frozen and the budget follows', () => {
    const edited = withParamModes(doc, {
      'layer1.0.conv1.weight': { mode: 'seeded', dist: 'sign', init: 'kaiming', fan: 'fan_in', gain: Math.SQRT2, seed: '0x2a' },
      'fc.bias': { mode: 'frozen' },
    });
    const result = checkSpecValue(edited);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const t = computeBudget(result.graph).totals;
    expect(t.seededParams).toBe(16 * 16 * 9);
    expect(t.frozenParams).toBe(10);
    // The original is untouched.
    expect(JSON.stringify(doc)).not.toContain('0x2a');
  });

  it('names a tensor that does not exist', () => {
    expect(() => withParamModes(doc, { 'nope.weight': { mode: 'frozen' } })).toThrow(SpecEditError);
    expect(() => withParamModes(doc, { 'relu1.weight': { mode: 'frozen' } })).toThrow('node "relu1" (relu) has no parameter tensors');
  });

  it('leaves a missing bias to the graph check, which names it', () => {
    const result = checkSpecValue(withParamModes(doc, { 'conv1.bias': { mode: 'frozen' } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toBe('conv has bias: false, so there is no bias tensor');
  });
});
