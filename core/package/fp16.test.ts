import { describe, expect, it } from 'vitest';
import { fromHalfBits, toHalfBits } from './fp16.js';

describe('binary16', () => {
  it('converts known values exactly', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -14)).toBe(0x0400);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(-0)).toBe(0x8000);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(fromHalfBits(0x3555)).toBe(0.333251953125);
  });

  it('rounds ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: the even neighbour is 1.
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // 65520 is halfway between 65504 and 65536 (overflow): rounds to infinity, as IEEE says.
    expect(toHalfBits(65520)).toBe(0x7c00);
  });

  it('round-trips every half value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(v)) continue;
      expect(toHalfBits(v)).toBe(h);
    }
  });
});
