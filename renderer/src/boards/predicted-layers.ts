import { computeBudget } from '../../../core/budget/compute-budget.js';
import { checkSpecText } from '../../../core/spec/load-spec.js';

/** What the budget predicts for one layer, to set beside what the board measured. */
export interface PredictedLayer {
  readonly flops: number;
  /** The layer's share of the model's FLOPs, 0 to 1. */
  readonly share: number;
}

/**
 * Per-layer FLOPs by node name from a package's spec text, computed here as the Budget view does;
 * undefined when the text does not check (then there is nothing to compare against).
 */
export function predictLayers(specText: string): ReadonlyMap<string, PredictedLayer> | undefined {
  const checked = checkSpecText(specText);
  if (!checked.ok) return undefined;
  const budget = computeBudget(checked.graph);
  const total = budget.layers.reduce((s, l) => s + l.flops, 0);
  return new Map(budget.layers.map((l) => [l.name, { flops: l.flops, share: total === 0 ? 0 : l.flops / total }]));
}
