import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, imageBytes, type ImageDataset } from '../../data/image-dataset.js';
import { openImageFolder } from './image-folder.js';

type Rgb = readonly [number, number, number];

const RED: Rgb = [200, 10, 30];
const GREEN: Rgb = [10, 200, 30];
const BLUE: Rgb = [0, 0, 255];

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-folder-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes `rel` under the test folder, creating its folders. */
async function put(rel: string, bytes: Uint8Array | string): Promise<string> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

function encode(image: Sharp, rel: string): Sharp {
  return rel.endsWith('.png') ? image.png() : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
}

/** A solid-colour PNG or JPEG (by the name's ending). */
async function solid(rel: string, width: number, height: number, [r, g, b]: Rgb): Promise<string> {
  return put(rel, await encode(sharp({ create: { width, height, channels: 3, background: { r, g, b } } }), rel).toBuffer());
}

/** An image from interleaved (HWC) pixels. */
async function pixels(rel: string, width: number, height: number, channels: 1 | 3 | 4, hwc: Uint8Array): Promise<string> {
  return put(rel, await encode(sharp(hwc, { raw: { width, height, channels } }), rel).toBuffer());
}

async function readAll(dataset: ImageDataset, indices = [...Array(dataset.length).keys()]): Promise<{ images: Uint8Array; labels: number[] }> {
  const images = new Uint8Array(indices.length * imageBytes(dataset.shape));
  const labels = new Int32Array(indices.length);
  await dataset.readBatch(indices, images, labels);
  return { images, labels: Array.from(labels) };
}

/** Image k of a batch, CHW. */
function imageAt(dataset: ImageDataset, images: Uint8Array, k: number): Uint8Array {
  const size = imageBytes(dataset.shape);
  return images.subarray(k * size, (k + 1) * size);
}

/** A solid image of `shape`, CHW. */
function filled(shape: readonly [number, number, number], colour: readonly number[]): Uint8Array {
  const plane = shape[1] * shape[2];
  const out = new Uint8Array(shape[0] * plane);
  for (let c = 0; c < shape[0]; c++) out.fill(colour[c] as number, c * plane, (c + 1) * plane);
  return out;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - (b[i] as number))), 0);
}

