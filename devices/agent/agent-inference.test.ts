import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { packPreset, presetGraph } from '../../core/package/package-test-support.fixture.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { AgentInference, type ModelSource } from './agent-inference.js';
import { fileDigest } from '../protocol/file-digest.js';

function source(bytes: Uint8Array): ModelSource & { reads: number } {
  const s = { digest: fileDigest(bytes), reads: 0, read: () => (s.reads++, Promise.resolve(bytes)) };
  return s;
}

function variant(): Uint8Array {
  const graph = presetGraph('tiny');
  const values = initialValues(graph);
  for (const p of graph.nodes.flatMap((n) => n.params).filter((x) => x.spec.mode === 'learnable')) values.get(p.id)!.fill(0.01);
  return encodePackage(graph, values, { dtype: 'fp16' });
}

let inference: AgentInference;
beforeAll(async () => {
  inference = await AgentInference.start('auto');
});
afterAll(() => inference.dispose());

describe('AgentInference', () => {
  const input = Float32Array.from({ length: 784 }, (_, i) => Math.sin(i / 3));

  it('loads lazily, once per active package, and rebuilds (disposing the old model) when it changes', async () => {
    const tf = inference.engine.tf;
    const a = source(packPreset('tiny', 'fp32'));
    const b = source(variant());
    const before = tf.memory().numTensors;
    expect(await inference.inputElements(a)).toBe(784);
    const loaded = tf.memory().numTensors;
    const first = await inference.infer(a, input);
    await inference.infer(a, input);
    expect([a.reads, tf.memory().numTensors]).toEqual([1, loaded]);
    const other = await inference.infer(b, input);
    expect(b.reads).toBe(1);
    expect(Array.from(other.logits)).not.toEqual(Array.from(first.logits));
    expect(tf.memory().numTensors - before).toBe(loaded - before);
    const pkg = decodePackage(await b.read());
    const model = buildTfModel(inference.engine, pkg.graph, new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)])));
    expect(Array.from(other.logits)).toEqual(Array.from(model.forward(tf.tensor(input, [1, 1, 28, 28]), false).dataSync()));
    model.dispose();
    expect(first.micros).toBeGreaterThan(0);
  });

  it('times every node, in execution order, averaged over the runs, without leaking tensors', async () => {
    const a = source(packPreset('tiny', 'fp32'));
    await inference.inputElements(a);
    const tensors = inference.engine.tf.memory().numTensors;
    const b = await inference.bench(a, 4);
    expect(b.runs).toBe(4);
    expect(b.layers.map((l) => l.name)).toEqual(presetGraph('tiny').nodes.map((n) => n.name));
    expect(b.layers.reduce((s, l) => s + l.micros, 0)).toBeGreaterThan(0);
    expect(inference.engine.tf.memory().numTensors).toBe(tensors);
    // A time budget of zero still gives one timed run.
    expect((await inference.bench(a, 1000, 0)).runs).toBe(1);
  });
});
