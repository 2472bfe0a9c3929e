import { DatasetError, imageBytes, type ImageDataset } from './image-dataset.js';

/** A dataset whose pixels and labels are already in memory (IDX and CIFAR files, the demo set). */
export function inMemoryDataset(
  name: string,
  shape: readonly [number, number, number],
  classes: readonly string[],
  pixels: Uint8Array,
  labels: Uint8Array,
): ImageDataset {
  const size = imageBytes(shape);
  if (pixels.length !== labels.length * size) {
    throw new DatasetError(`${name}: ${labels.length} labels need ${labels.length * size} pixel bytes, got ${pixels.length}`);
  }
  const bad = labels.findIndex((l) => l >= classes.length);
  if (bad >= 0) throw new DatasetError(`${name}: label ${labels[bad]} of image ${bad} is not one of the ${classes.length} classes`);
  return {
    name,
    shape,
    classes,
    length: labels.length,
    readBatch(indices, images, out) {
      indices.forEach((index, k) => {
        if (!Number.isInteger(index) || index < 0 || index >= labels.length) throw new RangeError(`${name}: no image ${index} (${labels.length} images)`);
        images.set(pixels.subarray(index * size, (index + 1) * size), k * size);
        out[k] = labels[index] as number;
      });
      return Promise.resolve();
    },
  };
}

/** A view of some of a dataset's images, in the given order (splits, shuffles, small runs). */
export function subsetDataset(source: ImageDataset, indices: readonly number[], name = source.name): ImageDataset {
  for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= source.length) throw new RangeError(`${source.name}: no image ${i}`);
  return {
    name,
    shape: source.shape,
    classes: source.classes,
    length: indices.length,
    readBatch: (wanted, images, labels) => source.readBatch(wanted.map((i) => indices[i] as number), images, labels),
  };
}
