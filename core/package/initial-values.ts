import type { ModelGraph } from '../graph/model-graph.js';
import { seededMult } from '../seed/seed-mult.js';
import { regenerate } from '../seed/seed-stream.js';
import type { TensorValues } from './encode-package.js';
import { PackageError } from './package-error.js';

/** Seed of the first learnable weight of an untrained model; the k-th stored weight gets base + k. */
export const INITIAL_WEIGHTS_SEED = 0x1417n;

/**
 * Values for every stored tensor of an untrained model, deterministic so an untrained package is
 * reproducible: conv and dense weights as PyTorch's default (uniform, bound 1/√fan_in) drawn from our
 * own seed stream, biases 0, BatchNorm γ = 1, β = 0, running mean 0 and variance 1.
 */
export function initialValues(graph: ModelGraph): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  let k = 0n;
  for (const node of graph.nodes) {
    for (const p of node.params) {
      if (p.spec.mode === 'seeded') continue;
      if (p.param === 'weight' && node.op !== 'batchnorm') {
        const mult = seededMult({ dist: 'uniform', init: 'kaiming', fan: 'fan_in', gain: Math.sqrt(1 / 3) }, p.shape);
        values.set(p.id, regenerate({ seed: INITIAL_WEIGHTS_SEED + k++, dist: 'uniform', mult }, p.elements));
      } else {
        values.set(p.id, new Float32Array(p.elements).fill(p.param === 'weight' ? 1 : 0));
      }
    }
    if (node.op === 'batchnorm') {
      const c = node.outputShape[0] ?? 0;
      values.set(`${node.name}.running_mean`, new Float32Array(c));
      values.set(`${node.name}.running_var`, new Float32Array(c).fill(1));
    }
  }
  return values;
}

/** Overlays given values (a checkpoint) on the defaults, refusing ids the model does not have. */
export function mergeValues(graph: ModelGraph, given: TensorValues): Map<string, Float32Array> {
  const values = initialValues(graph);
  for (const [id, v] of given) {
    if (!values.has(id)) throw new PackageError('pack', `the weights hold a tensor "${id}" that this model does not have (or that is seeded)`);
    values.set(id, v);
  }
  return values;
}
