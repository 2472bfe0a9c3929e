import type { ChannelStats } from './channel-stats.js';
import { imageBytes, type ImageDataset } from './image-dataset.js';
import { SeededRandom } from './seeded-random.js';

export interface Augmentation {
  /** Zero padding on each side before a random crop back to H×W (torchvision's RandomCrop(padding=p)); 0 = off. */
  readonly cropPadding: number;
  /** Mirror left-right with probability 1/2. */
  readonly horizontalFlip: boolean;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** (pixel ÷ 255 − mean) ÷ std; without it, raw pixel values 0..255 for a model that normalises its own input. */
  readonly normalize?: ChannelStats;
  /** Shuffle the order each epoch (training) or keep it (evaluation). */
  readonly shuffle: boolean;
  readonly augment?: Augmentation;
  readonly seed: string | bigint;
  readonly epoch: number;
  /** Keep a last batch smaller than batchSize (evaluation) or drop it (training). */
  readonly keepLast: boolean;
}

export interface Batch {
  /** NCHW float32: raw pixels, or (pixel / 255 − mean) / std, after augmentation. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly size: number;
}

/**
 * One epoch of batches. Only one batch of pixels is in memory at a time, so a dataset read lazily
 * from a folder stays lazy. Order and augmentation follow from (seed, epoch) alone.
 */
export async function* epochBatches(ds: ImageDataset, o: BatchOptions): AsyncGenerator<Batch> {
  const [c, h, w] = ds.shape;
  const size = imageBytes(ds.shape);
  const random = new SeededRandom(o.seed, 1 + o.epoch);
  const order = o.shuffle ? random.permutation(ds.length) : Array.from({ length: ds.length }, (_, i) => i);
  const raw = new Uint8Array(o.batchSize * size);
  const labels = new Int32Array(o.batchSize);
  const n = o.normalize;
  const scale = Array.from({ length: c }, (_, ch) => (n === undefined ? 1 : 1 / (255 * (n.std[ch] ?? 1))));
  const shift = Array.from({ length: c }, (_, ch) => (n === undefined ? 0 : (n.mean[ch] ?? 0) / (n.std[ch] ?? 1)));
  for (let start = 0; start < order.length; start += o.batchSize) {
    const indices = order.slice(start, start + o.batchSize);
    if (indices.length < o.batchSize && !o.keepLast) break;
    await ds.readBatch(indices, raw, labels);
    const x = new Float32Array(indices.length * size);
    for (let k = 0; k < indices.length; k++) {
      const pad = o.augment?.cropPadding ?? 0;
      const dy = pad > 0 ? random.below(2 * pad + 1) - pad : 0;
      const dx = pad > 0 ? random.below(2 * pad + 1) - pad : 0;
      const flip = o.augment?.horizontalFlip === true && random.coin();
      for (let ch = 0; ch < c; ch++) {
        const src = k * size + ch * h * w;
        const zero = 0 - (shift[ch] as number);
        for (let y = 0; y < h; y++) {
          const sy = y + dy;
          for (let xx = 0; xx < w; xx++) {
            const sx = (flip ? w - 1 - xx : xx) + dx;
            // Outside the image is the zero padding, normalised like any black pixel.
            x[src + y * w + xx] = sy < 0 || sy >= h || sx < 0 || sx >= w ? zero : (raw[src + sy * w + sx] as number) * (scale[ch] as number) - (shift[ch] as number);
          }
        }
      }
    }
    yield { x, y: labels.slice(0, indices.length), size: indices.length };
  }
}
