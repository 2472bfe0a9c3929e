import type * as tfc from '@tensorflow/tfjs';
import { epochBatches } from '../../data/batch-pipeline.js';
import type { ChannelStats } from '../../data/channel-stats.js';
import type { ImageDataset } from '../../data/image-dataset.js';
import type { Engine } from '../engine/tf-engine.js';
import type { TfModel } from '../engine/tf-model.js';

export interface Evaluation {
  readonly images: number;
  readonly loss: number;
  readonly accuracy: number;
  /** confusion[true class][predicted class] = count. */
  readonly confusion: number[][];
}

/** Accuracy, mean cross-entropy and the confusion matrix over a whole dataset, in inference mode. */
export async function evaluate(engine: Engine, model: TfModel, ds: ImageDataset, normalize: ChannelStats | undefined, batchSize = 256): Promise<Evaluation> {
  const tf = engine.tf;
  const k = ds.classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let lossSum = 0;
  let correct = 0;
  for await (const b of epochBatches(ds, { batchSize, ...(normalize === undefined ? {} : { normalize }), shuffle: false, seed: '0x0', epoch: 0, keepLast: true })) {
    const [losses, predicted] = tf.tidy(() => {
      const logits = model.forward(tf.tensor(b.x, [b.size, ...ds.shape]), false) as tfc.Tensor2D;
      const labels = tf.oneHot(tf.tensor1d(b.y, 'int32'), k);
      return [tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.NONE), tf.argMax(logits, 1)];
    });
    const [l, p] = await Promise.all([losses.data(), predicted.data()]);
    losses.dispose();
    predicted.dispose();
    for (let i = 0; i < b.size; i++) {
      const truth = b.y[i] as number;
      const guess = p[i] as number;
      (confusion[truth] as number[])[guess] = ((confusion[truth] as number[])[guess] ?? 0) + 1;
      if (truth === guess) correct++;
      lossSum += l[i] as number;
    }
  }
  return { images: ds.length, loss: lossSum / ds.length, accuracy: correct / ds.length, confusion };
}
