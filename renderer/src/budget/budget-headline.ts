import type { BudgetTotals } from '../../../core/budget/budget-types.js';
import { formatBytes, formatCount } from '../../../core/format/quantity.js';

/** The one-line summary the studio shows under a model's name; recomputed on every edit. */
export function budgetHeadline(t: BudgetTotals): string {
  const parts = [
    `${formatCount(t.learnableParams)} learnable`,
    ...(t.seededParams > 0 ? [`${formatCount(t.seededParams)} seeded`] : []),
    `${formatCount(t.macs)} MACs`,
    `package ${formatBytes(t.packageBytes)}${t.packageBytesExact ? '' : ' (est.)'}`,
    `peak RAM ${formatBytes(t.peakActivationBytes)}`,
  ];
  return parts.join(' · ');
}
