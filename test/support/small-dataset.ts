import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { create } from 'tar';
import { ROOT } from './reframe-cli.js';

const DEMO = join(ROOT, 'datasets', 'fashion-mnist-demo');

/** The first n records of a gzipped IDX file (header: magic, then one 32-bit size per dimension). */
async function idxHead(file: string, n: number): Promise<Buffer> {
  const all = gunzipSync(await readFile(join(DEMO, file)));
  const dims = all[3] as number;
  const header = Buffer.from(all.subarray(0, 4 + 4 * dims));
  const record = Array.from({ length: dims - 1 }, (_, i) => header.readUInt32BE(8 + 4 * i)).reduce((a, b) => a * b, 1);
  header.writeUInt32BE(n, 4);
  return Buffer.concat([header, all.subarray(4 + 4 * dims, 4 + 4 * dims + n * record)]);
}

/** The first images of the embedded demo data as a folder of IDX files, as `--data <dir>` takes. */
export async function writeSmallDemo(data: string, trainImages: number, testImages: number): Promise<void> {
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'train-images-idx3-ubyte'), await idxHead('train-images-idx3-ubyte.gz', trainImages));
  await writeFile(join(data, 'train-labels-idx1-ubyte'), await idxHead('train-labels-idx1-ubyte.gz', trainImages));
  await writeFile(join(data, 't10k-images-idx3-ubyte'), await idxHead('t10k-images-idx3-ubyte.gz', testImages));
  await writeFile(join(data, 't10k-labels-idx1-ubyte'), await idxHead('t10k-labels-idx1-ubyte.gz', testImages));
}

/**
 * A slice of the embedded demo data as a tar archive of IDX files, as `PUT /datasets/:name` takes:
 * small enough that a one-epoch job of the tiny preset takes seconds, real enough to learn from.
 */
export async function smallDemoTar(trainImages: number, testImages: number): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'reframe-small-data-'));
  try {
    const data = join(dir, 'data');
    await writeSmallDemo(data, trainImages, testImages);
    await create({ cwd: data, file: join(dir, 'data.tar'), portable: true }, ['.']);
    return new Uint8Array(await readFile(join(dir, 'data.tar')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
