import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent } from './duration.js';

describe('formatDuration', () => {
  it('says seconds, minutes or hours as fits', () => {
    expect(formatDuration(0.14)).toBe('0.1 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7800)).toBe('2 h 10 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });

  it('gives shares as percentages', () => {
    expect(formatPercent(0.8734)).toBe('87.3%');
  });
});
