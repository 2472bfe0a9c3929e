import { describe, expect, it } from 'vitest';
import { fillPhiloxWords, fillUniformQuads, MAX_STREAM_WORDS, mulHi32, philox4x32 } from './philox.js';

const words = (hex: string): number[] => hex.split(' ').map((h) => Number.parseInt(h, 16));

/** Stream word j straight from the definition in DESIGN.md §5, through the one-block entry point. */
function definitionWord(key: readonly [number, number], j: number): number {
  const block = Math.floor(j / 4);
  return philox4x32([block % 2 ** 32, Math.floor(block / 2 ** 32), 0, 0], key)[j % 4]!;
}

describe('philox4x32', () => {
  it('gives the known answers of DESIGN.md §5', () => {
    expect(philox4x32([0, 0, 0, 0], [0, 0])).toEqual(words('6627e8d5 e169c58d bc57ac4c 9b00dbd8'));
    const ones = 0xffffffff;
    expect(philox4x32([ones, ones, ones, ones], [ones, ones])).toEqual(words('408f276d 41c83b0e a20bc7c6 6d5451fd'));
    expect(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual(
      words('d16cfe09 94fdcceb 5001e420 24126ea1'),
    );
  });
});

describe('mulHi32', () => {
  it('equals the exact 64-bit product shifted down, including the extremes', () => {
    const probes = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
    let x = 0x12345678;
    for (let i = 0; i < 200; i++) {
      // xorshift32: cheap spread of operands without relying on the code under test.
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      probes.push(x >>> 0);
    }
    for (const a of probes) {
      for (const b of probes.slice(0, 30)) {
        expect(mulHi32(a, b) >>> 0).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
        // Negative int32 spellings of the same bits give the same answer.
        expect(mulHi32(a | 0, b | 0) >>> 0).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
      }
    }
  });
});

describe('mulHi32 where rounding could go wrong', () => {
  const TWO_32 = 1n << 32n;
  /** a^-1 mod 2^32 for odd a, by Newton's iteration (each step doubles the correct low bits). */
  const inverse = (a: bigint): bigint => {
    let x = a;
    for (let i = 0; i < 5; i++) x = (x * (2n - a * x)) % TWO_32;
    return (x + TWO_32) % TWO_32;
  };

  it('is exact when the low half sits next to a multiple of 2^32 or at one half', () => {
    // The double product can round across hi·2^32 only when lo is within 2^11 of 0 or 2^32; 2^31 is
    // where a wrong rounding step would first show.
    const lows = [0n, 1n, 2n, 1023n, 1024n, 2047n, 2048n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 31n + 1n, TWO_32 - 2048n, TWO_32 - 1024n, TWO_32 - 1n];
    // For odd a, b = lo · a^-1 mod 2^32 is the one b below 2^32 with a·b ≡ lo; several a vary the high half.
    for (const a of [0xd2511f53n, 0xcd9e8d57n, 0xffffffffn, 0x80000001n, 3n, 0x9e3779b9n]) {
      const inv = inverse(a);
      for (const lo of lows) {
        const b = (inv * lo) % TWO_32;
        expect((a * b) % TWO_32).toBe(lo);
        expect(mulHi32(Number(a), Number(b)) >>> 0).toBe(Number((a * b) >> 32n));
      }
    }
  });

  it('agrees with BigInt on 100k pseudo-random pairs', () => {
    let x = 0x9e3779b9;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) {
      const a = next();
      const b = next();
      if (mulHi32(a, b) >>> 0 !== Number((BigInt(a) * BigInt(b)) >> 32n)) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('fillPhiloxWords', () => {
  const key = [0x89abcdef, 0x01234567] as const;

  it('matches the definition word by word for any start and a count not a multiple of 4', () => {
    for (const start of [0, 1, 2, 3, 5, 17]) {
      for (const count of [0, 1, 3, 4, 7, 13]) {
        const out = new Uint32Array(count);
        fillPhiloxWords(key, start, out);
        expect(Array.from(out)).toEqual(Array.from({ length: count }, (_, t) => definitionWord(key, start + t)));
      }
    }
  });

  it('matches the definition over runs long enough for the four-block path, from every lane', () => {
    for (const start of [0, 1, 2, 3, 4, 15, 16, 17]) {
      const count = 101;
      const out = new Uint32Array(count);
      fillPhiloxWords(key, start, out);
      expect(Array.from(out)).toEqual(Array.from({ length: count }, (_, t) => definitionWord(key, start + t)));
    }
  });

  it('gives from start 5 the tail of the words from 0', () => {
    const all = new Uint32Array(40);
    fillPhiloxWords(key, 0, all);
    const tail = new Uint32Array(35);
    fillPhiloxWords(key, 5, tail);
    expect(tail).toEqual(all.subarray(5));
  });

  it('carries the block counter into its high 32 bits', () => {
    const j = 2 ** 32 * 4 + 1;
    const one = new Uint32Array(3);
    fillPhiloxWords(key, j, one);
    expect(Array.from(one)).toEqual(philox4x32([0, 1, 0, 0], key).slice(1));
    // A range that runs across the carry, starting mid-block.
    const start = 2 ** 34 - 7;
    const across = new Uint32Array(14);
    fillPhiloxWords(key, start, across);
    expect(Array.from(across)).toEqual(Array.from({ length: 14 }, (_, t) => definitionWord(key, start + t)));
    expect(across[7]).toBe(philox4x32([0, 1, 0, 0], key)[0]);
  });

  it('carries correctly inside runs of four-block groups, aligned or not', () => {
    // Blocks 2^32 − 8 .. 2^32 + 8: aligned groups end exactly at the carry; offset ones straddle it.
    for (const start of [2 ** 34 - 32, 2 ** 34 - 30, 2 ** 34 - 20]) {
      const out = new Uint32Array(70);
      fillPhiloxWords(key, start, out);
      expect(Array.from(out)).toEqual(Array.from({ length: 70 }, (_, t) => definitionWord(key, start + t)));
    }
  });

  it('reaches word 2^53 − 1 and refuses to go past it', () => {
    const start = MAX_STREAM_WORDS - 6;
    const end = new Uint32Array(6);
    fillPhiloxWords(key, start, end);
    expect(Array.from(end)).toEqual(Array.from({ length: 6 }, (_, t) => definitionWord(key, start + t)));
    expect(() => fillPhiloxWords(key, start, new Uint32Array(7))).toThrow(RangeError);
    expect(() => fillPhiloxWords(key, -1, new Uint32Array(1))).toThrow(RangeError);
    expect(() => fillPhiloxWords(key, 0.5, new Uint32Array(1))).toThrow(RangeError);
  });

  it('writes the same bits into an Int32Array', () => {
    const u = new Uint32Array(9);
    const i = new Int32Array(9);
    fillPhiloxWords(key, 3, u);
    fillPhiloxWords(key, 3, i);
    expect(new Uint32Array(i.buffer)).toEqual(u);
  });
});

describe('fillUniformQuads', () => {
  const key = [0x89abcdef, 0x01234567] as const;

  it('gives f32(f32(word >> 8) · mult) for each word of whole groups of four blocks', () => {
    const mult = Math.fround(1 / 3);
    const out = new Float32Array(40).fill(7);
    fillUniformQuads(key, 8, 2, mult, out, 4);
    const words = new Int32Array(32);
    fillPhiloxWords(key, 32, words);
    expect(Array.from(out.subarray(4, 36))).toEqual(Array.from(words, (w) => Math.fround(Math.fround(w >> 8) * mult)));
    expect(Array.from(out.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(out.subarray(36))).toEqual([7, 7, 7, 7]);
  });

  it('refuses a group start that is not a multiple of four and an output too short', () => {
    expect(() => fillUniformQuads(key, 2, 1, 1, new Float32Array(16), 0)).toThrow(RangeError);
    expect(() => fillUniformQuads(key, 4, 2, 1, new Float32Array(31), 0)).toThrow(RangeError);
    expect(() => fillUniformQuads(key, 4, 1, 1, new Float32Array(16), 1)).toThrow(RangeError);
  });
});
