import { DatasetError, type ImageDataset } from '../../data/image-dataset.js';
import { inMemoryDataset } from '../../data/in-memory-dataset.js';
import { readIdxFile } from './idx.js';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * An image/label pair of IDX files (MNIST, Fashion-MNIST): images [N, H, W] as one grey channel,
 * labels [N]. Class names default to Fashion-MNIST's, or digits when there are exactly 10 and the
 * caller says MNIST.
 */
export async function readIdxDataset(imagesPath: string, labelsPath: string, classes: readonly string[] = FASHION_MNIST_CLASSES): Promise<ImageDataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  if (images.dims.length !== 3) throw new DatasetError(`${imagesPath}: an image file has 3 dimensions [N,H,W], this one has ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new DatasetError(`${labelsPath}: a label file has 1 dimension [N], this one has ${labels.dims.length}`);
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new DatasetError(`${labelsPath}: ${labels.dims[0]} labels for ${n} images in ${imagesPath}`);
  const bad = labels.data.findIndex((l) => l >= classes.length);
  if (bad >= 0) throw new DatasetError(`${labelsPath}: label ${labels.data[bad]} of image ${bad} is not one of the ${classes.length} classes`);
  return inMemoryDataset(imagesPath, [1, h, w], classes, images.data, labels.data);
}
