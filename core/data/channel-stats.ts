import { imageBytes, type ImageDataset } from './image-dataset.js';

export interface ChannelStats {
  /** Per channel, on the 0..1 scale of pixel / 255. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Mean and standard deviation of each channel over a whole dataset, read in batches. */
export async function channelStats(ds: ImageDataset, batch = 256): Promise<ChannelStats> {
  const [c, h, w] = ds.shape;
  const plane = h * w;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const images = new Uint8Array(batch * imageBytes(ds.shape));
  const labels = new Int32Array(batch);
  for (let start = 0; start < ds.length; start += batch) {
    const indices = Array.from({ length: Math.min(batch, ds.length - start) }, (_, k) => start + k);
    await ds.readBatch(indices, images, labels);
    for (let k = 0; k < indices.length; k++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (k * c + ch) * plane;
        for (let p = 0; p < plane; p++) {
          const v = (images[base + p] as number) / 255;
          sum[ch] = (sum[ch] as number) + v;
          sq[ch] = (sq[ch] as number) + v * v;
        }
      }
    }
  }
  const n = ds.length * plane;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, ch) => Math.sqrt(Math.max(s / n - (mean[ch] as number) ** 2, 0)));
  return { mean, std };
}
