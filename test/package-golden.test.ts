// Golden packages: the exact bytes the packer must produce for the tiny preset (untrained initial
// values, spec included). They pin the format, the seed streams and the initial values at once, and
// are the test vectors the board runtimes read. After an intended format change, rewrite them with
// `UPDATE_GOLDEN=1 npx vitest run test/package-golden.test.ts` and say why in the commit.
import { readFile, writeFile } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { decodePackage } from '../core/package/decode-package.js';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import { checkTensorDigests } from '../core/package/read-tensor.js';
import { toHex } from '../core/package/tensor-digest.js';

const GOLDEN = new URL('./golden/', import.meta.url);

describe.each(['fp32', 'fp16', 'int8'] as const)('golden tiny package, %s', (dtype) => {
  const file = new URL(`tiny-${dtype}.rfpk`, GOLDEN);

  it('is what the packer produces, byte for byte', async () => {
    const bytes = packPreset('tiny', dtype);
    if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(file, bytes);
    const golden = new Uint8Array(await readFile(file));
    expect(toHex(sha256(bytes))).toBe(toHex(sha256(golden)));
    expect(bytes).toEqual(golden);
  });

  it('decodes and rebuilds every tensor to its digest', async () => {
    const pkg = decodePackage(new Uint8Array(await readFile(file)));
    expect(pkg.weightDtype).toBe(dtype);
    expect(pkg.graph.name).toBe('tiny');
    expect(pkg.tensors.filter((t) => t.seeded !== undefined).map((t) => t.seeded!.seed)).toEqual(['0x0000000000005eed', '0x0000000000005eee']);
    expect(checkTensorDigests(pkg)).toEqual([]);
  });
});
