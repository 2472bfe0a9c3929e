import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelStats } from '../../data/channel-stats.js';
import { DatasetError } from '../../data/image-dataset.js';
import { readIdxDataset } from './idx-dataset.js';
import { openData } from './open-data.js';

// The real Fashion-MNIST of Debian's dataset-fashion-mnist, which `npm test` installs.
const FULL = '/usr/share/datasets/fashion-mnist';

function idx(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

describe('IDX files: the real Fashion-MNIST', () => {
  it('reads all 60,000 training and 10,000 test images with balanced labels', async () => {
    const { train, test, description } = await openData(FULL);
    expect(description).toContain('IDX files');
    expect([train.length, test?.length, train.shape]).toEqual([60_000, 10_000, [1, 28, 28]]);
    expect(train.classes[9]).toBe('Ankle boot');
    const labels = new Int32Array(60_000);
    await train.readBatch([...Array(60_000).keys()], new Uint8Array(60_000 * 784), labels);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    // The first training image is an ankle boot (label 9), as the dataset's own README shows.
    expect(labels[0]).toBe(9);
  });

  it('has the well-known pixel statistics (mean 0.2860, std 0.3530)', async () => {
    const { train } = await openData(FULL);
    const stats = await channelStats(train, 4096);
    expect(stats.mean[0]).toBeCloseTo(0.286, 3);
    expect(stats.std[0]).toBeCloseTo(0.353, 3);
  });

  it('serves the embedded demo sample, which is the head of the full set', async () => {
    const demo = await openData('demo');
    expect([demo.train.length, demo.test?.length]).toEqual([2000, 500]);
    const full = await openData(FULL);
    const a = new Uint8Array(784 * 3);
    const b = new Uint8Array(784 * 3);
    const la = new Int32Array(3);
    const lb = new Int32Array(3);
    await demo.test!.readBatch([0, 250, 499], a, la);
    await full.test!.readBatch([0, 250, 499], b, lb);
    expect(a).toEqual(b);
    expect(la).toEqual(lb);
  });
});

describe('IDX files: malformed ones get a clear error naming the file', () => {
  let dir = '';
  const at = (n: string) => path.join(dir, n);
  const good = { images: idx([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), labels: idx([2], Uint8Array.of(0, 9)) };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reframe-idx-'));
    const files: Record<string, Uint8Array> = {
      'images.idx': good.images,
      'images.idx.gz': gzipSync(good.images),
      'labels.idx': good.labels,
      'bad-magic.idx': Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 1, 5),
      'float.idx': idx([1], Uint8Array.of(0, 0, 0, 0), 0x0d),
      'truncated.idx': good.images.subarray(0, good.images.length - 3),
      'truncated.idx.gz': gzipSync(good.images).subarray(0, 20),
      'rank2-images.idx': idx([2, 4], new Uint8Array(8)),
      'three-labels.idx': idx([3], Uint8Array.of(0, 1, 2)),
      'label-10.idx': idx([2], Uint8Array.of(0, 10)),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(at(name), bytes);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads plain and gzipped files alike', async () => {
    for (const images of ['images.idx', 'images.idx.gz']) {
      const ds = await readIdxDataset(at(images), at('labels.idx'));
      const px = new Uint8Array(8);
      const labels = new Int32Array(2);
      await ds.readBatch([1, 0], px, labels);
      expect([...px]).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
      expect([...labels]).toEqual([9, 0]);
    }
  });

  it.each([
    ['bad-magic.idx', 'labels.idx', 'not an IDX file'],
    ['float.idx', 'labels.idx', 'element type 0xd is not unsigned byte'],
    ['truncated.idx', 'labels.idx', 'need 8 data bytes, the file has 5 (truncated?)'],
    ['truncated.idx.gz', 'labels.idx', 'the gzip data is damaged or truncated'],
    ['rank2-images.idx', 'labels.idx', 'an image file has 3 dimensions [N,H,W], this one has 2'],
    ['images.idx', 'three-labels.idx', '3 labels for 2 images'],
    ['images.idx', 'label-10.idx', 'label 10 of image 1 is not one of the 10 classes'],
    ['missing.idx', 'labels.idx', 'no such file'],
  ])('%s + %s: %s', async (images, labels, message) => {
    const error = await readIdxDataset(at(images), at(labels)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(dir);
  });
});
