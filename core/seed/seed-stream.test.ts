import { describe, expect, it } from 'vitest';
import { f32FromBits, seededMult } from './seed-mult.js';
import { regenerate, regenerateRange, seedKey, streamWords, type SeedDist, type SeededStreamParams } from './seed-stream.js';

const SEED = '0x0123456789ABCDEF';

describe('seedKey', () => {
  it('keys Philox with (low 32 bits, high 32 bits) of the seed, from hex or bigint', () => {
    expect(seedKey(SEED)).toEqual([0x89abcdef, 0x01234567]);
    expect(seedKey(0x0123456789abcdefn)).toEqual([0x89abcdef, 0x01234567]);
    expect(seedKey('0x1')).toEqual([1, 0]);
    expect(seedKey('0xffffffffffffffff')).toEqual([0xffffffff, 0xffffffff]);
    expect(seedKey('0x100000000')).toEqual([0, 1]);
    expect(seedKey((1n << 64n) - 1n)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('refuses seeds that are not 64-bit', () => {
    for (const bad of ['0x', '1234', '0x10000000000000000', '0xg1', ' 0x1', '0X1']) expect(() => seedKey(bad)).toThrow(RangeError);
    expect(() => seedKey(-1n)).toThrow(RangeError);
    expect(() => seedKey(1n << 64n)).toThrow(RangeError);
  });
});

describe('the worked example of DESIGN.md §5 (seed 0x0123456789ABCDEF)', () => {
  it('has words 0..5', () => {
    expect(Array.from(streamWords(SEED, 0, 6))).toEqual([0xb850222e, 0xc58cb04b, 0x14a7a020, 0x7a84fff9, 0xadca1466, 0x523e0d85]);
  });

  it('gives uniform elements 0..3 with mult bits 0x33715bef', () => {
    const mult = f32FromBits(0x33715bef);
    expect(mult).toBe(Math.fround(Math.sqrt(6 / 27) * 2 ** -23));
    expect(Array.from(regenerate({ seed: SEED, dist: 'uniform', mult }, 4))).toEqual([
      -0.26401224732398987, -0.21526406705379486, 0.07606843113899231, 0.45122072100639343,
    ]);
  });

  it('gives normal elements 0..3', () => {
    const mult = Math.fround(Math.sqrt(2 / 27) * Math.sqrt(3) * 2 ** -24);
    expect(Array.from(regenerate({ seed: SEED, dist: 'normal', mult }, 4))).toEqual([
      0.024006422609090805, 0.04397880285978317, -0.05056191608309746, 0.09261379390954971,
    ]);
  });

  it('gives sign elements 0..7 as − + + + − + − −', () => {
    const mult = Math.fround(Math.sqrt(2 / 27));
    const values = regenerate({ seed: SEED, dist: 'sign', mult }, 8);
    expect(Array.from(values)).toEqual([-1, 1, 1, 1, -1, 1, -1, -1].map((s) => s * mult));
  });
});

describe('streamWords', () => {
  it('gives from start 5 the tail of the words from 0, for any count', () => {
    const all = streamWords(SEED, 0, 64);
    for (const count of [1, 2, 3, 5, 59]) expect(streamWords(SEED, 5, count)).toEqual(all.subarray(5, 5 + count));
  });
});

describe('regenerateRange', () => {
  const dists: readonly SeedDist[] = ['uniform', 'normal', 'sign'];
  // Long enough to cross the 1024-element normal chunk; the sign chunk is crossed in its own test below.
  const n = 5003;

  for (const dist of dists) {
    it(`${dist}: any sub-range equals the same slice of the whole tensor`, () => {
      const params: SeededStreamParams = { seed: '0xbeef', dist, mult: 0.125 };
      const whole = regenerate(params, n);
      for (const [start, count] of [[0, 1], [1, 31], [5, 100], [31, 33], [32, 64], [1023, 2], [1000, 3000], [4999, 4], [n, 0]] as const) {
        expect(regenerateRange(params, start, count)).toEqual(whole.subarray(start, start + count));
      }
    });
  }

  it('uniform: the fused fast path gives f32(f32(word >> 8) · mult) for any alignment, also past 2^32 blocks', () => {
    const mult = Math.fround(0.37);
    for (const start of [0, 1, 7, 15, 16, 33, 2 ** 34 - 40, 2 ** 34 - 37]) {
      const count = 90;
      const words = new Int32Array(streamWords(SEED, start, count).buffer);
      const expected = Array.from(words, (w) => Math.fround(Math.fround(w >> 8) * mult));
      expect(Array.from(regenerateRange({ seed: SEED, dist: 'uniform', mult }, start, count))).toEqual(expected);
    }
  });

  it('normal and sign follow their definitions from the words', () => {
    const mult = Math.fround(0.37);
    const start = 2 ** 32 - 3;
    const words = streamWords(SEED, 4 * start, 4 * 10);
    const normal = Array.from({ length: 10 }, (_, e) => {
      let s = -(2 ** 25);
      for (let t = 0; t < 4; t++) s += words[4 * e + t]! >>> 8;
      return Math.fround(Math.fround(s) * mult);
    });
    expect(Array.from(regenerateRange({ seed: SEED, dist: 'normal', mult }, start, 10))).toEqual(normal);
    const signStart = 32 * 5 + 3;
    const signWords = streamWords(SEED, 5, 3);
    const sign = Array.from({ length: 70 }, (_, t) => {
      const i = signStart + t;
      return (signWords[Math.floor(i / 32) - 5]! >>> (i % 32)) & 1 ? mult : -mult;
    });
    expect(Array.from(regenerateRange({ seed: SEED, dist: 'sign', mult }, signStart, 70))).toEqual(sign);
  });

  it('sign: ranges across the scratch chunk of 4096 words equal the slice', () => {
    const params: SeededStreamParams = { seed: 7n, dist: 'sign', mult: 1 };
    const whole = regenerate(params, 4096 * 32 + 200);
    expect(regenerateRange(params, 4096 * 32 - 37, 150)).toEqual(whole.subarray(4096 * 32 - 37, 4096 * 32 + 113));
  });

  it('writes into a caller buffer, even a view at an offset, and leaves the rest alone', () => {
    for (const dist of dists) {
      const params: SeededStreamParams = { seed: SEED, dist, mult: 0.5 };
      const backing = new Float32Array(40).fill(9);
      const view = backing.subarray(3, 30);
      expect(regenerateRange(params, 2, 20, view)).toBe(view);
      expect(view.subarray(0, 20)).toEqual(regenerate(params, 22).subarray(2));
      expect(Array.from(backing.subarray(0, 3))).toEqual([9, 9, 9]);
      expect(Array.from(backing.subarray(23))).toEqual(new Array(17).fill(9));
    }
  });

  it('refuses a short buffer and bad ranges', () => {
    const params: SeededStreamParams = { seed: SEED, dist: 'uniform', mult: 1 };
    expect(() => regenerate(params, 5, new Float32Array(4))).toThrow(RangeError);
    expect(() => regenerateRange(params, -1, 2)).toThrow(RangeError);
    expect(() => regenerateRange(params, 0, 1.5)).toThrow(RangeError);
  });

  it('rounds mult to float32 so every result is a float32 value', () => {
    const values = regenerate({ seed: SEED, dist: 'uniform', mult: 0.1 }, 50);
    for (const v of values) expect(Math.fround(v)).toBe(v);
    expect(regenerate({ seed: SEED, dist: 'sign', mult: 0.1 }, 1)[0]).toBe(-Math.fround(0.1));
  });
});

describe('statistics over 100k samples', () => {
  const shape = [100, 1000];
  const count = 100_000;

  function moments(values: Float32Array): { mean: number; std: number } {
    let sum = 0;
    let sq = 0;
    for (const v of values) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / values.length;
    return { mean, std: Math.sqrt(sq / values.length - mean * mean) };
  }

  it('kaiming normal has mean ≈ 0 and std ≈ gain/√fan_in', () => {
    const sigma = Math.SQRT2 / Math.sqrt(1000);
    const mult = seededMult({ dist: 'normal', init: 'kaiming', gain: Math.SQRT2 }, shape);
    const { mean, std } = moments(regenerate({ seed: '0x5eed', dist: 'normal', mult }, count));
    // The standard error of the mean is σ/√n ≈ 0.0032σ; 5 of them is far outside chance.
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(count));
    expect(Math.abs(std / sigma - 1)).toBeLessThan(0.01);
  });

  it('kaiming uniform stays within ±bound with mean ≈ 0 and std ≈ bound/√3', () => {
    const bound = Math.SQRT2 * Math.sqrt(3 / 1000);
    const mult = seededMult({ dist: 'uniform', init: 'kaiming', gain: Math.SQRT2 }, shape);
    const values = regenerate({ seed: '0x5eed', dist: 'uniform', mult }, count);
    const { mean, std } = moments(values);
    let largest = 0;
    for (const v of values) largest = Math.max(largest, Math.abs(v));
    expect(largest).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(Math.abs(mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * count));
    expect(Math.abs((std * Math.sqrt(3)) / bound - 1)).toBeLessThan(0.01);
  });

  it('sign is ±σ with about as many of each', () => {
    const mult = seededMult({ dist: 'sign', init: 'kaiming', gain: 1 }, shape);
    const values = regenerate({ seed: '0x5eed', dist: 'sign', mult }, count);
    let plus = 0;
    let other = 0;
    for (const v of values) {
      if (v === mult) plus++;
      else if (v !== -mult) other++;
    }
    expect(other).toBe(0);
    expect(Math.abs(plus - count / 2)).toBeLessThan(5 * Math.sqrt(count / 4));
  });
});
