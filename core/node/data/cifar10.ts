import { DatasetError, type ImageDataset } from '../../data/image-dataset.js';
import { inMemoryDataset } from '../../data/in-memory-dataset.js';
import { readDataFile } from './read-data-file.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

const RECORD = 1 + 3 * 32 * 32;

/**
 * CIFAR-10's binary version: each record is one label byte (0–9) then 3072 pixel bytes, the red plane,
 * the green plane, the blue plane, each 32×32 row-major — already CHW. Several batch files are joined
 * in the order given.
 */
export async function readCifar10(paths: readonly string[], name = paths.join(', ')): Promise<ImageDataset> {
  if (paths.length === 0) throw new DatasetError('CIFAR-10: no batch files given');
  const files = await Promise.all(paths.map(async (p) => ({ path: p, bytes: await readDataFile(p) })));
  let count = 0;
  for (const f of files) {
    if (f.bytes.length === 0 || f.bytes.length % RECORD !== 0) {
      throw new DatasetError(`${f.path}: ${f.bytes.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records`);
    }
    count += f.bytes.length / RECORD;
  }
  const pixels = new Uint8Array(count * (RECORD - 1));
  const labels = new Uint8Array(count);
  let n = 0;
  for (const f of files) {
    for (let at = 0; at < f.bytes.length; at += RECORD, n++) {
      const label = f.bytes[at] as number;
      if (label >= 10) throw new DatasetError(`${f.path}: record ${at / RECORD} has label ${label}; CIFAR-10 labels are 0–9`);
      labels[n] = label;
      pixels.set(f.bytes.subarray(at + 1, at + RECORD), n * (RECORD - 1));
    }
  }
  return inMemoryDataset(name, [3, 32, 32], CIFAR10_CLASSES, pixels, labels);
}
