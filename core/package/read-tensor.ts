import { regenerate } from '../seed/seed-stream.js';
import type { DecodedPackage, TensorRecord } from './decode-package.js';
import { bytesEqual, tensorDigest, toHex } from './tensor-digest.js';
import { loadTensor } from './tensor-storage.js';

/** A tensor's float32 values: regenerated from its seed, or read back (dequantised) from DATA. */
export function readTensor(pkg: DecodedPackage, t: TensorRecord): Float32Array {
  if (t.seeded !== undefined) return regenerate({ seed: t.seeded.seed, dist: t.seeded.dist, mult: t.seeded.mult }, t.elements);
  return loadTensor(pkg.data.subarray(t.dataOffset, t.dataOffset + t.dataLength), t.dtype, t.elements, t.shape[0] ?? 1);
}

export interface DigestMismatch {
  readonly id: string;
  readonly expected: string;
  readonly actual: string;
}

/** Rebuilds every tensor and compares it with its recorded digest, as a board does after loading. */
export function checkTensorDigests(pkg: DecodedPackage): DigestMismatch[] {
  const bad: DigestMismatch[] = [];
  for (const t of pkg.tensors) {
    const actual = tensorDigest(readTensor(pkg, t));
    if (!bytesEqual(actual, t.digest)) bad.push({ id: t.id, expected: toHex(t.digest), actual: toHex(actual) });
  }
  return bad;
}
