import { fitBoard, type BoardFit } from '../../core/budget/board-fit.js';
import { BOARD_PROFILES, type BoardProfile } from '../../core/budget/board-profiles.js';
import type { Budget } from '../../core/budget/budget-types.js';
import { compareTotals, type Reduction } from '../../core/budget/reduction.js';
import type { WeightDtype } from '../../core/budget/weight-dtype.js';
import { buildGraph } from '../../core/graph/build-graph.js';
import type { ModelGraph } from '../../core/graph/model-graph.js';
import type { LoadedSpec } from '../../core/spec/load-spec.js';
import type { Recheck } from '../../core/spec/recheck-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import { budgetOf, dtypeSizeRows, packageSizes, type DtypeSize } from '../../renderer/src/budget/budget-figures.js';
import { budgetHeadline } from '../../renderer/src/budget/budget-headline.js';
import { layerCostsMemo, packageLedgerMemo } from '../../renderer/src/budget/budget-memos.js';
import { macsPerLayer, paramsByMode, weightedLayers, type ChartSeries } from '../../renderer/src/budget/layer-series.js';
import { checkDocument, editLayerMode } from '../../renderer/src/design/design-check.js';
import { groupLayers, layerRowsMemo, unplacedIssues, type DesignLayer, type LayerStage } from '../../renderer/src/design/design-layers.js';
import type { LayerMode } from '../../renderer/src/design/layer-mode.js';

/** Everything the Designer and Budget views show after an edit. */
export interface DesignerFigures {
  readonly rows: readonly DesignLayer[];
  readonly stages: readonly LayerStage[];
  readonly budget: Budget;
  readonly reduction: Reduction | undefined;
  readonly headline: string;
  readonly paramsChart: ChartSeries;
  readonly macsChart: ChartSeries;
  readonly dtypeSizes: readonly DtypeSize[];
  readonly fit: BoardFit;
}

function loaded(check: Recheck): LoadedSpec {
  if (!check.result.ok) throw new Error(`the design does not check: ${check.result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return check.result;
}

/**
 * The studio's designer and budget without Svelte: the same plain functions and per-graph memos that
 * DesignState and BudgetState (renderer/src/**\/*.svelte.ts) call from their deriveds, in the order the
 * two views read them after a toggle. designer-session.test.ts checks that both give the same figures.
 */
export class DesignerSession {
  readonly #rows = layerRowsMemo();
  readonly #ledgers = packageLedgerMemo();
  readonly #costs = layerCostsMemo();
  readonly #baseline: { readonly graph: ModelGraph; readonly budget: Budget; readonly sizes: ReturnType<typeof packageSizes> } | undefined;
  readonly #dtype: WeightDtype;
  readonly #board: BoardProfile;
  #check: Recheck;
  #stages: readonly LayerStage[] = [];
  #figures: DesignerFigures;

  constructor(presetId: string, o: { readonly dtype?: WeightDtype; readonly board?: BoardProfile } = {}) {
    const preset = findPreset(presetId);
    if (preset === undefined) throw new Error(`no preset ${presetId}`);
    this.#dtype = o.dtype ?? 'fp32';
    this.#board = o.board ?? (BOARD_PROFILES[0] as BoardProfile);
    const built = buildGraph(findPreset(preset.baseline ?? preset.id)!.build());
    if (built.ok) {
      const sizes = packageSizes(this.#ledgers.of(built.graph));
      this.#baseline = { graph: built.graph, sizes, budget: budgetOf(built.graph, this.#costs.of(built.graph), sizes, this.#dtype) };
    }
    this.#check = checkDocument(preset.build(), undefined);
    this.#figures = this.#recompute();
  }

  get figures(): DesignerFigures {
    return this.#figures;
  }

  /** One toggle of the designer's mode switch on the row `key`, and every figure after it. */
  setMode(key: string, mode: LayerMode): DesignerFigures {
    const row = this.#figures.rows.find((l) => l.key === key);
    if (row?.target === undefined) throw new Error(`no layer "${key}" in this model`);
    this.#check = editLayerMode(loaded(this.#check), row.target, mode).check;
    this.#figures = this.#recompute();
    return this.#figures;
  }

  #recompute(): DesignerFigures {
    const { graph } = loaded(this.#check);
    const revision = this.#check.revision;
    // DesignState: rows, stages, issues no row shows.
    const rows = this.#rows.of(graph, revision);
    const stages = (this.#stages = groupLayers(rows, this.#stages));
    unplacedIssues(rows, []);
    // BudgetState: sizes, budget, reduction, headline, charts, sizes per dtype, board fit.
    const sizes = packageSizes(this.#ledgers.of(graph, revision));
    const budget = budgetOf(graph, this.#costs.of(graph, revision), sizes, this.#dtype);
    const base = this.#baseline;
    const reduction = base === undefined ? undefined : compareTotals(budget.totals, base.budget.totals, base.budget.model);
    const layers = weightedLayers(budget);
    return {
      rows,
      stages,
      budget,
      reduction,
      headline: budgetHeadline(budget.totals),
      paramsChart: paramsByMode(layers),
      macsChart: macsPerLayer(layers),
      dtypeSizes: dtypeSizeRows(sizes, budget.totals.fullModelBytes, base?.sizes),
      fit: fitBoard(budget, this.#board),
    };
  }
}
