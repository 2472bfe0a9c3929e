import type { Budget, LayerBudget } from '../../../core/budget/budget-types.js';

/** Bars for a chart: one label per layer, one series per stacked part. */
export interface ChartSeries {
  readonly labels: readonly string[];
  readonly series: readonly { readonly label: string; readonly values: readonly number[] }[];
}

const paramsOf = (l: LayerBudget) => l.learnableParams + l.seededParams + l.frozenParams;

/** Layers that hold weights or do multiply-accumulates: the ones worth a bar. */
export function weightedLayers(budget: Budget): LayerBudget[] {
  return budget.layers.filter((l) => paramsOf(l) > 0 || l.macs > 0);
}

/** Stacked bars of each layer's parameters (layers without any are left out). */
export function paramsByMode(all: readonly LayerBudget[]): ChartSeries {
  const layers = all.filter((l) => paramsOf(l) > 0);
  return {
    labels: layers.map((l) => l.name),
    series: [
      { label: 'learnable', values: layers.map((l) => l.learnableParams) },
      { label: 'seeded', values: layers.map((l) => l.seededParams) },
      { label: 'frozen', values: layers.map((l) => l.frozenParams) },
    ],
  };
}

/** One bar per layer that multiplies (conv and dense); pooling and the like are left out. */
export function macsPerLayer(all: readonly LayerBudget[]): ChartSeries {
  const layers = all.filter((l) => l.macs > 0);
  return { labels: layers.map((l) => l.name), series: [{ label: 'MACs', values: layers.map((l) => l.macs) }] };
}
