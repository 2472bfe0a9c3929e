import { channelStats } from '../../core/data/channel-stats.js';
import { DatasetError, imageBytes } from '../../core/data/image-dataset.js';
import { inputNormalizeOf } from '../../core/graph/input-normalize.js';
import type { ModelGraph } from '../../core/graph/model-graph.js';
import { openData } from '../../core/node/data/open-data.js';

export interface DatasetInputs {
  /** One float32 input per image, in the model's NCHW order. */
  readonly inputs: Float32Array[];
  readonly labels: string[];
  readonly classes: readonly string[];
  readonly description: string;
}

/**
 * The first `count` test images (the training part when there is no test part) as the model takes
 * them, normalised as `reframe eval` does: a model that normalises its own input gets raw pixel
 * values; an older one gets the training part's statistics.
 */
export async function datasetInputs(source: string, graph: ModelGraph, count: number): Promise<DatasetInputs> {
  const shape = graph.nodes[0]?.outputShape;
  const data = await openData(source, shape === undefined ? {} : { inputShape: shape });
  const part = data.test ?? data.train;
  if (shape !== undefined && part.shape.join('×') !== shape.join('×')) throw new DatasetError(`${data.description}: images are ${part.shape.join('×')} but ${graph.name} takes ${shape.join('×')}`);
  const n = Math.min(count, part.length);
  const [c, h, w] = part.shape;
  const per = imageBytes(part.shape);
  const raw = new Uint8Array(per * n);
  const labelIds = new Int32Array(n);
  await part.readBatch(Array.from({ length: n }, (_, i) => i), raw, labelIds);
  const stats = inputNormalizeOf(graph) === undefined ? await channelStats(data.train) : undefined;
  const inputs: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const x = new Float32Array(per);
    for (let ch = 0; ch < c; ch++) {
      const std = stats?.std[ch] ?? 1;
      const scale = stats === undefined ? 1 : 1 / (255 * std);
      const shift = stats === undefined ? 0 : (stats.mean[ch] ?? 0) / std;
      for (let p = ch * h * w; p < (ch + 1) * h * w; p++) x[p] = (raw[i * per + p] as number) * scale - shift;
    }
    inputs.push(x);
  }
  return { inputs, labels: Array.from(labelIds, (l) => part.classes[l] ?? String(l)), classes: part.classes, description: data.description };
}
