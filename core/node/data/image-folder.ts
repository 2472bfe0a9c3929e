import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
// sharp over pure-JS decoders (pngjs + jpeg-js): one maintained library decodes PNG, JPEG, WebP, GIF,
// TIFF and AVIF, resizes and converts colour in native code off the main thread, and ships prebuilt
// libvips for Node >= 20.9 as @img/sharp-* packages, so nothing compiles at install time.
import sharp from 'sharp';
import { DatasetError, imageBytes, type ImageDataset } from '../../data/image-dataset.js';

export interface ImageFolderOptions {
  /** [C, H, W] every image is converted to; C is 1 or 3. Default: the first image's size. */
  readonly shape?: readonly [number, number, number];
  /** One channel (luma) instead of three (RGB). Default: false, or whatever `shape` says. */
  readonly grayscale?: boolean;
}

export interface ImageFolderDataset extends ImageDataset {
  /** Entries left out while listing: hidden ones (".name"), files that are not images, broken links. */
  readonly skipped: number;
}

/** File name endings read as images (case-insensitive); anything else in a class folder is skipped. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/** Files decoded at once by readBatch: enough to keep libuv's four threads busy, few enough to bound memory. */
const CONCURRENCY = 4;

/**
 * Opens a folder with one subfolder per class (`dir/cat/001.png`, `dir/dog/a.jpg`, …) as a dataset.
 *
 * - Classes are the subfolder names in code-unit order; images inside a class, nested folders
 *   included, are in the same order of their relative paths. Labels index the class list.
 * - Hidden entries (names starting with ".") and files without an image ending are skipped and counted
 *   in `skipped`. Symbolic links are followed (a link back to a folder being walked is skipped).
 * - Only the file list is held. readBatch reads and decodes the requested files, four at a time.
 *
 * Pixel policy: the first frame, with EXIF orientation ignored (pixels as stored, as torchvision and
 * Keras read them), is colour-managed to 8-bit sRGB; alpha is dropped without blending (PIL's
 * `convert('RGB')`). It is resized to H×W with sharp's default kernel (Lanczos-3), stretched to fit
 * (aspect ratio not kept, nothing cropped); an image already H×W is not resampled. With one channel,
 * each pixel is the ITU-R BT.601 luma of its RGB, rounded as PIL's `convert('L')` does, which is also
 * what a camera's Y channel gives; libvips' own greyscale is CIE luminance in linear light and differs.
 *
 * The default shape is the first image's height and width (read from its header), with C = 1 if
 * `grayscale` else 3. Every problem with the folder or an image is a DatasetError naming the path.
 */
export async function openImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const channels = channelsOf(dir, options);
  await expectFolder(dir);
  const listing = await listFolder(dir);
  const first = path.join(dir, listing.files[0] as string);
  const shape: readonly [number, number, number] = options.shape ? [channels, options.shape[1], options.shape[2]] : [channels, ...(await imageSize(first))];
  const size = imageBytes(shape);
  const { files, classes, skipped } = listing;
  const labels = Int32Array.from(listing.labels);

  return {
    name: dir,
    shape,
    classes,
    length: files.length,
    skipped,
    async readBatch(indices, images, out) {
      for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= files.length) throw new RangeError(`${dir}: no image ${i} (${files.length} images)`);
      if (images.length < indices.length * size) throw new RangeError(`${dir}: ${indices.length} images need ${indices.length * size} bytes, the buffer has ${images.length}`);
      if (out.length < indices.length) throw new RangeError(`${dir}: ${indices.length} labels need ${indices.length} slots, the buffer has ${out.length}`);
      await forEachLimited(indices.length, CONCURRENCY, async (k) => {
        const index = indices[k] as number;
        await decodeInto(path.join(dir, files[index] as string), shape, images.subarray(k * size, (k + 1) * size));
        out[k] = labels[index] as number;
      });
    },
  };
}

function channelsOf(dir: string, { shape, grayscale }: ImageFolderOptions): 1 | 3 {
  if (shape === undefined) return grayscale === true ? 1 : 3;
  const [c, h, w] = shape;
  if (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new DatasetError(`${dir}: shape must be [channels, height, width] of positive integers, got [${shape.join(', ')}]`);
  }
  if (c !== 1 && c !== 3) throw new DatasetError(`${dir}: images have 1 (grey) or 3 (RGB) channels, not ${c} (shape [${c}, ${h}, ${w}])`);
  if (grayscale !== undefined && grayscale !== (c === 1)) {
    throw new DatasetError(`${dir}: grayscale is ${grayscale} but shape [${c}, ${h}, ${w}] has ${c} channel${c === 1 ? '' : 's'}`);
  }
  return c;
}

async function expectFolder(dir: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(`image folder ${dir} does not exist`);
    throw new DatasetError(`cannot read image folder ${dir}: ${(error as Error).message}`);
  }
  if (!isDir) throw new DatasetError(`${dir} is not a folder: an image dataset is a folder with one subfolder per class`);
}

interface Listing {
  readonly classes: string[];
  /** Image paths relative to the dataset folder, class by class. */
  readonly files: string[];
  readonly labels: number[];
  skipped: number;
}

