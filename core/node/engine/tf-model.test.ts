import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches } from '../../data/batch-pipeline.js';
import { decodePackage } from '../../package/decode-package.js';
import { encodePackage } from '../../package/encode-package.js';
import { initialValues } from '../../package/initial-values.js';
import { readTensor } from '../../package/read-tensor.js';
import { checkSpecValue } from '../../spec/load-spec.js';
import { findPreset } from '../../zoo/presets.js';
import { openData } from '../data/open-data.js';
import { initEngine, type Engine } from './tf-engine.js';
import { buildTfModel } from './tf-model.js';

let engine: Engine;
beforeAll(async () => {
  engine = await initEngine('auto');
});

function graphOf(id: string) {
  const r = checkSpecValue(findPreset(id)!.build());
  if (!r.ok) throw new Error('preset must build');
  return r.graph;
}

describe('buildTfModel', () => {
  it('runs the Fashion-MNIST preset on demo images and reports its engine', async () => {
    expect(['tfjs-node', 'tfjs-wasm']).toContain(engine.name);
    const graph = graphOf('reframe-resnet8-fashion');
    const model = buildTfModel(engine, graph, initialValues(graph));
    const { test } = await openData('demo');
    const batches = epochBatches(test!, { batchSize: 8, normalize: { mean: [0.286], std: [0.353] }, shuffle: false, seed: '0x1', epoch: 0, keepLast: true });
    const first = (await batches.next()).value!;
    const logits = model.forward(engine.tf.tensor(first.x, [8, 1, 28, 28]), false);
    expect(logits.shape).toEqual([8, 10]);
    expect(Array.from(await logits.data()).every(Number.isFinite)).toBe(true);
    // Only learnable tensors train: seeded convs are constants.
    expect(model.trainable.map((v) => v.name.replace(/^m\d+\//, ''))).not.toContain('layer1.0.nl1.conv.weight');
    expect(model.trainable.length).toBe(graph.nodes.flatMap((n) => n.params).filter((p) => p.spec.mode === 'learnable').length);
    model.dispose();
  });

  it('updates BatchNorm running statistics in training mode only, as PyTorch does', async () => {
    const graph = graphOf('tiny');
    const model = buildTfModel(engine, graph, initialValues(graph));
    const tf = engine.tf;
    const x = tf.tensor(Array.from({ length: 4 * 784 }, (_, i) => Math.sin(i) + 2), [4, 1, 28, 28]);
    model.forward(x, false);
    expect(Array.from((await model.values()).get('bn1.running_mean')!)).toEqual(new Array(8).fill(0));
    model.forward(x, true);
    const mean = (await model.values()).get('bn1.running_mean')!;
    expect(mean.some((v) => v !== 0)).toBe(true);
    model.dispose();
  });

  it('hands its values back in canonical layout, ready to pack', async () => {
    const graph = graphOf('tiny');
    const values = initialValues(graph);
    const model = buildTfModel(engine, graph, values);
    const back = await model.values();
    const pkg = decodePackage(encodePackage(graph, back, { dtype: 'fp32' }));
    for (const t of pkg.tensors) if (t.seeded === undefined) expect(readTensor(pkg, t)).toEqual(values.get(t.id));
    model.dispose();
  });
});

describe('whole-model gradients on the chosen engine', () => {
  it('agree with finite differences for stored parameters throughout the tiny network', async () => {
    const tf = engine.tf;
    const graph = graphOf('tiny');
    const base = initialValues(graph);
    const x = tf.tensor(Array.from({ length: 6 * 784 }, (_, i) => Math.sin(i * 0.37) * 1.5), [6, 1, 28, 28]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 7, 9, 5], 'int32'), 10);
    const lossWith = async (values: Map<string, Float32Array>) => {
      const m = buildTfModel(engine, graph, values);
      const l = (await tf.losses.softmaxCrossEntropy(y, m.forward(x, true)).data())[0]!;
      m.dispose();
      return l;
    };
    const model = buildTfModel(engine, graph, base);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, true)) as tf.Scalar, model.trainable as tf.Variable[]);
    const byId = new Map(model.trainable.map((v) => [v.name.replace(/^m\d+\//, ''), v.name]));
    for (const [id, index] of [
      ['fc.weight', 4],
      ['layer1.0.nl2.pw.weight', 7],
      ['layer1.0.nl1.pw.weight', 2],
      ['conv1.weight', 3],
    ] as const) {
      const analytic = (await grads[byId.get(id)!]!.data())[index]!;
      const central = async (eps: number) => {
        const up = new Map(base);
        const down = new Map(base);
        up.set(id, base.get(id)!.map((v, i) => (i === index ? v + eps : v)));
        down.set(id, base.get(id)!.map((v, i) => (i === index ? v - eps : v)));
        return ((await lossWith(up)) - (await lossWith(down))) / (2 * eps);
      };
      // Richardson extrapolation cancels the O(eps²) error of central differences on this curved loss.
      const numeric = (4 * (await central(2e-3)) - (await central(4e-3))) / 3;
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-3 + 0.05 * Math.abs(numeric));
    }
    model.dispose();
  });
});
