import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { decodePackage } from './decode-package.js';
import { packPreset } from './package-test-support.fixture.js';
import { SECTION } from './package-constants.js';
import type { PackageCheck } from './package-error.js';

/** Recomputes every section CRC and the digest of an unsigned package, as a careful forger would. */
function reseal(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const count = view.getUint16(12, true);
  for (let i = 0; i < count; i++) {
    const at = 32 + 16 * i;
    const offset = view.getUint32(at + 4, true);
    view.setUint32(at + 12, crc32c(bytes, offset, offset + view.getUint32(at + 8, true)), true);
  }
  bytes.set(sha256(bytes.subarray(0, bytes.length - 32)), bytes.length - 32);
  return bytes;
}

function sectionOffset(bytes: Uint8Array, type: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < view.getUint16(12, true); i++) if (view.getUint32(32 + 16 * i, true) === type) return view.getUint32(32 + 16 * i + 4, true);
  throw new Error('no such section');
}

function rejection(bytes: Uint8Array): { check: PackageCheck; message: string } {
  try {
    decodePackage(bytes);
  } catch (error) {
    return { check: (error as { check: PackageCheck }).check, message: (error as Error).message };
  }
  throw new Error('accepted');
}

describe('decodePackage checks, in order', () => {
  const good = packPreset('tiny', 'fp32');

  it('size: truncated, extended, tiny or over the limit', () => {
    expect(rejection(good.subarray(0, good.length - 1))).toMatchObject({ check: 'size', message: expect.stringContaining('truncated') });
    expect(rejection(Uint8Array.of(...good, 0))).toMatchObject({ check: 'size', message: expect.stringContaining('extra bytes') });
    expect(rejection(good.subarray(0, 20)).check).toBe('size');
    expect(() => decodePackage(good, { maxBytes: 1000 })).toThrow('over the limit of 1000 bytes');
  });

  it('header: magic, version, flags, reserved bytes', () => {
    const edit = (at: number, v: number) => {
      const b = good.slice();
      b[at] = v;
      return rejection(b);
    };
    expect(edit(0, 0x50)).toMatchObject({ check: 'header', message: expect.stringContaining('bad magic') });
    expect(edit(4, 2)).toMatchObject({ check: 'header', message: expect.stringContaining('version 2 is not supported') });
    expect(edit(6, 0x80)).toMatchObject({ check: 'header', message: expect.stringContaining('unknown flag bits') });
    expect(edit(20, 1).check).toBe('header');
  });

  it('sections: CRC, layout and order', () => {
    const b = good.slice();
    b[sectionOffset(b, SECTION.GRPH) + 9]! ^= 0x10;
    expect(rejection(b)).toMatchObject({ check: 'sections', message: expect.stringContaining('section GRPH fails its CRC-32C') });
    const moved = good.slice();
    new DataView(moved.buffer).setUint32(32 + 16 + 4, sectionOffset(moved, SECTION.GRPH) + 4, true);
    expect(rejection(moved)).toMatchObject({ check: 'sections', message: expect.stringContaining('the layout puts it at') });
  });

  it('digest: any covered byte changed with its CRC fixed', () => {
    const b = good.slice();
    const at = sectionOffset(b, SECTION.DATA) + 8;
    b[at]! ^= 1;
    const view = new DataView(b.buffer);
    const count = view.getUint16(12, true);
    for (let i = 0; i < count; i++) {
      const off = view.getUint32(32 + 16 * i + 4, true);
      view.setUint32(32 + 16 * i + 12, crc32c(b, off, off + view.getUint32(32 + 16 * i + 8, true)), true);
    }
    expect(rejection(b)).toMatchObject({ check: 'digest' });
  });

  it('semantics: a resealed package whose graph disagrees with itself', () => {
    const b = good.slice();
    // bn1's stored output shape [8,28,28] becomes [9,28,28]. Records: input 24 bytes, conv1 24 + 4 + 36.
    const grph = sectionOffset(b, SECTION.GRPH);
    const bn1 = grph + 16 + 4 * 1 + 24 + 64;
    new DataView(b.buffer).setUint32(bn1 + 12, 9, true);
    expect(rejection(reseal(b))).toMatchObject({ check: 'semantics', message: expect.stringContaining('(bn1) stores shape [9,28,28], inference gives [8,28,28]') });
  });

  it('semantics: tensor data that overlaps or leaves DATA', () => {
    const b = good.slice();
    const tens = sectionOffset(b, SECTION.TENS);
    // Entry 1 (bn1.weight) claims the data offset of entry 0.
    new DataView(b.buffer).setUint32(tens + 4 + 96 + 44, 0, true);
    expect(rejection(reseal(b))).toMatchObject({ check: 'semantics', message: expect.stringContaining('overlapping, out of order or leaving a gap') });
    const c = good.slice();
    new DataView(c.buffer).setUint32(tens + 4 + 48, 0x7fffffff, true);
    expect(rejection(reseal(c)).check).toBe('semantics');
  });
});

describe('canonical encodings', () => {
  it('refuse a string table with a spare byte, even resealed', () => {
    const good = packPreset('tiny', 'fp32');
    const b = good.slice();
    const view = new DataView(b.buffer);
    // STRS is the first section; grow its length by one into its own zero padding (tiny's has two bytes).
    const length = view.getUint32(32 + 8, true);
    expect(length & 3).not.toBe(0);
    view.setUint32(32 + 8, length + 1, true);
    expect(rejection(reseal(b))).toMatchObject({ check: 'semantics', message: expect.stringContaining('STRS is not the canonical string table') });
  });
});
