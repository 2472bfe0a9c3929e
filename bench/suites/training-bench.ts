import type * as tfc from '@tensorflow/tfjs';
import { computeBudget } from '../../core/budget/compute-budget.js';
import { initEngine, type EnginePreference } from '../../core/node/engine/tf-engine.js';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { createOptimizer } from '../../core/node/train/optimizer.js';
import { initialValues } from '../../core/package/initial-values.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import type { BenchFigure } from '../bench-result.js';
import { PAPER_SGD } from '../../core/node/train/optimizer.js';


/**
 * Training throughput: full SGD steps (forward, backward, update) on random data, timed
 * after warm-up. GMAC/s counts forward MACs × 3 (forward, input gradient, weight gradient).
 */
async function trainingSpeed(id: string, preference: EnginePreference, steps: number, BATCH: number): Promise<BenchFigure[]> {
  const engine = await initEngine(preference);
  const tf = engine.tf;
  const r = checkSpecValue(findPreset(id)!.build());
  if (!r.ok) throw new Error(`${id} must build`);
  const model = buildTfModel(engine, r.graph, initialValues(r.graph));
  const ids = new Map(model.trainable.map((v) => [v, v.name]));
  const optimizer = createOptimizer(tf, model.trainable, ids, PAPER_SGD);
  const classes = r.graph.nodes[r.graph.outputs[0] ?? 0]?.outputShape[0] ?? 10;
  const x = tf.randomNormal([BATCH, ...(r.graph.nodes[0]?.outputShape ?? [])]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % classes), 'int32'), classes);
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x, true)) as tfc.Scalar, model.trainable as tfc.Variable[]);
      optimizer.step(new Map(model.trainable.map((v) => [v, grads[v.name] as tfc.Tensor])), 0.01);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  await step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000;
  optimizer.dispose();
  model.dispose();
  const imagesPerSecond = (steps * BATCH) / seconds;
  const macs = computeBudget(r.graph).totals.macs;
  const detail = { batch: BATCH, steps, forwardMacsPerImage: macs };
  return [
    { suite: 'training', name: `${id} training images/s (batch ${BATCH})`, value: imagesPerSecond, unit: 'images/s', engine: engine.name, detail },
    { suite: 'training', name: `${id} training GMAC/s (3 × forward MACs)`, value: (imagesPerSecond * macs * 3) / 1e9, unit: 'GMAC/s', engine: engine.name, detail },
  ];
}

export async function trainingBench(): Promise<BenchFigure[]> {
  // NL-ResNet-18 at batch 64 outgrows the wasm heap (4 GiB) with this engine's intermediates: batch 16.
  return [...(await trainingSpeed('reframe-resnet8-fashion', 'auto', 8, 64)), ...(await trainingSpeed('reframe-resnet18-cifar', 'auto', 2, 16))];
}
