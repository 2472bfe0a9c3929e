#!/usr/bin/env node
// Rebuilds datasets/fashion-mnist-demo/ from the full Fashion-MNIST of Debian's dataset-fashion-mnist
// package: the first 2,000 training and the first 500 test images with their labels, as gzipped IDX
// files. Run once by hand; the output is committed so training works out of the box anywhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const SOURCE = '/usr/share/datasets/fashion-mnist';
const OUT = new URL('../datasets/fashion-mnist-demo/', import.meta.url);

function head(file, count) {
  const bytes = gunzipSync(readFileSync(`${SOURCE}/${file}`));
  const rank = bytes[3];
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
  const itemBytes = rank === 3 ? header.readUInt32BE(8) * header.readUInt32BE(12) : 1;
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(4 + 4 * rank, 4 + 4 * rank + count * itemBytes)]);
}

for (const [file, count] of [
  ['train-images-idx3-ubyte.gz', 2000],
  ['train-labels-idx1-ubyte.gz', 2000],
  ['t10k-images-idx3-ubyte.gz', 500],
  ['t10k-labels-idx1-ubyte.gz', 500],
]) {
  writeFileSync(new URL(file, OUT), gzipSync(head(file, count), { level: 9 }));
}
