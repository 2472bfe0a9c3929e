import type * as tfc from '@tensorflow/tfjs';
import type { GraphNode, ModelGraph } from '../../graph/model-graph.js';
import type { TensorValues } from '../../package/encode-package.js';
import { seededMult } from '../../seed/seed-mult.js';
import { regenerate } from '../../seed/seed-stream.js';
import type { Engine } from './tf-engine.js';
import { forwardNode, type NodeTensors } from './tf-ops.js';

export interface TfModel {
  readonly graph: ModelGraph;
  /** Learnable tensors: what an optimizer updates. Seeded and frozen ones are constants. */
  readonly trainable: readonly tfc.Variable[];
  /** Runs the graph on NCHW input ([N, C, H, W], or [N, F]); returns the first output, NCHW again. */
  forward(x: tfc.Tensor, training: boolean): tfc.Tensor;
  /** One node's parameters and state, for running the graph node by node (per-layer timing). */
  tensorsOf(node: GraphNode): NodeTensors;
  /** Learnable, frozen and state values in canonical layout, ready to pack or checkpoint. */
  values(): Promise<Map<string, Float32Array>>;
  dispose(): void;
}

/**
 * The spec as a tfjs model. Parameters keep their canonical layout (OIHW, [out, in]); the ops
 * transpose at the boundary. Seeded tensors come from the project's seed streams, never tfjs's RNG.
 */
let modelCount = 0;

export function buildTfModel(engine: Engine, graph: ModelGraph, values: TensorValues): TfModel {
  const tf = engine.tf;
  // tfjs variable names are global: prefix them so two models (a run and its evaluation) coexist.
  const scope = `m${modelCount++}/`;
  const params = new Map<string, tfc.Tensor>();
  const stored = new Map<string, tfc.Variable>();
  const trainable: tfc.Variable[] = [];
  const states = new Map<string, { mean: tfc.Variable; variance: tfc.Variable }>();
  const trainableIds = new Set<string>();

  // tf.variable() takes its own reference to the data: the initial tensor is released right away,
  // or every model built (an agent rebuilds on each new package) would keep a copy of its weights.
  const variableOf = (values: Float32Array, shape: readonly number[], trainable: boolean, name: string): tfc.Variable => {
    const initial = tf.tensor(values, [...shape]);
    const v = tf.variable(initial, trainable, name);
    initial.dispose();
    return v;
  };

  const storedValue = (id: string, shape: readonly number[]): Float32Array => {
    const v = values.get(id);
    if (v === undefined) throw new Error(`no values for tensor ${id}`);
    if (v.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${id} has ${v.length} values for shape [${shape.join(',')}]`);
    return v;
  };

  for (const node of graph.nodes) {
    for (const p of node.params) {
      const s = p.spec;
      if (s.mode === 'seeded') {
        const fan = s.init === 'kaiming' ? (s.fan ?? 'fan_in') : undefined;
        const mult = seededMult({ dist: s.dist, init: s.init, ...(fan === undefined ? {} : { fan }), gain: s.gain }, p.shape);
        params.set(p.id, tf.tensor(regenerate({ seed: s.seed, dist: s.dist, mult }, p.elements), [...p.shape]));
      } else {
        const variable = variableOf(storedValue(p.id, p.shape), p.shape, s.mode === 'learnable', scope + p.id);
        params.set(p.id, variable);
        stored.set(p.id, variable);
        if (s.mode === 'learnable') {
          trainable.push(variable);
          trainableIds.add(p.id);
        }
      }
    }
    if (node.op === 'batchnorm') {
      const c = [node.outputShape[0] ?? 0];
      const mean = variableOf(storedValue(`${node.name}.running_mean`, c), c, false, `${scope}${node.name}.running_mean`);
      const variance = variableOf(storedValue(`${node.name}.running_var`, c), c, false, `${scope}${node.name}.running_var`);
      states.set(node.name, { mean, variance });
      stored.set(`${node.name}.running_mean`, mean);
      stored.set(`${node.name}.running_var`, variance);
    }
  }

  const tensorsOf = (node: GraphNode): NodeTensors => {
    const state = states.get(node.name);
    return {
      param: (name) => {
        const t = params.get(`${node.name}.${name}`);
        if (t === undefined) throw new Error(`${node.name} has no ${name} tensor`);
        return t;
      },
      trainable: (name) => trainableIds.has(`${node.name}.${name}`),
      ...(state === undefined ? {} : { state }),
    };
  };

  return {
    graph,
    trainable,
    tensorsOf,
    forward(x, training) {
      const outputs: tfc.Tensor[] = [];
      graph.nodes.forEach((node, i) => {
        const inputs = node.op === 'input' ? [x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x] : node.inputs.map((j) => outputs[j] as tfc.Tensor);
        outputs[i] = forwardNode(tf, node, inputs, tensorsOf(node), training);
      });
      const out = outputs[graph.outputs[0] ?? 0] as tfc.Tensor;
      return out.rank === 4 ? tf.transpose(out, [0, 3, 1, 2]) : out;
    },
    async values() {
      const out = new Map<string, Float32Array>();
      for (const [id, v] of stored) out.set(id, new Float32Array(await v.data()));
      return out;
    },
    dispose() {
      for (const t of params.values()) t.dispose();
      for (const s of states.values()) {
        s.mean.dispose();
        s.variance.dispose();
      }
    },
  };
}
