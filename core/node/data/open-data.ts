import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError, type ImageDataset } from '../../data/image-dataset.js';
import { readCifar10 } from './cifar10.js';
import { openImageFolder } from './image-folder.js';
import { readIdxDataset } from './idx-dataset.js';

export interface DataSplits {
  readonly train: ImageDataset;
  /** Absent when the source has no test part; the trainer then holds out a validation split. */
  readonly test?: ImageDataset;
  /** What was recognised, for the run's report: "Fashion-MNIST IDX in /usr/share/…". */
  readonly description: string;
}

const exists = (p: string) => access(p).then(() => true, () => false);

async function firstExisting(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const n of names) if (await exists(path.join(dir, n))) return path.join(dir, n);
  return undefined;
}

/** The embedded demo sample: found by walking up from this module, so it works from src and from dist. */
export async function demoDataFolder(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'datasets', 'fashion-mnist-demo');
    if (await exists(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new DatasetError('the embedded demo data (datasets/fashion-mnist-demo) is missing from this installation');
    dir = parent;
  }
}

async function idxPair(dir: string, prefix: 'train' | 't10k'): Promise<ImageDataset | undefined> {
  const images = await firstExisting(dir, [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`]);
  const labels = await firstExisting(dir, [`${prefix}-labels-idx1-ubyte.gz`, `${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`]);
  if (images === undefined && labels === undefined) return undefined;
  if (images === undefined || labels === undefined) throw new DatasetError(`${dir}: found ${path.basename((images ?? labels) as string)} but not its ${images === undefined ? 'images' : 'labels'} file`);
  return readIdxDataset(images, labels);
}

async function cifarFolder(dir: string): Promise<DataSplits | undefined> {
  const inner = (await exists(path.join(dir, 'cifar-10-batches-bin'))) ? path.join(dir, 'cifar-10-batches-bin') : dir;
  const names = await readdir(inner);
  const batches = names.filter((n) => /^data_batch_\d+\.bin$/.test(n)).sort();
  if (batches.length === 0) return undefined;
  const train = await readCifar10(batches.map((b) => path.join(inner, b)), `CIFAR-10 training batches in ${inner}`);
  const test = names.includes('test_batch.bin') ? await readCifar10([path.join(inner, 'test_batch.bin')], `CIFAR-10 test batch in ${inner}`) : undefined;
  return { train, ...(test === undefined ? {} : { test }), description: `CIFAR-10 binary batches in ${inner} (${batches.length} training batch file(s)${test === undefined ? ', no test batch' : ' + test batch'})` };
}

/**
 * Opens what `--data` names: `demo`; a folder of IDX files (MNIST / Fashion-MNIST names), of CIFAR-10
 * binary batches, or of images (one subfolder per class, or `train/` and `test/` each so); or a single
 * IDX images file (its labels file beside it) or CIFAR-10 batch file.
 */
export interface OpenOptions {
  /** The model's input shape: image folders are decoded to it (grey or RGB, resized) when it is [C, H, W]. */
  readonly inputShape?: readonly number[];
}

export async function openData(source: string, options: OpenOptions = {}): Promise<DataSplits> {
  const folder = (dir: string, shape = options.inputShape) => openImageFolder(dir, shape?.length === 3 ? { shape: [...shape] as [number, number, number] } : {});
  if (source === 'demo') {
    const dir = await demoDataFolder();
    const splits = await openData(dir, options);
    return { ...splits, description: `embedded Fashion-MNIST demo sample (${splits.train.length} train + ${splits.test?.length ?? 0} test images)` };
  }
  const info = await stat(source).catch(() => undefined);
  if (info === undefined) throw new DatasetError(`${source}: no such file or folder (give a folder, a data file, or "demo")`);
  if (info.isFile()) {
    if (/\.bin$/.test(source)) return { train: await readCifar10([source]), description: `CIFAR-10 batch file ${source}` };
    if (/images[-.]idx3-ubyte(\.gz)?$/.test(source)) {
      const labels = source.replace('images', 'labels').replace('idx3', 'idx1');
      return { train: await readIdxDataset(source, labels), description: `IDX images ${source} with labels ${labels}` };
    }
    throw new DatasetError(`${source}: not a data file this reader knows (IDX *-images-idx3-ubyte[.gz] or CIFAR-10 *.bin)`);
  }
  const train = await idxPair(source, 'train');
  if (train !== undefined) {
    const test = await idxPair(source, 't10k');
    return { train, ...(test === undefined ? {} : { test }), description: `IDX files in ${source}${test === undefined ? ' (no t10k test files)' : ''}` };
  }
  const cifar = await cifarFolder(source);
  if (cifar !== undefined) return cifar;
  const [trainDir, testDir] = [path.join(source, 'train'), path.join(source, 'test')];
  if ((await exists(trainDir)) && (await exists(testDir))) {
    const trainSet = await folder(trainDir);
    const testSet = await folder(testDir, trainSet.shape);
    if (testSet.classes.join('\n') !== trainSet.classes.join('\n')) throw new DatasetError(`${testDir}: classes ${testSet.classes.join(', ')} differ from ${trainDir}'s ${trainSet.classes.join(', ')}`);
    return { train: trainSet, test: testSet, description: `image folders ${trainDir} and ${testDir}` };
  }
  return { train: await folder(source), description: `image folder ${source}` };
}
