import { describe, expect, it } from 'vitest';
import { formatBytes, formatChange, formatCount } from './quantity.js';

describe('quantities', () => {
  it('prints counts, bytes and changes the way reports quote them', () => {
    expect(formatCount(11_173_962)).toBe('11.17 M');
    expect(formatCount(30_528)).toBe('30.5 K');
    expect(formatCount(9600)).toBe('9600');
    expect(formatBytes(1_835_008)).toBe('1.75 MiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatChange(1_107_786 / 11_173_962 - 1)).toBe('−90.1%');
    expect(formatChange(1.3333)).toBe('+133.3%');
    expect(formatChange(-0.0001)).toBe('0.0%');
  });
});
