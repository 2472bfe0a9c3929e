import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches } from '../../data/batch-pipeline.js';
import { SeededRandom } from '../../data/seeded-random.js';
import { pixelNormalize, withInputNormalize } from '../../graph/input-normalize.js';
import { initialValues } from '../../package/initial-values.js';
import { checkSpecValue } from '../../spec/load-spec.js';
import { findPreset } from '../../zoo/presets.js';
import { openData, type DataSplits } from '../data/open-data.js';
import { initEngine, type Engine } from '../engine/tf-engine.js';
import { buildTfModel } from '../engine/tf-model.js';
import { exportOnnx } from './onnx-export.js';

// onnxruntime-node is a real runtime nobody here wrote: agreeing with it within 1e-4 on real images
// is the proof that the engine's semantics (padding, pools, groups, shuffle, flatten) are standard.

let engine: Engine;
let data: DataSplits;
beforeAll(async () => {
  engine = await initEngine('auto');
  data = await openData('demo');
});

/** Initial values with every BatchNorm and bias moved off its identity, so each op matters. */
function lively(id: string) {
  const r = checkSpecValue(findPreset(id)!.build());
  if (!r.ok) throw new Error(`${id} must build`);
  const values = initialValues(r.graph);
  const rnd = new SeededRandom('0xabc');
  const bn = new Set(r.graph.nodes.filter((n) => n.op === 'batchnorm').map((n) => `${n.name}.weight`));
  const jitter = (v: Float32Array, base: number, spread: number) => v.forEach((_, i) => (v[i] = base + (rnd.u32() / 2 ** 32 - 0.5) * spread));
  for (const [k, v] of values) {
    if (bn.has(k)) jitter(v, 1, 0.4);
    else if (k.endsWith('.bias') || k.endsWith('.running_mean')) jitter(v, 0, 0.4);
    else if (k.endsWith('.running_var')) jitter(v, 1, 1);
  }
  return { graph: r.graph, values };
}

describe('ONNX export agrees with onnxruntime-node', () => {
  it.each(['tiny', 'reframe-resnet8-fashion', 'resnet8-fashion'])('%s: max |logit difference| ≤ 1e-4 on 32 demo test images', async (id) => {
    const { graph, values } = lively(id);
    const session = await ort.InferenceSession.create(exportOnnx(graph, values, 'test'));
    const batch = (await epochBatches(data.test!, { batchSize: 32, normalize: { mean: [0.286], std: [0.353] }, shuffle: false, seed: '0x0', epoch: 0, keepLast: true }).next()).value!;
    const result = await session.run({ input: new ort.Tensor('float32', batch.x, [32, 1, 28, 28]) });
    const theirs = result[graph.nodes[graph.outputs[0]!]!.name]!.data as Float32Array;
    const model = buildTfModel(engine, graph, values);
    const ours = await model.forward(engine.tf.tensor(batch.x, [32, 1, 28, 28]), false).data();
    model.dispose();
    expect(theirs.length).toBe(320);
    let worst = 0;
    for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(theirs[i]! - ours[i]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it('a model that normalises its own input takes raw pixels in both runtimes', async () => {
    const { graph: plain, values } = lively('tiny');
    const graph = withInputNormalize(plain, pixelNormalize({ mean: [0.286], std: [0.353] }));
    const session = await ort.InferenceSession.create(exportOnnx(graph, values, 'test'));
    expect(session.inputNames).toEqual(['input']);
    const raw = (await epochBatches(data.test!, { batchSize: 32, shuffle: false, seed: '0x0', epoch: 0, keepLast: true }).next()).value!;
    const normalised = (await epochBatches(data.test!, { batchSize: 32, normalize: { mean: [0.286], std: [0.353] }, shuffle: false, seed: '0x0', epoch: 0, keepLast: true }).next()).value!;
    expect(Math.max(...raw.x)).toBeGreaterThan(200);
    const theirs = (await session.run({ input: new ort.Tensor('float32', raw.x, [32, 1, 28, 28]) }))[graph.nodes[graph.outputs[0]!]!.name]!.data as Float32Array;
    const model = buildTfModel(engine, graph, values);
    const ours = await model.forward(engine.tf.tensor(raw.x, [32, 1, 28, 28]), false).data();
    model.dispose();
    const unnormalised = buildTfModel(engine, plain, values);
    const reference = await unnormalised.forward(engine.tf.tensor(normalised.x, [32, 1, 28, 28]), false).data();
    unnormalised.dispose();
    let worst = 0;
    let drift = 0;
    for (let i = 0; i < theirs.length; i++) {
      worst = Math.max(worst, Math.abs(theirs[i]! - ours[i]!));
      drift = Math.max(drift, Math.abs(reference[i]! - ours[i]!));
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
    // The same model as one fed pixels normalised outside it, up to float32 rounding of the two orders.
    expect(drift).toBeLessThanOrEqual(1e-3);
  });
});
