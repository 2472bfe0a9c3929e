import { describe, expect, it } from 'vitest';
import { regenerate } from '../seed/seed-stream.js';
import { dequantizeInt8, fromHalfArray, quantizeInt8, roundHalfEven, toHalfArray } from './quantize.js';

const weights = (n: number, seed: string) => regenerate({ seed, dist: 'normal', mult: Math.fround(0.05 * Math.sqrt(3) * 2 ** -24) }, n);

describe('fp16 storage', () => {
  it('keeps every value within half an fp16 ulp (relative 2^-11) of the original', () => {
    const w = weights(100_000, '0x1');
    const back = fromHalfArray(toHalfArray(w));
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      // Below 2^-14 fp16 is subnormal: there the bound is absolute, half of 2^-24.
      const bound = Math.abs(v) >= 2 ** -14 ? Math.abs(v) * 2 ** -11 : 2 ** -25;
      worst = Math.max(worst, Math.abs(back[i]! - v) / bound);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('int8 storage', () => {
  it('keeps every value within half a step (scale / 2) of its channel', () => {
    const channels = 64;
    const w = weights(channels * 576, '0x2');
    const { scales, codes } = quantizeInt8(w, channels);
    const back = dequantizeInt8(scales, codes);
    const per = w.length / channels;
    for (let i = 0; i < w.length; i++) {
      const scale = scales[Math.floor(i / per)]!;
      expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(scale / 2 + scale * 2 ** -20);
    }
  });

  it('is symmetric with zero-point 0, never uses -128, and gives a zero channel scale 0', () => {
    const w = Float32Array.of(0.5, -0.5, 0.25, 0, 0, 0);
    const { scales, codes } = quantizeInt8(w, 2);
    expect([...codes]).toEqual([127, -127, 64, 0, 0, 0]);
    expect(scales[1]).toBe(0);
    expect(dequantizeInt8(scales, codes)[1]).toBe(-0.5);
  });

  it('rounds ties to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });
});
