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
    const x = tf.tensor(Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i) + 2), [4, 1, 8, 8]);
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
