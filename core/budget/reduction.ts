import type { BudgetTotals } from './budget-types.js';

export const REDUCTION_METRICS = [
  'learnableParams',
  'totalParams',
  'macs',
  'flops',
  'fullModelBytes',
  'packageBytes',
  'peakActivationBytes',
] as const satisfies readonly (keyof BudgetTotals)[];

export type ReductionMetric = (typeof REDUCTION_METRICS)[number];

export interface Reduction {
  readonly baseline: string;
  /** Relative change against the baseline: -0.901 means 90.1% fewer. */
  readonly change: Readonly<Record<ReductionMetric, number>>;
}

export function compareTotals(totals: BudgetTotals, baseline: BudgetTotals, baselineName: string): Reduction {
  const change = Object.fromEntries(
    REDUCTION_METRICS.map((m) => [m, baseline[m] === 0 ? 0 : (totals[m] - baseline[m]) / baseline[m]]),
  ) as Record<ReductionMetric, number>;
  return { baseline: baselineName, change };
}
