import { describe, expect, it } from 'vitest';
import { concatLastAxis, sliceLastAxis, splitLastAxis } from './channels.js';
import { randomValues } from './kernel-checks.fixture.js';

/** Part p of `rows` rows holds 100·p + its own index, so every misplaced value names where it came from. */
const part = (p: number, rows: number, width: number) => Float32Array.from({ length: rows * width }, (_, i) => 100 * p + i);

/** The reference: row by row, each part's channels in order. */
function naiveConcat(parts: readonly Float32Array[], widths: readonly number[], rows: number): Float32Array {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) parts.forEach((p, i) => out.push(...p.subarray(r * widths[i]!, (r + 1) * widths[i]!)));
  return Float32Array.from(out);
}

const total = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0);

// Outputs start as NaN, as a reused WebAssembly heap may hold anything: every element must be written.
const dirty = (n: number) => new Float32Array(n).fill(Number.NaN);

describe('channel concat, split and slice along the last axis', () => {
  it('concatenates a hand-written case', () => {
    // Two rows; parts of 1 and 2 channels.
    const out = dirty(6);
    concatLastAxis([Float32Array.from([1, 2]), Float32Array.from([10, 11, 20, 21])], [1, 2], out);
    expect(Array.from(out)).toEqual([1, 10, 11, 2, 20, 21]);
  });

  it.each([
    ['uneven widths', [1, 3, 2], 5],
    ['equal widths', [4, 4, 4, 4], 3],
    ['a zero-width part', [2, 0, 3], 4],
    ['one part', [5], 2],
    ['one row', [3, 1], 1],
  ] as const)('%s %j × %i rows: concat matches the reference; split and each slice give the parts back', (_name, widths, rows) => {
    const parts = widths.map((w, p) => part(p, rows, w));
    const joined = dirty(rows * total(widths));
    concatLastAxis(parts, widths, joined);
    expect(joined).toEqual(naiveConcat(parts, widths, rows));

    const back = widths.map((w) => dirty(rows * w));
    splitLastAxis(joined, widths, back);
    back.forEach((b, p) => expect(b).toEqual(parts[p]));

    widths.forEach((w, p) => {
      const one = dirty(rows * w);
      sliceLastAxis(joined, total(widths), total(widths.slice(0, p)), w, one);
      expect(one).toEqual(parts[p]);
    });
  });

  it('split then concat is the identity on random values, for any grouping of the channels', () => {
    const x = randomValues(7 * 9, '0xd0');
    for (const widths of [[9], [4, 5], [1, 1, 7], [3, 3, 3], [2, 0, 6, 1]]) {
      const parts = widths.map((w) => dirty(7 * w));
      splitLastAxis(x, widths, parts);
      const again = dirty(x.length);
      concatLastAxis(parts, widths, again);
      expect(again).toEqual(x);
    }
  });

  it('slices a window of channels that no split boundary matches', () => {
    // 3 rows of 6 channels 0..5, 10..15, 20..25: channels 2..4.
    const x = Float32Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
    const out = dirty(9);
    sliceLastAxis(x, 6, 2, 3, out);
    expect(Array.from(out)).toEqual([2, 3, 4, 12, 13, 14, 22, 23, 24]);
  });

  it('does nothing on tensors with no channels', () => {
    const out = new Float32Array(0);
    concatLastAxis([new Float32Array(0), new Float32Array(0)], [0, 0], out);
    splitLastAxis(new Float32Array(0), [0, 0], [new Float32Array(0), new Float32Array(0)]);
    sliceLastAxis(new Float32Array(0), 0, 0, 0, out);
    expect(out.length).toBe(0);
  });
});
