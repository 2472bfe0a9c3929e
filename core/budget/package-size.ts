import type { ModelGraph } from '../graph/model-graph.js';
import type { WeightDtype } from './weight-dtype.js';

export interface PackageSize {
  readonly bytes: number;
  /** True when the figure is the real packed size rather than an estimate. */
  readonly exact: boolean;
}

/** Sizes the seed package a graph would pack to; injected so the budget can be given other layouts. */
export type PackageSizer = (graph: ModelGraph, dtype: WeightDtype) => PackageSize;
