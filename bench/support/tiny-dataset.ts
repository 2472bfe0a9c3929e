import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { demoDataFolder } from '../../core/node/data/open-data.js';

/** The first `count` items of one of the demo's gzipped IDX files, as an uncompressed IDX file. */
async function idxHead(file: string, count: number): Promise<Uint8Array> {
  const bytes = gunzipSync(await readFile(file));
  const rank = bytes[3] ?? 0;
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
  const itemBytes = rank === 3 ? header.readUInt32BE(8) * header.readUInt32BE(12) : 1;
  if (header.readUInt32BE(4) < count) throw new Error(`${file} holds fewer than ${count} items`);
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(4 + 4 * rank, 4 + 4 * rank + count * itemBytes)]);
}

/**
 * Writes a dataset folder of real Fashion-MNIST images, small enough that a training job is over in a
 * second or two: the first `train` training and `test` test images of the embedded demo, as IDX files.
 */
export async function writeTinyDataset(dir: string, train: number, test: number): Promise<string> {
  const demo = await demoDataFolder();
  await mkdir(dir, { recursive: true });
  for (const [name, count] of [
    ['train-images-idx3-ubyte', train],
    ['train-labels-idx1-ubyte', train],
    ['t10k-images-idx3-ubyte', test],
    ['t10k-labels-idx1-ubyte', test],
  ] as const) {
    await writeFile(path.join(dir, name), await idxHead(path.join(demo, `${name}.gz`), count));
  }
  return dir;
}
