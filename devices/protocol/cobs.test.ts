import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode, cobsMaxEncoded } from './cobs.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('COBS', () => {
  // Vectors from the Cheshire & Baker paper and the Wikipedia article on COBS.
  const vectors: [string, string][] = [
    ['', '01'],
    ['00', '0101'],
    ['0000', '010101'],
    ['001100', '01021101'],
    ['11220033', '03112202 33'.replace(' ', '')],
    ['11223344', '0511223344'],
    ['11000000', '02110101 01'.replace(' ', '')],
  ];
  it.each(vectors)('encodes %s as %s', (raw, enc) => {
    expect(hex(cobsEncode(Buffer.from(raw, 'hex')))).toBe(enc);
    expect(hex(cobsDecode(Buffer.from(enc, 'hex')) ?? new Uint8Array([0xde, 0xad]))).toBe(raw);
  });

  it('splits runs of 254 non-zero bytes', () => {
    const data = new Uint8Array(254).map((_, i) => i + 1);
    const enc = cobsEncode(data);
    expect(enc[0]).toBe(0xff);
    expect(enc.length).toBe(256);
    expect(cobsDecode(enc)).toEqual(data);
  });

  it('round-trips random data within the overhead bound and never emits a zero', () => {
    let s = 12345;
    for (let n = 0; n < 1200; n += 37) {
      const data = new Uint8Array(n).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) % 3 === 0 ? 0 : s & 0xff);
      const enc = cobsEncode(data);
      expect(enc.length).toBeLessThanOrEqual(cobsMaxEncoded(n));
      expect(enc.includes(0)).toBe(false);
      expect(cobsDecode(enc)).toEqual(data);
    }
  });

  it('rejects encodings that overrun or contain zeros', () => {
    expect(cobsDecode(Uint8Array.of(0x05, 0x11, 0x22))).toBeUndefined();
    expect(cobsDecode(Uint8Array.of(0x03, 0x00, 0x22))).toBeUndefined();
    expect(cobsDecode(Uint8Array.of(0x00))).toBeUndefined();
  });
});
