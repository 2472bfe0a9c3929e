import { fitBoard, type BoardFit } from '../../../core/budget/board-fit.js';
import { BOARD_PROFILES, findBoard, type BoardProfile } from '../../../core/budget/board-profiles.js';
import type { Budget, LayerBudget } from '../../../core/budget/budget-types.js';
import { computeBudget } from '../../../core/budget/compute-budget.js';
import type { PackageSize } from '../../../core/budget/package-size.js';
import { compareTotals, type Reduction } from '../../../core/budget/reduction.js';
import { WEIGHT_DTYPES, type WeightDtype } from '../../../core/budget/weight-dtype.js';
import { buildGraph } from '../../../core/graph/build-graph.js';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { exactPackageSize } from '../../../core/package/exact-package-size.js';
import { findPreset } from '../../../core/zoo/presets.js';
import type { DesignState } from '../design/design-state.svelte.js';
import { budgetHeadline } from './budget-headline.js';
import { macsPerLayer, paramsByMode, weightedLayers, type ChartSeries } from './layer-series.js';

/** The baseline picker's first choice: the loaded preset's own baseline (or the preset as it was loaded). */
export const AUTO_BASELINE = 'auto';

export interface DtypeSize {
  readonly dtype: WeightDtype;
  readonly bytes: number;
  /** Relative to shipping every tensor as float32 (the design's full model). */
  readonly vsFullModel: number;
  /** Relative to the baseline's package in the same dtype; undefined without a baseline. */
  readonly vsBaseline: number | undefined;
}

type Sizes = Readonly<Record<WeightDtype, PackageSize>>;

function packageSizes(graph: ModelGraph): Sizes {
  return Object.fromEntries(WEIGHT_DTYPES.map((d) => [d, exactPackageSize(graph, d)])) as Record<WeightDtype, PackageSize>;
}

function budgetOf(graph: ModelGraph, sizes: Sizes, dtype: WeightDtype): Budget {
  // The sizes are already worked out for every dtype; the budget reuses them rather than planning again.
  return computeBudget(graph, { dtype, packageSizer: (_g, d) => sizes[d] });
}

const change = (value: number, base: number) => (base === 0 ? 0 : (value - base) / base);

/**
 * Everything the budget view shows, derived from the design on each change and computed here in the
 * renderer (no round trip): totals, reductions against a baseline preset, per-layer series for the
 * charts, package size per dtype, and flash/RAM fit for one board in both regeneration modes.
 */
export class BudgetState {
  /** A preset id, or AUTO_BASELINE. */
  baselineChoice = $state<string>(AUTO_BASELINE);
  boardId = $state<string>(BOARD_PROFILES[0]?.id ?? '');
  dtype = $state<WeightDtype>('fp32');

  readonly #design: DesignState;

  constructor(design: DesignState) {
    this.#design = design;
  }

  readonly baselineId: string | undefined = $derived.by(() => {
    if (this.baselineChoice !== AUTO_BASELINE) return this.baselineChoice;
    const source = this.#design.source;
    return source.kind === 'preset' ? (findPreset(source.id)?.baseline ?? source.id) : undefined;
  });

  // Closures (`.by`) because #design is set in the constructor, after field initialisers run; a
  // derived is computed only when first read, by which time it is there.
  readonly sizes: Sizes | undefined = $derived.by(() => (this.#design.graph === undefined ? undefined : packageSizes(this.#design.graph)));
  readonly budget: Budget | undefined = $derived.by(() =>
    this.#design.graph === undefined || this.sizes === undefined ? undefined : budgetOf(this.#design.graph, this.sizes, this.dtype),
  );

  // Apart from the design: a toggle recomputes only the design's side; the baseline's only when it changes.
  readonly #baselineGraph: ModelGraph | undefined = $derived.by(() => {
    const preset = this.baselineId === undefined ? undefined : findPreset(this.baselineId);
    const built = preset === undefined ? undefined : buildGraph(preset.build());
    return built?.ok === true ? built.graph : undefined;
  });
  readonly #baselineSizes: Sizes | undefined = $derived(this.#baselineGraph === undefined ? undefined : packageSizes(this.#baselineGraph));
  readonly baselineBudget: Budget | undefined = $derived(
    this.#baselineGraph === undefined || this.#baselineSizes === undefined ? undefined : budgetOf(this.#baselineGraph, this.#baselineSizes, this.dtype),
  );

  readonly reduction: Reduction | undefined = $derived(
    this.budget === undefined || this.baselineBudget === undefined ? undefined : compareTotals(this.budget.totals, this.baselineBudget.totals, this.baselineBudget.model),
  );

  readonly headline: string | undefined = $derived(this.budget === undefined ? undefined : budgetHeadline(this.budget.totals));

  readonly layers: readonly LayerBudget[] = $derived(this.budget === undefined ? [] : weightedLayers(this.budget));
  readonly paramsChart: ChartSeries = $derived(paramsByMode(this.layers));
  readonly macsChart: ChartSeries = $derived(macsPerLayer(this.layers));

  readonly dtypeSizes: readonly DtypeSize[] = $derived.by(() => {
    const sizes = this.sizes;
    const full = this.budget?.totals.fullModelBytes;
    if (sizes === undefined || full === undefined) return [];
    return WEIGHT_DTYPES.map((dtype) => {
      const base = this.#baselineSizes?.[dtype].bytes;
      return { dtype, bytes: sizes[dtype].bytes, vsFullModel: change(sizes[dtype].bytes, full), vsBaseline: base === undefined ? undefined : change(sizes[dtype].bytes, base) };
    });
  });

  readonly board: BoardProfile = $derived(findBoard(this.boardId) ?? (BOARD_PROFILES[0] as BoardProfile));
  readonly fit: BoardFit | undefined = $derived(this.budget === undefined ? undefined : fitBoard(this.budget, this.board));
}
