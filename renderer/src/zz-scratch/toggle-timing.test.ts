import { it } from 'vitest';
import { config } from 'zod';
import { DesignState } from '../design/design-state.svelte.js';
import { BudgetState } from '../budget/budget-state.svelte.js';
import type { LayerMode } from '../design/layer-mode.js';

function readAll(b: BudgetState, d: DesignState) {
  return [b.budget?.totals.learnableParams, b.paramsChart.labels.length, b.macsChart.labels.length, b.dtypeSizes.length, b.fit?.recommended, b.reduction?.change.macs, b.headline, d.stages.length, d.documentIssues.length, d.layers.length];
}
function time(label: string, n: number, f: () => void) {
  for (let i = 0; i < 30; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(label, ((performance.now() - t0) / n).toFixed(3), 'ms');
}
const S: LayerMode = { kind: 'seeded', dist: 'normal' };
const L: LayerMode = { kind: 'learnable' };
const NL: LayerMode = { kind: 'nl', cnl: 'dw', dist: 'normal' };
for (const jitless of [false, true]) {
  it(`toggle jitless=${jitless}`, () => {
    config({ jitless });
    for (const [preset, keyA, modeA, keyB, modeB] of [
      ['resnet18-cifar', 'layer4.1.conv2', S, 'layer4.1.conv2', L],
      ['reframe-resnet18-cifar', 'layer4.1.nl2.pw', S, 'layer4.1.nl2.pw', L],
      ['reframe-resnet18-cifar', 'layer4.1.nl2', L, 'layer4.1.conv2', NL],
    ] as const) {
      const d = new DesignState(preset);
      const bs = new BudgetState(d);
      readAll(bs, d);
      let flip = false;
      time(`${preset} ${keyA} toggle full`, 60, () => {
        flip = !flip;
        d.setMode(flip ? keyA : keyB, flip ? modeA : modeB);
        if (d.notice) throw new Error(d.notice);
        readAll(bs, d);
      });
    }
  });
}
