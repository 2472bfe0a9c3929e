import { it } from 'vitest';
import { DesignState } from '../design/design-state.svelte.js';
import { BudgetState } from '../budget/budget-state.svelte.js';
it('dbg', () => {
  const d = new DesignState('reframe-resnet18-cifar');
  const b = new BudgetState(d);
  console.log(d.layers.map((l) => l.key).join(' '));
  console.log(b.budget?.totals.learnableParams);
  d.setMode('layer4.1.nl2', { kind: 'learnable' });
  console.log(d.notice, b.budget?.totals.learnableParams);
  d.setMode('layer4.1.nl2', { kind: 'learnable' });
  console.log(d.notice, b.budget?.totals.learnableParams);
});
