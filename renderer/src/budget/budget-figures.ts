import type { Budget } from '../../../core/budget/budget-types.js';
import { budgetFromCosts, type LayerCosts } from '../../../core/budget/compute-budget.js';
import type { PackageSize } from '../../../core/budget/package-size.js';
import { WEIGHT_DTYPES, type WeightDtype } from '../../../core/budget/weight-dtype.js';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { ledgerPackageSize, type PackageSizeLedger } from '../../../core/package/package-size-ledger.js';

// The budget view's figures that take more than one line, as plain functions: BudgetState derives them
// with runes, and the studio bench runs the very same code in Node.

export type PackageSizes = Readonly<Record<WeightDtype, PackageSize>>;

export interface DtypeSize {
  readonly dtype: WeightDtype;
  readonly bytes: number;
  /** Relative to shipping every tensor as float32 (the design's full model). */
  readonly vsFullModel: number;
  /** Relative to the baseline's package in the same dtype; undefined without a baseline. */
  readonly vsBaseline: number | undefined;
}

/** The exact size of the package at every dtype. */
export function packageSizes(ledger: PackageSizeLedger): PackageSizes {
  return Object.fromEntries(WEIGHT_DTYPES.map((d) => [d, ledgerPackageSize(ledger, d)])) as Record<WeightDtype, PackageSize>;
}

/** The budget of a graph whose layer costs and package sizes are already worked out. */
export function budgetOf(graph: ModelGraph, costs: LayerCosts, sizes: PackageSizes, dtype: WeightDtype): Budget {
  return budgetFromCosts(graph, costs, { dtype, packageSizer: (_g, d) => sizes[d] });
}

const change = (value: number, base: number) => (base === 0 ? 0 : (value - base) / base);

/** The package-size rows: each dtype against the full float32 model and against the baseline's package. */
export function dtypeSizeRows(sizes: PackageSizes | undefined, fullModelBytes: number | undefined, baseline: PackageSizes | undefined): DtypeSize[] {
  if (sizes === undefined || fullModelBytes === undefined) return [];
  return WEIGHT_DTYPES.map((dtype) => {
    const base = baseline?.[dtype].bytes;
    return { dtype, bytes: sizes[dtype].bytes, vsFullModel: change(sizes[dtype].bytes, fullModelBytes), vsBaseline: base === undefined ? undefined : change(sizes[dtype].bytes, base) };
  });
}
