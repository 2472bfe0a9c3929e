import type { ModelGraph } from '../graph/model-graph.js';
import { OPS } from '../ops/op-registry.js';
import { planActivations } from './activation-plan.js';
import type { Budget, LayerBudget } from './budget-types.js';
import { exactPackageSize } from '../package/exact-package-size.js';
import type { PackageSizer } from './package-size.js';
import { ACTIVATION_BYTES, type WeightDtype } from './weight-dtype.js';

export interface BudgetOptions {
  readonly dtype?: WeightDtype;
  readonly packageSizer?: PackageSizer;
}

/** Per-layer and total costs of a model: the sum of each op's own pure counting functions. */
export function computeBudget(graph: ModelGraph, options: BudgetOptions = {}): Budget {
  const dtype = options.dtype ?? 'fp32';
  const plan = planActivations(graph);
  const layers: LayerBudget[] = graph.nodes.map((node, i) => {
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
  });

  const sum = (pick: (l: LayerBudget) => number) => layers.reduce((s, l) => s + pick(l), 0);
  const learnableParams = sum((l) => l.learnableParams);
  const seededParams = sum((l) => l.seededParams);
  const frozenParams = sum((l) => l.frozenParams);
  const stateElements = sum((l) => l.stateElements);
  const macs = sum((l) => l.macs);
  const otherOps = sum((l) => l.otherOps);
  const seededBytes = sum((l) => l.seededBytes);
  const pkg = (options.packageSizer ?? exactPackageSize)(graph, dtype);
  const perLayerRam = layers.reduce((m, l) => Math.max(m, l.liveBytes + l.seededBytes), 0);

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
