import { describe, expect, it } from 'vitest';
import { f32Bits, f32FromBits, seededMult, tensorFans } from './seed-mult.js';

describe('tensorFans', () => {
  it('follows PyTorch: channels times receptive field, and a 1-D tensor uses its length', () => {
    expect(tensorFans([64, 1, 3, 3])).toEqual({ fanIn: 9, fanOut: 576 });
    expect(tensorFans([128, 64, 3, 3])).toEqual({ fanIn: 576, fanOut: 1152 });
    expect(tensorFans([10, 512])).toEqual({ fanIn: 512, fanOut: 10 });
    expect(tensorFans([10])).toEqual({ fanIn: 10, fanOut: 10 });
    expect(() => tensorFans([])).toThrow(RangeError);
  });
});

describe('seededMult', () => {
  it('depthwise conv [64,1,3,3], kaiming fan_out, relu gain, normal', () => {
    const mult = seededMult({ dist: 'normal', init: 'kaiming', fan: 'fan_out', gain: Math.SQRT2 }, [64, 1, 3, 3]);
    expect(mult).toBe(Math.fround((Math.SQRT2 / Math.sqrt(576)) * Math.sqrt(3) * 2 ** -24));
  });

  it('reproduces the multipliers of the worked example (fan_in 27, gain √2)', () => {
    const shape = [16, 3, 3, 3];
    expect(f32Bits(seededMult({ dist: 'uniform', init: 'kaiming', gain: Math.SQRT2 }, shape))).toBe(0x33715bef);
    expect(seededMult({ dist: 'normal', init: 'kaiming', gain: Math.SQRT2 }, shape)).toBe(Math.fround(Math.sqrt(2 / 27) * Math.sqrt(3) * 2 ** -24));
    expect(seededMult({ dist: 'sign', init: 'kaiming', fan: 'fan_in', gain: Math.SQRT2 }, shape)).toBe(Math.fround(Math.sqrt(2 / 27)));
  });

  it('xavier uses fan_in + fan_out', () => {
    const shape = [10, 20];
    const gain = 1.5;
    expect(seededMult({ dist: 'sign', init: 'xavier', gain }, shape)).toBe(Math.fround(gain * Math.sqrt(2 / 30)));
    expect(seededMult({ dist: 'uniform', init: 'xavier', gain }, shape)).toBe(Math.fround(gain * Math.sqrt(6 / 30) * 2 ** -23));
    expect(seededMult({ dist: 'normal', init: 'xavier', gain }, shape)).toBe(Math.fround(gain * Math.sqrt(2 / 30) * Math.sqrt(3) * 2 ** -24));
  });

  it('returns values float32 holds exactly', () => {
    const mult = seededMult({ dist: 'uniform', init: 'kaiming', gain: 1 }, [7, 11]);
    expect(Math.fround(mult)).toBe(mult);
  });

  it('refuses empty fans and bad gains', () => {
    expect(() => seededMult({ dist: 'sign', init: 'kaiming', gain: 1 }, [4, 0, 3, 3])).toThrow(RangeError);
    expect(() => seededMult({ dist: 'sign', init: 'xavier', gain: 1 }, [0])).toThrow(RangeError);
    expect(() => seededMult({ dist: 'sign', init: 'kaiming', gain: 0 }, [4, 4])).toThrow(RangeError);
    expect(() => seededMult({ dist: 'sign', init: 'kaiming', gain: Number.NaN }, [4, 4])).toThrow(RangeError);
  });
});

describe('float32 bits', () => {
  it('round-trips through the IEEE-754 binary32 encoding', () => {
    expect(f32Bits(1)).toBe(0x3f800000);
    expect(f32Bits(-2)).toBe(0xc0000000);
    expect(f32FromBits(0xbf800000)).toBe(-1);
    expect(f32FromBits(0x33715bef)).toBe(Math.fround(Math.sqrt(6 / 27) * 2 ** -23));
    for (const bits of [0, 1, 0x7f7fffff, 0x80000000, 0xdeadbeef]) expect(f32Bits(f32FromBits(bits))).toBe(bits);
  });
});