async function listFolder(dir: string): Promise<Listing> {
  const listing: Listing = { classes: [], files: [], labels: [], skipped: 0 };
  const entries = await sortedEntries(dir);
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  listing.skipped = entries.length - visible.length;
  if (visible.length === 0) {
    throw new DatasetError(`image folder ${dir} is empty${entries.length > 0 ? ' (it has only hidden entries)' : ''}: it needs one subfolder of images per class`);
  }
  const root = await stat(dir);
  for (const entry of visible) {
    const kind = await kindOf(dir, entry);
    if (kind.type !== 'dir') {
      listing.skipped++;
      continue;
    }
    const before = listing.files.length;
    await listClass(dir, entry.name, listing.classes.length, listing, [idOf(root), idOf(kind.stats)]);
    if (listing.files.length === before) {
      throw new DatasetError(`class folder ${path.join(dir, entry.name)} has no images (looked for ${IMAGE_EXTENSIONS.join(' ')})`);
    }
    listing.classes.push(entry.name);
  }
  if (listing.classes.length === 0) {
    throw new DatasetError(`image folder ${dir} has no class subfolders: put each class's images in a subfolder named for the class (${path.join(dir, '<class>', '<image>')})`);
  }
  return listing;
}

/** Adds the images under `dir/rel` with `label`; `ancestors` are the folders being walked, to stop link loops. */
async function listClass(dir: string, rel: string, label: number, listing: Listing, ancestors: readonly string[]): Promise<void> {
  const folder = path.join(dir, rel);
  for (const entry of await sortedEntries(folder)) {
    const kind = entry.name.startsWith('.') ? undefined : await kindOf(folder, entry);
    const child = path.join(rel, entry.name);
    if (kind?.type === 'file' && IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
      listing.files.push(child);
      listing.labels.push(label);
    } else if (kind?.type === 'dir' && !ancestors.includes(idOf(kind.stats))) {
      await listClass(dir, child, label, listing, [...ancestors, idOf(kind.stats)]);
    } else {
      listing.skipped++;
    }
  }
}

async function sortedEntries(folder: string): Promise<Dirent[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(`cannot read folder ${folder}: ${(error as Error).message}`);
  }
  // Code-unit order, not localeCompare: the class list (and so every label) must not depend on the locale.
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

type Kind = { type: 'file' } | { type: 'dir'; stats: { dev: number; ino: number } } | { type: 'other' };

/** What an entry is, following symbolic links; a broken link is 'other'. */
async function kindOf(folder: string, entry: Dirent): Promise<Kind> {
  if (entry.isFile()) return { type: 'file' };
  if (!entry.isDirectory() && !entry.isSymbolicLink()) return { type: 'other' };
  let stats;
  try {
    stats = await stat(path.join(folder, entry.name));
  } catch {
    return { type: 'other' };
  }
  if (stats.isDirectory()) return { type: 'dir', stats };
  return stats.isFile() ? { type: 'file' } : { type: 'other' };
}

function idOf(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

/** [height, width] of an image, from its header. */
async function imageSize(file: string): Promise<[number, number]> {
  const meta = await sharp(await readImage(file))
    .metadata()
    .catch((error: unknown) => {
      throw new DatasetError(`cannot decode image ${file}: ${decoderReason(error)}`);
    });
  return [meta.height, meta.width];
}

async function readImage(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new DatasetError(`cannot read image ${file}: ${reason}`);
  }
}

/** Decodes `file` into `target` as CHW uint8 of `shape`, by the policy of openImageFolder. */
async function decodeInto(file: string, shape: readonly [number, number, number], target: Uint8Array): Promise<void> {
  const [c, h, w] = shape;
  const bytes = await readImage(file);
  const { data, info } = await sharp(bytes)
    .resize(w, h, { fit: 'fill' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      throw new DatasetError(`cannot decode image ${file}: ${decoderReason(error)}`);
    });
  if (info.width !== w || info.height !== h || info.channels !== 3) {
    throw new DatasetError(`cannot decode image ${file}: the decoder gave ${info.width}×${info.height}×${info.channels}, not ${w}×${h}×3`);
  }
  const plane = h * w;
  if (c === 1) {
    // PIL's fixed-point BT.601 luma: (19595 R + 38470 G + 7471 B) / 65536, rounded.
    for (let p = 0; p < plane; p++) {
      target[p] = ((data[3 * p] as number) * 19595 + (data[3 * p + 1] as number) * 38470 + (data[3 * p + 2] as number) * 7471 + 0x8000) >> 16;
    }
    return;
  }
  for (let p = 0; p < plane; p++) {
    target[p] = data[3 * p] as number;
    target[plane + p] = data[3 * p + 1] as number;
    target[2 * plane + p] = data[3 * p + 2] as number;
  }
}

/** libvips repeats lines of its error log; one of each reads better in a message. */
function decoderReason(error: unknown): string {
  const lines = String(error instanceof Error ? error.message : error)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return [...new Set(lines)].join('; ');
}

/**
 * Runs work(0..count-1) at most `limit` at a time. After a failure no new work starts, and the first
 * error is thrown once the running ones settle, so nothing writes to the caller's buffers afterwards.
 */
async function forEachLimited(count: number, limit: number, work: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const k = next++;
      try {
        await work(k);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure !== undefined) throw failure.error;
}
