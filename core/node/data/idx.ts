import { DatasetError } from '../../data/image-dataset.js';
import { readDataFile } from './read-data-file.js';

/** An IDX array of unsigned bytes (MNIST's format): its dimensions and its data. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Parses IDX (LeCun's MNIST format, used by Fashion-MNIST): two zero bytes, a type byte (0x08 =
 * unsigned byte, the only type image and label files use), the number of dimensions, then each
 * dimension as a big-endian u32, then the data.
 */
export function parseIdx(bytes: Uint8Array, path: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`${path}: ${bytes.length} bytes is too short for an IDX file`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError(`${path}: not an IDX file (the first two bytes must be zero)`);
  if (bytes[2] !== 0x08) throw new DatasetError(`${path}: IDX element type 0x${(bytes[2] ?? 0).toString(16)} is not unsigned byte (0x08)`);
  const rank = bytes[3] ?? 0;
  if (rank < 1 || rank > 4) throw new DatasetError(`${path}: IDX rank ${rank} is not 1 to 4`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new DatasetError(`${path}: the IDX header needs ${header} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) {
    throw new DatasetError(`${path}: dimensions ${dims.join('×')} need ${size} data bytes, the file has ${bytes.length - header}${bytes.length - header < size ? ' (truncated?)' : ''}`);
  }
  return { dims, data: bytes.subarray(header) };
}

export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readDataFile(path), path);
}
