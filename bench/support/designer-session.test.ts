import { describe, expect, it } from 'vitest';
import { BudgetState } from '../../renderer/src/budget/budget-state.svelte.js';
import { DesignState } from '../../renderer/src/design/design-state.svelte.js';
import type { LayerMode } from '../../renderer/src/design/layer-mode.js';
import { DesignerSession } from './designer-session.js';

// The bench times DesignerSession in Node; this keeps it honest: after the same toggles, the studio's
// rune classes show the very figures the session computed.

const TOGGLES: readonly (readonly [string, LayerMode])[] = [
  ['layer4.1.conv2', { kind: 'seeded', dist: 'normal' }],
  ['fc', { kind: 'frozen' }],
  ['layer4.1.conv2', { kind: 'nl', cnl: 'dw', dist: 'uniform' }],
  ['layer4.1.nl2', { kind: 'nl', cnl: 512, dist: 'sign' }],
  ['layer4.1.nl2.pw', { kind: 'seeded', dist: 'normal' }],
  ['layer4.1.nl2', { kind: 'learnable' }],
  ['layer4.1.conv2', { kind: 'learnable' }],
];

describe('DesignerSession', () => {
  it('computes what DesignState and BudgetState show, toggle after toggle', () => {
    const design = new DesignState('resnet18-cifar');
    const state = new BudgetState(design);
    const session = new DesignerSession('resnet18-cifar');
    const shown = () => ({
      rows: design.layers,
      stages: design.stages,
      budget: state.budget,
      reduction: state.reduction,
      headline: state.headline,
      paramsChart: state.paramsChart,
      macsChart: state.macsChart,
      dtypeSizes: state.dtypeSizes,
      fit: state.fit,
    });
    expect(session.figures).toEqual(shown());
    for (const [key, mode] of TOGGLES) {
      design.setMode(key, mode);
      expect(design.notice).toBeUndefined();
      expect(session.setMode(key, mode), `${key} → ${mode.kind}`).toEqual(shown());
    }
    expect(() => session.setMode('no-such-layer', { kind: 'frozen' })).toThrow('no layer "no-such-layer"');
  });
});
