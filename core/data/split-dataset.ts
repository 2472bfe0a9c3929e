import { DatasetError, type ImageDataset } from './image-dataset.js';
import { subsetDataset } from './in-memory-dataset.js';
import { SeededRandom } from './seeded-random.js';

/**
 * Holds out a random fraction of a dataset for validation; the same seed gives the same split.
 * Both parts keep at least one image.
 */
export function splitDataset(ds: ImageDataset, validationFraction: number, seed: string | bigint): { train: ImageDataset; validation: ImageDataset } {
  if (!(validationFraction > 0 && validationFraction < 1)) throw new DatasetError(`validation fraction ${validationFraction} must be between 0 and 1`);
  const count = Math.round(ds.length * validationFraction);
  if (count < 1 || count >= ds.length) throw new DatasetError(`${ds.name}: ${ds.length} images cannot be split ${Math.round((1 - validationFraction) * 100)}/${Math.round(validationFraction * 100)}`);
  const order = new SeededRandom(seed, 0x5b1).permutation(ds.length);
  return {
    train: subsetDataset(ds, order.slice(count), `${ds.name} (train split)`),
    validation: subsetDataset(ds, order.slice(0, count), `${ds.name} (validation split)`),
  };
}
