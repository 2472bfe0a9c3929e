import type { GraphNode, GraphRevision, ModelGraph } from '../graph/model-graph.js';
import { OPS } from '../ops/op-registry.js';
import { planActivations, type ActivationPlan } from './activation-plan.js';
import type { Budget, LayerBudget } from './budget-types.js';
import { exactPackageSize } from '../package/exact-package-size.js';
import type { PackageSizer } from './package-size.js';
import { ACTIVATION_BYTES, type WeightDtype } from './weight-dtype.js';

export interface BudgetOptions {
  readonly dtype?: WeightDtype;
  readonly packageSizer?: PackageSizer;
}

/** Each layer's costs and the activation schedule: the part of a budget no dtype changes. */
export interface LayerCosts {
  readonly plan: ActivationPlan;
  readonly layers: readonly LayerBudget[];
}

function layerBudget(node: GraphNode, i: number, plan: ActivationPlan): LayerBudget {
  const def = OPS[node.op];
  let learnable = 0;
  let seeded = 0;
  let frozen = 0;
  for (const t of node.params) {
    if (t.spec.mode === 'learnable') learnable += t.elements;
    else if (t.spec.mode === 'seeded') seeded += t.elements;
    else frozen += t.elements;
  }
  const macs = def.macs(node.attrs, node.inputShapes, node.outputShape);
  const otherOps = def.otherOps(node.attrs, node.inputShapes, node.outputShape);
  return {
    name: node.name,
    op: node.op,
    outputShape: node.outputShape,
    learnableParams: learnable,
    seededParams: seeded,
    frozenParams: frozen,
    stateElements: node.stateElements,
    macs,
    otherOps,
    flops: 2 * macs + otherOps,
    outputBytes: plan.outputBytes[i] ?? 0,
    liveBytes: plan.liveBytes[i] ?? 0,
    seededBytes: seeded * ACTIVATION_BYTES,
  };
}

/** Per-layer costs of a model: the sum of each op's own pure counting functions. */
export function layerCosts(graph: ModelGraph): LayerCosts {
  const plan = planActivations(graph);
  return { plan, layers: graph.nodes.map((node, i) => layerBudget(node, i, plan)) };
}

/**
 * The costs of `graph`, which came from `revision.from` (whose costs these are) by a change of parameter
 * modes: shapes and the activation schedule stay, and only the revised nodes' layers are counted again.
 */
export function reviseLayerCosts(costs: LayerCosts, revision: GraphRevision, graph: ModelGraph): LayerCosts {
  if (revision.specIndices.length === 0) return costs;
  const revised = new Set(revision.specIndices);
  return { plan: costs.plan, layers: costs.layers.map((l, i) => (graph.nodes[i] !== undefined && revised.has(graph.nodes[i].specIndex) ? layerBudget(graph.nodes[i], i, costs.plan) : l)) };
}

/** Totals from a model's layer costs, with its package sized at the chosen dtype. */
export function budgetFromCosts(graph: ModelGraph, costs: LayerCosts, options: BudgetOptions = {}): Budget {
  const dtype = options.dtype ?? 'fp32';
  const { plan, layers } = costs;
  let learnableParams = 0;
  let seededParams = 0;
  let frozenParams = 0;
  let stateElements = 0;
  let macs = 0;
  let otherOps = 0;
  let seededBytes = 0;
  let perLayerRam = 0;
  for (const l of layers) {
    learnableParams += l.learnableParams;
    seededParams += l.seededParams;
    frozenParams += l.frozenParams;
    stateElements += l.stateElements;
    macs += l.macs;
    otherOps += l.otherOps;
    seededBytes += l.seededBytes;
    perLayerRam = Math.max(perLayerRam, l.liveBytes + l.seededBytes);
  }
  const pkg = (options.packageSizer ?? exactPackageSize)(graph, dtype);

  return {
    model: graph.name,
    dtype,
    layers,
    totals: {
      learnableParams,
      seededParams,
      frozenParams,
      stateElements,
      totalParams: learnableParams + seededParams + frozenParams,
      macs,
      otherOps,
      flops: 2 * macs + otherOps,
      fullModelBytes: (learnableParams + seededParams + frozenParams + stateElements) * 4,
      packageBytes: pkg.bytes,
      packageBytesExact: pkg.exact,
      peakActivationBytes: plan.peakBytes,
      peakActivationLayer: graph.nodes[plan.peakAt]?.name ?? '',
      seededBytes,
      // The package stays in flash either way and learnable tensors are read from it in place.
      regenerateAtLoad: { flashBytes: pkg.bytes, ramBytes: seededBytes + plan.peakBytes },
      regeneratePerLayer: { flashBytes: pkg.bytes, ramBytes: perLayerRam },
    },
  };
}

/** Per-layer and total costs of a model: the sum of each op's own pure counting functions. */
export function computeBudget(graph: ModelGraph, options: BudgetOptions = {}): Budget {
  return budgetFromCosts(graph, layerCosts(graph), options);
}
