import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openData } from './open-data.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-open-'));
  for (const split of ['train', 'test'])
    for (const [cls, colour] of [
      ['cat', { r: 200, g: 10, b: 30 }],
      ['dog', { r: 10, g: 200, b: 30 }],
    ] as const) {
      await mkdir(path.join(dir, split, cls), { recursive: true });
      for (let i = 0; i < 2; i++) {
        await sharp({ create: { width: 16, height: 12, channels: 3, background: colour } }).png().toFile(path.join(dir, split, cls, `${i}.png`));
      }
    }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('openData with image folders', () => {
  it('reads train/ and test/ at the shape the model takes: grey and resized for a 1×8×8 model', async () => {
    const { train, test, description } = await openData(dir, { inputShape: [1, 8, 8] });
    expect(description).toContain('image folders');
    expect([train.shape, test?.shape, train.classes, train.length]).toEqual([[1, 8, 8], [1, 8, 8], ['cat', 'dog'], 4]);
    const px = new Uint8Array(64);
    await train.readBatch([0], px, new Int32Array(1));
    // BT.601 luma of (200, 10, 30): 0.299·200 + 0.587·10 + 0.114·30 ≈ 69.
    expect(Math.abs(px[0]! - 69)).toBeLessThanOrEqual(1);
  });

  it('keeps RGB at the images’ own size without a model shape', async () => {
    const { train } = await openData(path.join(dir, 'train'));
    expect(train.shape).toEqual([3, 12, 16]);
  });
});
