import type * as tfc from '@tensorflow/tfjs';
import { epochBatches, type Augmentation } from '../../data/batch-pipeline.js';
import { channelStats, type ChannelStats } from '../../data/channel-stats.js';
import { DatasetError, type ImageDataset } from '../../data/image-dataset.js';
import { splitDataset } from '../../data/split-dataset.js';
import { inputNormalizeOf, pixelNormalize, withInputNormalize } from '../../graph/input-normalize.js';
import type { ModelGraph } from '../../graph/model-graph.js';
import type { InputNormalize } from '../../ops/input.js';
import type { TensorValues } from '../../package/encode-package.js';
import { mergeValues } from '../../package/initial-values.js';
import type { DataSplits } from '../data/open-data.js';
import { initEngine, type Engine, type EnginePreference } from '../engine/tf-engine.js';
import { buildTfModel } from '../engine/tf-model.js';
import { CheckpointError, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { learningRate, type Schedule } from './lr-schedule.js';
import { createOptimizer, type OptimizerOptions } from './optimizer.js';

export interface TrainOptions {
  readonly graph: ModelGraph;
  readonly data: DataSplits;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerOptions;
  readonly schedule: Schedule;
  readonly augment?: Augmentation;
  /** Held out of the training data when the source has no test part. */
  readonly validationFraction: number;
  /** Data order, augmentation and the validation split follow from it (weights start from the model's own init). */
  readonly seed: string;
  readonly engine: EnginePreference;
  /** Starting values (a package or checkpoint), else the model's deterministic initial values. */
  readonly initial?: TensorValues;
  readonly checkpointDir?: string;
  readonly resume?: boolean;
}

export interface EpochReport {
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly evalLoss: number;
  readonly evalAccuracy: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

export type TrainEvent =
  | { readonly type: 'start'; readonly engine: Engine['name']; readonly trainImages: number; readonly evalImages: number; readonly evalName: string; readonly stepsPerEpoch: number; readonly firstEpoch: number; readonly epochs: number }
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number; readonly loss: number; readonly accuracy: number; readonly imagesPerSecond: number; readonly etaSeconds: number }
  | { readonly type: 'epoch'; readonly report: EpochReport; readonly checkpoint?: string };

export interface TrainResult {
  readonly engine: Engine['name'];
  readonly values: Map<string, Float32Array>;
  /** Dataset statistics on the 0..1 scale; the trained graph's input applies them to raw pixels. */
  readonly normalize: ChannelStats;
  /** What the model's input does to raw pixels: put it in the package's graph (withInputNormalize). */
  readonly inputNormalize: InputNormalize;
  readonly history: readonly EpochReport[];
  readonly evaluation: Evaluation;
}

export class TrainingCancelled extends Error {
  readonly code = 'cancelled';
  constructor(readonly epoch: number) {
    super(`training cancelled during epoch ${epoch + 1}; the last checkpoint (if any) is intact`);
    this.name = 'TrainingCancelled';
  }
}

/**
 * Trains a model: SGD or Adam under a per-epoch schedule, progress events every step, an evaluation
 * and (optionally) a checkpoint after every epoch, resume from the last checkpoint, cancel between steps.
 */
export async function trainModel(o: TrainOptions, onEvent: (e: TrainEvent) => void = () => undefined, signal?: AbortSignal): Promise<TrainResult> {
  const [c, h, w] = o.graph.nodes[0]?.outputShape ?? [];
  const want = [c, h, w].join('×');
  if (o.data.train.shape.join('×') !== want) {
    throw new DatasetError(`${o.data.train.name}: images are ${o.data.train.shape.join('×')} but ${o.graph.name} takes ${want}`);
  }
  const classes = o.graph.nodes[o.graph.outputs[0] ?? 0]?.outputShape[0];
  if (classes !== o.data.train.classes.length) {
    throw new DatasetError(`${o.data.train.name}: ${o.data.train.classes.length} classes but ${o.graph.name} predicts ${classes}`);
  }
  let train: ImageDataset = o.data.train;
  let held: ImageDataset;
  if (o.data.test !== undefined) held = o.data.test;
  else ({ train, validation: held } = splitDataset(o.data.train, o.validationFraction, o.seed));

  const engine = await initEngine(o.engine);
  const tf = engine.tf;
  let firstEpoch = 0;
  let values: TensorValues = mergeValues(o.graph, o.initial ?? new Map());
  let normalize: ChannelStats | undefined;
  let history: EpochReport[] = [];
  let restored: { step: number; slots: Map<string, Float32Array> } | undefined;
  const settings = { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, optimizer: o.optimizer, schedule: o.schedule, augment: o.augment ?? null, validationFraction: o.validationFraction, seed: o.seed };
  if (o.resume === true && o.checkpointDir !== undefined) {
    const cp = await readCheckpoint(o.checkpointDir);
    const changed = Object.keys(settings).filter((k) => JSON.stringify(settings[k as keyof typeof settings]) !== JSON.stringify(cp.meta.settings[k]));
    if (cp.meta.model !== o.graph.name) throw new CheckpointError(`${o.checkpointDir} holds a checkpoint of ${cp.meta.model}, not ${o.graph.name}`);
    if (changed.length > 0) throw new CheckpointError(`resume with the settings of the checkpointed run: ${changed.map((k) => `${k} was ${JSON.stringify(cp.meta.settings[k])}`).join(', ')}`);
    firstEpoch = cp.meta.epoch;
    values = mergeValues(o.graph, cp.values);
    normalize = cp.meta.normalize;
    history = [...(cp.meta.history as EpochReport[])];
    restored = { step: cp.meta.optimizerStep, slots: cp.slots };
  }
  // A spec that states its own normalisation keeps it; otherwise the training data's statistics go
  // into the model, so the package normalises raw pixels by itself on any board.
  const given = inputNormalizeOf(o.graph);
  if (given !== undefined) normalize = { mean: given.mean.map((m) => m / 255), std: given.std.map((v) => v / 255) };
  normalize ??= await channelStats(train);
  const inputNormalize = given ?? pixelNormalize(normalize);
  const graph = given === undefined ? withInputNormalize(o.graph, inputNormalize) : o.graph;

  const model = buildTfModel(engine, graph, values);
  const ids = new Map(model.trainable.map((v) => [v, v.name.replace(/^m\d+\//, '')]));
  const optimizer = createOptimizer(tf, model.trainable, ids, o.optimizer);
  if (restored !== undefined) optimizer.restore(restored.step, restored.slots);
  const stepsPerEpoch = Math.floor(train.length / o.batchSize);
  if (stepsPerEpoch < 1) throw new DatasetError(`${train.name}: ${train.length} training images are fewer than one batch of ${o.batchSize}`);
  onEvent({ type: 'start', engine: engine.name, trainImages: train.length, evalImages: held.length, evalName: o.data.test === undefined ? 'validation' : 'test', stepsPerEpoch, firstEpoch, epochs: o.epochs });

  const k = train.classes.length;
  const started = performance.now();
  let imagesDone = 0;
  try {
    for (let epoch = firstEpoch; epoch < o.epochs; epoch++) {
      const lr = learningRate(o.lr, epoch, o.epochs, o.schedule);
      const epochStart = performance.now();
      let step = 0;
      let lossSum = 0;
      let correct = 0;
      for await (const b of epochBatches(train, { batchSize: o.batchSize, shuffle: true, ...(o.augment === undefined ? {} : { augment: o.augment }), seed: o.seed, epoch, keepLast: false })) {
        // A macrotask turn between steps lets cancel messages and timers in (tfjs awaits only microtasks).
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal?.aborted === true) throw new TrainingCancelled(epoch);
        let hits: tfc.Tensor | undefined;
        const loss = tf.tidy(() => {
          const x = tf.tensor(b.x, [b.size, ...train.shape]);
          const y = tf.oneHot(tf.tensor1d(b.y, 'int32'), k);
          const { value, grads } = tf.variableGrads(() => {
            const logits = model.forward(x, true);
            // variableGrads frees everything but the loss: keep the hit count it would otherwise drop.
            hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')));
            return tf.losses.softmaxCrossEntropy(y, logits) as tfc.Scalar;
          }, model.trainable as tfc.Variable[]);
          optimizer.step(new Map(model.trainable.map((v) => [v, grads[v.name] as tfc.Tensor])), lr);
          return value;
        });
        if (hits === undefined) throw new Error('internal: the training step produced no accuracy');
        const [l, a] = [(await loss.data())[0] as number, (await (hits as tfc.Tensor).data())[0] as number];
        loss.dispose();
        (hits as tfc.Tensor).dispose();
        step++;
        lossSum += l;
        correct += a;
        imagesDone += b.size;
        const elapsed = (performance.now() - started) / 1000;
        const perSecond = imagesDone / elapsed;
        const remaining = (o.epochs - epoch - 1) * stepsPerEpoch + (stepsPerEpoch - step);
        onEvent({ type: 'step', epoch, step, stepsPerEpoch, loss: lossSum / step, accuracy: correct / (step * o.batchSize), imagesPerSecond: perSecond, etaSeconds: (remaining * o.batchSize) / perSecond });
      }
      const evaluation = await evaluate(engine, model, held, undefined);
      const seconds = (performance.now() - epochStart) / 1000;
      const report: EpochReport = { epoch, lr, trainLoss: lossSum / step, trainAccuracy: correct / (step * o.batchSize), evalLoss: evaluation.loss, evalAccuracy: evaluation.accuracy, seconds, imagesPerSecond: (step * o.batchSize) / seconds };
      history.push(report);
      let checkpoint: string | undefined;
      if (o.checkpointDir !== undefined) {
        checkpoint = await writeCheckpoint(o.checkpointDir, graph, await model.values(), await optimizer.slots(), { epoch: epoch + 1, normalize, seed: o.seed, history, settings });
      }
      onEvent({ type: 'epoch', report, ...(checkpoint === undefined ? {} : { checkpoint }) });
    }
    const evaluation = await evaluate(engine, model, held, undefined);
    return { engine: engine.name, values: await model.values(), normalize, inputNormalize, history, evaluation };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
