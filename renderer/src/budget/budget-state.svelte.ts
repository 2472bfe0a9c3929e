import { fitBoard, type BoardFit } from '../../../core/budget/board-fit.js';
import { BOARD_PROFILES, findBoard, type BoardProfile } from '../../../core/budget/board-profiles.js';
import type { Budget, LayerBudget } from '../../../core/budget/budget-types.js';
import { compareTotals, type Reduction } from '../../../core/budget/reduction.js';
import type { WeightDtype } from '../../../core/budget/weight-dtype.js';
import { buildGraph } from '../../../core/graph/build-graph.js';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { findPreset } from '../../../core/zoo/presets.js';
import type { DesignState } from '../design/design-state.svelte.js';
import { budgetOf, dtypeSizeRows, packageSizes, type DtypeSize, type PackageSizes } from './budget-figures.js';
import { budgetHeadline } from './budget-headline.js';
import { macsPerLayer, paramsByMode, weightedLayers, type ChartSeries } from './layer-series.js';
import { layerCostsMemo, packageLedgerMemo } from './budget-memos.js';

/** The baseline picker's first choice: the loaded preset's own baseline (or the preset as it was loaded). */
export const AUTO_BASELINE = 'auto';

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
  // Per graph, so a toggle costs the layers it touched and undo finds what it had.
  readonly #ledgers = packageLedgerMemo();
  readonly #costs = layerCostsMemo();

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
  readonly sizes: PackageSizes | undefined = $derived.by(() => {
    const graph = this.#design.graph;
    return graph === undefined ? undefined : packageSizes(this.#ledgers.of(graph, this.#design.revision));
  });
  readonly budget: Budget | undefined = $derived.by(() => {
    const graph = this.#design.graph;
    return graph === undefined || this.sizes === undefined ? undefined : budgetOf(graph, this.#costs.of(graph, this.#design.revision), this.sizes, this.dtype);
  });

  // Apart from the design: a toggle recomputes only the design's side; the baseline's only when it changes.
  readonly #baselineGraph: ModelGraph | undefined = $derived.by(() => {
    const preset = this.baselineId === undefined ? undefined : findPreset(this.baselineId);
    const built = preset === undefined ? undefined : buildGraph(preset.build());
    return built?.ok === true ? built.graph : undefined;
  });
  readonly #baselineSizes: PackageSizes | undefined = $derived(this.#baselineGraph === undefined ? undefined : packageSizes(this.#ledgers.of(this.#baselineGraph)));
  readonly baselineBudget: Budget | undefined = $derived(
    this.#baselineGraph === undefined || this.#baselineSizes === undefined ? undefined : budgetOf(this.#baselineGraph, this.#costs.of(this.#baselineGraph), this.#baselineSizes, this.dtype),
  );

  readonly reduction: Reduction | undefined = $derived(
    this.budget === undefined || this.baselineBudget === undefined ? undefined : compareTotals(this.budget.totals, this.baselineBudget.totals, this.baselineBudget.model),
  );

  readonly headline: string | undefined = $derived(this.budget === undefined ? undefined : budgetHeadline(this.budget.totals));

  readonly layers: readonly LayerBudget[] = $derived(this.budget === undefined ? [] : weightedLayers(this.budget));
  readonly paramsChart: ChartSeries = $derived(paramsByMode(this.layers));
  readonly macsChart: ChartSeries = $derived(macsPerLayer(this.layers));

  readonly dtypeSizes: readonly DtypeSize[] = $derived(dtypeSizeRows(this.sizes, this.budget?.totals.fullModelBytes, this.#baselineSizes));

  readonly board: BoardProfile = $derived(findBoard(this.boardId) ?? (BOARD_PROFILES[0] as BoardProfile));
  readonly fit: BoardFit | undefined = $derived(this.budget === undefined ? undefined : fitBoard(this.budget, this.board));
}