async function datasetError(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('openImageFolder: listing', () => {
  it('takes classes from the subfolders in code-unit order and skips hidden entries and non-images', async () => {
    await solid('zebra/b.png', 3, 2, BLUE);
    await solid('zebra/a.png', 3, 2, BLUE);
    await solid('Apple/1.png', 3, 2, RED);
    await solid('mango/x.JPG', 3, 2, GREEN);
    await put('mango/notes.txt', 'not an image');
    await put('mango/.DS_Store', 'finder');
    await solid('mango/.hidden.png', 3, 2, GREEN);
    await solid('.cache/c.png', 3, 2, GREEN);
    await put('README.md', '# data');

    const dataset = await openImageFolder(root);
    expect(dataset.name).toBe(root);
    expect(dataset.classes).toEqual(['Apple', 'mango', 'zebra']);
    expect(dataset.length).toBe(4);
    expect(dataset.shape).toEqual([3, 2, 3]);
    // .cache and README.md at the top; notes.txt, .DS_Store and .hidden.png in mango.
    expect(dataset.skipped).toBe(5);

    const { images, labels } = await readAll(dataset);
    expect(labels).toEqual([0, 1, 2, 2]);
    expect(imageAt(dataset, images, 0)).toEqual(filled(dataset.shape, RED));
    expect(imageAt(dataset, images, 3)).toEqual(filled(dataset.shape, BLUE));

    const again = await openImageFolder(root);
    expect(again.classes).toEqual(dataset.classes);
    expect((await readAll(again)).images).toEqual(images);
  });

  it('walks folders nested in a class and follows links, without looping', async () => {
    await solid('cat/a.png', 2, 2, RED);
    await solid('cat/more/b.png', 2, 2, GREEN);
    await solid('elsewhere/dog.png', 2, 2, BLUE);
    await symlink(path.join(root, 'elsewhere', 'dog.png'), path.join(root, 'cat', 'linked.png'));
    await symlink(path.join(root, 'cat'), path.join(root, 'cat', 'more', 'loop'));
    await symlink(path.join(root, 'missing.png'), path.join(root, 'cat', 'broken.png'));

    const dataset = await openImageFolder(root);
    expect(dataset.classes).toEqual(['cat', 'elsewhere']);
    expect(dataset.length).toBe(4);
    expect(dataset.skipped).toBe(2); // the loop and the broken link
    const { images, labels } = await readAll(dataset);
    expect(labels).toEqual([0, 0, 0, 1]);
    // a.png, linked.png, more/b.png: entries in name order, folders walked where they fall.
    expect([0, 1, 2].map((k) => imageAt(dataset, images, k)[0])).toEqual([RED[0], BLUE[0], GREEN[0]]);
  });
});

describe('openImageFolder: pixels', () => {
  it('reads PNG pixels exactly, as CHW', async () => {
    const [w, h] = [3, 2];
    const hwc = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
    await pixels('only/pattern.png', w, h, 3, hwc);
    const dataset = await openImageFolder(root);
    const { images } = await readAll(dataset);
    const chw = new Uint8Array(hwc.length);
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) chw[c * w * h + p] = hwc[p * 3 + c]!;
    expect(images).toEqual(chw);
  });

  it('reads JPEG pixels within a few levels', async () => {
    await solid('a/red.jpg', 8, 8, RED);
    await solid('b/green.jpeg', 8, 8, GREEN);
    const dataset = await openImageFolder(root);
    const { images } = await readAll(dataset);
    expect(maxDiff(imageAt(dataset, images, 0), filled(dataset.shape, RED))).toBeLessThanOrEqual(3);
    expect(maxDiff(imageAt(dataset, images, 1), filled(dataset.shape, GREEN))).toBeLessThanOrEqual(3);
  });

  it('returns a batch in the order asked', async () => {
    await solid('a/0.png', 2, 2, RED);
    await solid('b/1.png', 2, 2, GREEN);
    await solid('c/2.png', 2, 2, BLUE);
    const dataset = await openImageFolder(root);
    const { images, labels } = await readAll(dataset, [2, 0]);
    expect(labels).toEqual([2, 0]);
    expect(imageAt(dataset, images, 0)).toEqual(filled(dataset.shape, BLUE));
    expect(imageAt(dataset, images, 1)).toEqual(filled(dataset.shape, RED));
  });

  it('reads batches larger than the concurrency, with repeats', async () => {
    const colours = [RED, GREEN, BLUE];
    for (let i = 0; i < 9; i++) await solid(`c${i % 3}/${i}.png`, 2, 2, colours[i % 3]!);
    const dataset = await openImageFolder(root);
    const indices = [8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 8];
    const { images, labels } = await readAll(dataset, indices);
    expect(labels).toEqual(indices.map((i) => Math.floor(i / 3)));
    indices.forEach((i, k) => expect(imageAt(dataset, images, k)).toEqual(filled(dataset.shape, colours[Math.floor(i / 3)]!)));
  });

  it('takes the default shape from the first image and resizes the others to it', async () => {
    await solid('a/small.png', 5, 3, RED);
    await solid('b/large.png', 12, 9, GREEN);
    const dataset = await openImageFolder(root);
    expect(dataset.shape).toEqual([3, 3, 5]);
    const { images } = await readAll(dataset);
    expect(maxDiff(imageAt(dataset, images, 1), filled(dataset.shape, GREEN))).toBeLessThanOrEqual(1);
  });

  it('resizes to the shape asked, stretching without cropping', async () => {
    // Left half red, right half blue, 24×8; to 6 wide × 4 high, the outer columns keep their colour.
    const [w, h] = [24, 8];
    const hwc = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) hwc.set(p % w < w / 2 ? RED : BLUE, p * 3);
    await pixels('halves/a.png', w, h, 3, hwc);
    await solid('solid/b.jpg', 7, 7, GREEN);
    const dataset = await openImageFolder(root, { shape: [3, 4, 6] });
    expect(dataset.shape).toEqual([3, 4, 6]);
    const { images } = await readAll(dataset);
    const halves = imageAt(dataset, images, 0);
    const at = (c: number, y: number, x: number): number => halves[c * 24 + y * 6 + x]!;
    for (let y = 0; y < 4; y++) {
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(at(c, y, 0) - RED[c]!)).toBeLessThanOrEqual(2);
        expect(Math.abs(at(c, y, 5) - BLUE[c]!)).toBeLessThanOrEqual(2);
      }
    }
    expect(maxDiff(imageAt(dataset, images, 1), filled(dataset.shape, GREEN))).toBeLessThanOrEqual(3);
  });

  it('converts to one channel of BT.601 luma with grayscale, as PIL does', async () => {
    await solid('a/red.png', 4, 3, RED);
    await solid('b/green.png', 4, 3, GREEN);
    await solid('c/blue.png', 4, 3, BLUE);
    const dataset = await openImageFolder(root, { grayscale: true });
    expect(dataset.shape).toEqual([1, 3, 4]);
    const { images } = await readAll(dataset);
    // (19595 R + 38470 G + 7471 B + 32768) >> 16
    expect([0, 1, 2].map((k) => imageAt(dataset, images, k))).toEqual([69, 124, 29].map((v) => filled(dataset.shape, [v])));
    expect((await openImageFolder(root, { shape: [1, 2, 2] })).shape).toEqual([1, 2, 2]);
  });

  it('turns grey, 16-bit and RGBA sources into 8-bit RGB, dropping alpha', async () => {
    const [w, h] = [2, 2];
    await pixels('a/grey.png', w, h, 1, new Uint8Array(w * h).fill(100));
    const rgba = new Uint8Array(w * h * 4);
    for (let p = 0; p < w * h; p++) rgba.set([...RED, 128], p * 4);
    await pixels('b/rgba.png', w, h, 4, rgba);
    const sixteen = sharp({ create: { width: w, height: h, channels: 3, background: { r: GREEN[0], g: GREEN[1], b: GREEN[2] } } });
    await put('c/sixteen.png', await sixteen.toColourspace('rgb16').png().toBuffer());
    expect((await sharp(path.join(root, 'c/sixteen.png')).metadata()).depth).toBe('ushort');

    const dataset = await openImageFolder(root);
    const { images } = await readAll(dataset);
    expect(imageAt(dataset, images, 0)).toEqual(filled(dataset.shape, [100, 100, 100]));
    expect(imageAt(dataset, images, 1)).toEqual(filled(dataset.shape, RED));
    expect(imageAt(dataset, images, 2)).toEqual(filled(dataset.shape, GREEN));
  });
});

