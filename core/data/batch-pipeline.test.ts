import { describe, expect, it } from 'vitest';
import { epochBatches, type BatchOptions } from './batch-pipeline.js';
import { inMemoryDataset } from './in-memory-dataset.js';
import { SeededRandom } from './seeded-random.js';
import { splitDataset } from './split-dataset.js';

// Ten 1×2×3 images whose pixels encode their index, labels = index mod 3.
const pixels = Uint8Array.from({ length: 10 * 6 }, (_, i) => Math.floor(i / 6) * 10 + (i % 6));
const ds = inMemoryDataset('toy', [1, 2, 3], ['a', 'b', 'c'], pixels, Uint8Array.from({ length: 10 }, (_, i) => i % 3));
const plain: BatchOptions = { batchSize: 4, normalize: { mean: [0], std: [1] }, shuffle: false, seed: '0x1', epoch: 0, keepLast: true };

async function collect(o: BatchOptions) {
  const out = [];
  for await (const b of epochBatches(ds, o)) out.push(b);
  return out;
}

describe('epochBatches', () => {
  it('keeps order, scales to 0..1 and normalises per channel', async () => {
    const batches = await collect(plain);
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    expect([...batches[0]!.y]).toEqual([0, 1, 2, 0]);
    expect(batches[0]!.x[6]).toBeCloseTo(10 / 255, 6);
    const norm = await collect({ ...plain, normalize: { mean: [0.5], std: [0.25] } });
    expect(norm[0]!.x[0]).toBeCloseTo((0 / 255 - 0.5) / 0.25, 6);
  });

  it('gives raw pixel values to a model that normalises its own input', async () => {
    const { normalize: _, ...raw } = plain;
    const batches = await collect(raw);
    expect([...batches[0]!.x.subarray(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  });

  it('drops a short last batch when training', async () => {
    expect((await collect({ ...plain, keepLast: false })).map((b) => b.size)).toEqual([4, 4]);
  });

  it('shuffles reproducibly from (seed, epoch) and differently across epochs', async () => {
    const first = await collect({ ...plain, shuffle: true });
    const again = await collect({ ...plain, shuffle: true });
    const next = await collect({ ...plain, shuffle: true, epoch: 1 });
    const order = (bs: typeof first) => bs.flatMap((b) => Array.from({ length: b.size }, (_, k) => Math.round((b.x[k * 6] ?? 0) * 255) / 10));
    expect(order(first)).toEqual(order(again));
    expect(order(first)).not.toEqual(order(next));
    expect([...order(first)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
  });

  it('crops with zero padding and flips like torchvision', async () => {
    // With padding 1 every shift is in -1..1; each output is the source shifted, or padding (0).
    const [b] = await collect({ ...plain, batchSize: 10, augment: { cropPadding: 1, horizontalFlip: true } });
    for (let k = 0; k < 10; k++) {
      const img = Array.from(b!.x.subarray(k * 6, k * 6 + 6), (v) => Math.round(v * 255));
      const candidates: number[][] = [];
      for (const flip of [false, true])
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++)
            candidates.push(
              Array.from({ length: 6 }, (_, p) => {
                const y = Math.floor(p / 3) + dy;
                const x = (flip ? 2 - (p % 3) : p % 3) + dx;
                return y < 0 || y > 1 || x < 0 || x > 2 ? 0 : k * 10 + y * 3 + x;
              }),
            );
      expect(candidates).toContainEqual(img);
    }
  });
});

describe('SeededRandom and splits', () => {
  it('draws unbiased integers and whole permutations, reproducibly', () => {
    const r = new SeededRandom('0x2a');
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.below(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(new SeededRandom('0x2a').permutation(50)).toEqual(new SeededRandom('0x2a').permutation(50));
    expect([...new SeededRandom('0x2a').permutation(50)].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('splits off a validation part that never overlaps the training part', async () => {
    const { train, validation } = splitDataset(ds, 0.2, '0x7');
    expect([train.length, validation.length]).toEqual([8, 2]);
    const seen = new Set<number>();
    for (const part of [train, validation]) {
      const px = new Uint8Array(part.length * 6);
      await part.readBatch([...Array(part.length).keys()], px, new Int32Array(part.length));
      for (let k = 0; k < part.length; k++) seen.add(px[k * 6]! / 10);
    }
    expect(seen.size).toBe(10);
    expect(() => splitDataset(ds, 1.5, '0x7')).toThrow('must be between 0 and 1');
  });
});
