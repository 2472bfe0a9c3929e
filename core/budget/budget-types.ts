import type { Shape } from '../ops/op-def.js';
import type { OpName } from '../ops/op-registry.js';
import type { WeightDtype } from './weight-dtype.js';

export interface LayerBudget {
  readonly name: string;
  readonly op: OpName;
  readonly outputShape: Shape;
  readonly learnableParams: number;
  readonly seededParams: number;
  readonly frozenParams: number;
  /** BatchNorm running mean and variance: not trained, but stored and sent. */
  readonly stateElements: number;
  /** Multiply-accumulates of conv and dense weights. */
  readonly macs: number;
  /** Every other arithmetic op: comparisons, adds, divides, bias adds, BN scale and shift. */
  readonly otherOps: number;
  /** 2 x MACs + other ops. */
  readonly flops: number;
  /** Bytes of this layer's own float32 output buffer (0 for views). */
  readonly outputBytes: number;
  /** Activation bytes live while this layer runs (see docs/budget.md for the schedule). */
  readonly liveBytes: number;
  /** Float32 bytes of this layer's seeded tensors once regenerated. */
  readonly seededBytes: number;
}

/** What a board needs to hold and run the model, runtime code and stack excluded. */
export interface DeviceNeeds {
  readonly flashBytes: number;
  readonly ramBytes: number;
}

export interface BudgetTotals {
  readonly learnableParams: number;
  readonly seededParams: number;
  readonly frozenParams: number;
  readonly stateElements: number;
  readonly totalParams: number;
  readonly macs: number;
  readonly otherOps: number;
  readonly flops: number;
  /** Every parameter and BN statistic as float32: what shipping the whole model would cost. */
  readonly fullModelBytes: number;
  readonly packageBytes: number;
  readonly packageBytesExact: boolean;
  readonly peakActivationBytes: number;
  readonly peakActivationLayer: string;
  readonly seededBytes: number;
  /** Seeded tensors expanded into RAM once, when the model loads. */
  readonly regenerateAtLoad: DeviceNeeds;
  /** Each seeded tensor regenerated into a scratch buffer just before its layer runs. */
  readonly regeneratePerLayer: DeviceNeeds;
}

export interface Budget {
  readonly model: string;
  readonly dtype: WeightDtype;
  readonly layers: readonly LayerBudget[];
  readonly totals: BudgetTotals;
}