describe('openImageFolder: errors', () => {
  it('names a missing folder, and a file given as the folder', async () => {
    const missing = path.join(root, 'nope');
    expect((await datasetError(openImageFolder(missing))).message).toBe(`image folder ${missing} does not exist`);
    const file = await put('file.png', 'x');
    expect((await datasetError(openImageFolder(file))).message).toMatch(`${file} is not a folder`);
  });

  it('refuses an empty folder, and one with only hidden entries', async () => {
    expect((await datasetError(openImageFolder(root))).message).toMatch(`image folder ${root} is empty`);
    await solid('.hidden/a.png', 2, 2, RED);
    expect((await datasetError(openImageFolder(root))).message).toMatch(`image folder ${root} is empty (it has only hidden entries)`);
  });

  it('refuses a folder with no class subfolders', async () => {
    await solid('a.png', 2, 2, RED);
    await solid('b.png', 2, 2, GREEN);
    expect((await datasetError(openImageFolder(root))).message).toMatch(`image folder ${root} has no class subfolders`);
  });

  it('refuses a class folder with no images, naming it', async () => {
    await solid('cat/a.png', 2, 2, RED);
    await put('dog/readme.txt', 'woof');
    await put('dog/pic.bmp', 'BM');
    expect((await datasetError(openImageFolder(root))).message).toMatch(`class folder ${path.join(root, 'dog')} has no images (looked for .png .jpg`);
  });

  it('names a corrupt first image and the decoder’s reason when taking the default shape', async () => {
    const bad = await put('cat/a.png', 'not a png at all');
    await solid('dog/b.png', 2, 2, RED);
    expect((await datasetError(openImageFolder(root))).message).toBe(`cannot decode image ${bad}: Input buffer contains unsupported image format`);
  });

  it('names a corrupt or truncated image found by readBatch, and the decoder’s reason', async () => {
    await solid('cat/a.png', 2, 2, RED);
    const garbage = await put('dog/b.jpg', 'not a jpeg');
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer();
    const truncated = await put('dog/c.jpg', jpeg.subarray(0, jpeg.length - 40));
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    const cut = await put('dog/d.png', png.subarray(0, png.length - 20));
    const dataset = await openImageFolder(root);
    const images = new Uint8Array(imageBytes(dataset.shape));
    const labels = new Int32Array(1);
    await dataset.readBatch([0], images, labels);
    expect((await datasetError(dataset.readBatch([1], images, labels))).message).toBe(
      `cannot decode image ${garbage}: Input buffer contains unsupported image format`,
    );
    expect((await datasetError(dataset.readBatch([2], images, labels))).message).toMatch(new RegExp(`^cannot decode image ${truncated}: .*(premature|truncated)`, 'i'));
    expect((await datasetError(dataset.readBatch([3], images, labels))).message).toBe(`cannot decode image ${cut}: vipspng: libpng read error`);
  });

  it('names an image that cannot be read any more', async () => {
    await solid('cat/a.png', 2, 2, RED);
    const gone = await solid('dog/b.png', 2, 2, GREEN);
    const dataset = await openImageFolder(root);
    await rm(gone);
    const images = new Uint8Array(2 * imageBytes(dataset.shape));
    expect((await datasetError(dataset.readBatch([0, 1], images, new Int32Array(2)))).message).toBe(`cannot read image ${gone}: no such file`);
  });

  it('refuses shapes it cannot produce and a grayscale flag that contradicts the shape', async () => {
    await solid('cat/a.png', 2, 2, RED);
    expect((await datasetError(openImageFolder(root, { shape: [2, 4, 4] }))).message).toMatch('1 (grey) or 3 (RGB) channels, not 2');
    expect((await datasetError(openImageFolder(root, { shape: [3, 0, 4] }))).message).toMatch('positive integers, got [3, 0, 4]');
    expect((await datasetError(openImageFolder(root, { shape: [3, 4, 2.5] }))).message).toMatch('positive integers');
    expect((await datasetError(openImageFolder(root, { shape: [3, 4, 4], grayscale: true }))).message).toMatch('grayscale is true but shape [3, 4, 4] has 3 channels');
    expect((await datasetError(openImageFolder(root, { shape: [1, 4, 4], grayscale: false }))).message).toMatch('grayscale is false but shape [1, 4, 4] has 1 channel');
  });

  it('refuses indices out of range and buffers too small, before decoding anything', async () => {
    await solid('cat/a.png', 2, 2, RED);
    const dataset = await openImageFolder(root);
    const size = imageBytes(dataset.shape);
    for (const bad of [-1, 1, 0.5]) await expect(dataset.readBatch([bad], new Uint8Array(size), new Int32Array(1))).rejects.toThrow(RangeError);
    await expect(dataset.readBatch([0, 0], new Uint8Array(size), new Int32Array(2))).rejects.toThrow(RangeError);
    await expect(dataset.readBatch([0, 0], new Uint8Array(2 * size), new Int32Array(1))).rejects.toThrow(RangeError);
  });
});
