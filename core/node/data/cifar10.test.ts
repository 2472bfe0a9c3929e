import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../../data/image-dataset.js';
import { readCifar10 } from './cifar10.js';
import { openData } from './open-data.js';

// CIFAR-10 itself cannot be downloaded here: these files are written in its binary format (a label
// byte, then the red, green and blue 32×32 planes) with pixels that say which record they came from.
function record(label: number, seed: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let i = 0; i < 3072; i++) r[1 + i] = (seed * 31 + i) & 0xff;
  return r;
}

function batch(labels: number[], first: number): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, k) => out.set(record(l, first + k), k * 3073));
  return out;
}

describe('CIFAR-10 binary batches', () => {
  let dir = '';
  const at = (...p: string[]) => path.join(dir, ...p);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reframe-cifar-'));
    await mkdir(at('cifar-10-batches-bin'));
    await writeFile(at('cifar-10-batches-bin', 'data_batch_1.bin'), batch([0, 1, 2], 0));
    await writeFile(at('cifar-10-batches-bin', 'data_batch_2.bin'), batch([9, 8], 3));
    await writeFile(at('cifar-10-batches-bin', 'test_batch.bin'), batch([5], 100));
    await writeFile(at('torn.bin'), batch([1, 2], 0).subarray(0, 5000));
    await writeFile(at('label-11.bin'), batch([3, 11], 0));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('joins the training batches in order and keeps the planes as CHW', async () => {
    const { train, test, description } = await openData(dir);
    expect(description).toContain('CIFAR-10 binary batches');
    expect([train.length, test?.length, train.shape, train.classes[0]]).toEqual([5, 1, [3, 32, 32], 'airplane']);
    const px = new Uint8Array(2 * 3072);
    const labels = new Int32Array(2);
    await train.readBatch([3, 0], px, labels);
    expect([...labels]).toEqual([9, 0]);
    expect(px.subarray(0, 3072)).toEqual(record(9, 3).subarray(1));
    expect(px.subarray(3072)).toEqual(record(0, 0).subarray(1));
  });

  it.each([
    ['torn.bin', 'is not a whole number of 3073-byte CIFAR-10 records'],
    ['label-11.bin', 'record 1 has label 11; CIFAR-10 labels are 0–9'],
    ['absent.bin', 'no such file'],
  ])('%s: %s', async (file, message) => {
    const error = await readCifar10([at(file)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toContain(message);
  });
});
