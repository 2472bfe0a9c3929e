import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../data/seeded-random.js';
import { centralDifference, dot, randomValues, sizeOf } from './kernel-checks.fixture.js';
import { maxPoolBackward, maxPoolForward, maxPoolOutputShape, type MaxPoolWindow } from './max-pool.js';

type Shape = [number, number, number, number];

const win = (k: number | [number, number], s: number | [number, number], p: number | [number, number]): MaxPoolWindow => ({
  kernel: typeof k === 'number' ? [k, k] : k,
  stride: typeof s === 'number' ? [s, s] : s,
  pad: typeof p === 'number' ? [p, p] : p,
});

/**
 * The reference: PyTorch's max_pool2d as a direct loop over each window in row-major order, padding
 * −∞ (never taken); a value wins if greater than the best so far or NaN, so the first maximum wins,
 * and the last NaN. The index starts at the window's first real element, as PyTorch's does, so a
 * window of −∞ sends its gradient there. Returns the outputs and, per output, the input index its
 * gradient goes to.
 */
function naiveMaxPool(x: Float32Array, [n, h, w, c]: Shape, pw: MaxPoolWindow): { out: Float32Array; from: Int32Array } {
  const [, ho, wo] = maxPoolOutputShape([n, h, w, c], pw);
  const out = new Float32Array(n * ho * wo * c);
  const from = new Int32Array(out.length).fill(-1);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let ky = 0; ky < pw.kernel[0]; ky++)
            for (let kx = 0; kx < pw.kernel[1]; kx++) {
              const iy = oy * pw.stride[0] - pw.pad[0] + ky;
              const ix = ox * pw.stride[1] - pw.pad[1] + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const i = ((b * h + iy) * w + ix) * c + ch;
              const v = x[i]!;
              if (at < 0) at = i;
              if (v > best || Number.isNaN(v)) [best, at] = [v, i];
            }
          const o = ((b * ho + oy) * wo + ox) * c + ch;
          out[o] = best;
          from[o] = at;
        }
  return { out, from };
}

function naiveBackward(x: Float32Array, dy: Float32Array, shape: Shape, pw: MaxPoolWindow): Float32Array {
  const { from } = naiveMaxPool(x, shape, pw);
  const dx = new Float32Array(x.length);
  from.forEach((i, o) => {
    if (i >= 0) dx[i]! += dy[o]!;
  });
  return dx;
}

// Outputs start as NaN, as a reused WebAssembly heap may hold anything: every element must be written.
function forward(x: Float32Array, shape: Shape, pw: MaxPoolWindow): Float32Array {
  const out = new Float32Array(sizeOf(maxPoolOutputShape(shape, pw))).fill(Number.NaN);
  maxPoolForward(x, shape, pw, out);
  return out;
}

function backward(x: Float32Array, dy: Float32Array, shape: Shape, pw: MaxPoolWindow): Float32Array {
  const dx = new Float32Array(x.length).fill(Number.NaN);
  maxPoolBackward(x, dy, shape, pw, dx);
  return dx;
}

const ones = (n: number) => new Float32Array(n).fill(1);

describe('max pool', () => {
  it('routes the gradient to the maximum of a window of negatives (the stock wasm MaxPoolGrad bug)', () => {
    const x = Float32Array.from([-5, -3, -9, -2, -7, -8, -3, -4, -6]);
    expect(Array.from(forward(x, [1, 3, 3, 1], win(3, 1, 0)))).toEqual([-2]);
    expect(Array.from(backward(x, ones(1), [1, 3, 3, 1], win(3, 1, 0)))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('pads with −∞ at the borders: padding never wins, even over negatives', () => {
    // 3×3 window, stride 2, padding 1 on a 3×3 image of −1..−9: windows centred on (0,0), (0,2), (2,0), (2,2).
    const x = Float32Array.from({ length: 9 }, (_, i) => -1 - i);
    const shape: Shape = [1, 3, 3, 1];
    expect(Array.from(forward(x, shape, win(3, 2, 1)))).toEqual([-1, -2, -4, -5]);
    expect(Array.from(backward(x, Float32Array.from([1, 2, 3, 4]), shape, win(3, 2, 1)))).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
  });

  it('sends each window of exact ties to its first element in row-major order only', () => {
    // Constant 4×4 image, 2×2 windows at stride 1: each window's top-left element.
    const dx = backward(ones(16), ones(9), [1, 4, 4, 1], win(2, 1, 0));
    expect(Array.from(dx)).toEqual([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
    // One 2×3 window: the maximum 5 in row 0 column 2 and row 1 column 0. Row-major first is row 0,
    // though row 1's copy sits in an earlier column.
    expect(Array.from(backward(Float32Array.from([0, 0, 5, 5, 0, 0]), ones(1), [1, 2, 3, 1], win([2, 3], 1, 0)))).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('lets NaN win a window, and the last NaN in row-major order takes the gradient (as PyTorch)', () => {
    // NaNs at (0,1) and (1,0), a larger 9 after both: the output is NaN and (1,0) is the last NaN.
    const x = Float32Array.from([1, Number.NaN, 5, Number.NaN, 2, 9, 0, 0, 0]);
    expect(Number.isNaN(forward(x, [1, 3, 3, 1], win(3, 1, 0))[0])).toBe(true);
    expect(Array.from(backward(x, ones(1), [1, 3, 3, 1], win(3, 1, 0)))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0]);
    // Two NaNs in one row and one in the row above: the later one in the row.
    const y = Float32Array.from([Number.NaN, 0, 0, Number.NaN, 7, Number.NaN]);
    expect(Array.from(backward(y, ones(1), [1, 2, 3, 1], win([2, 3], 1, 0)))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('sends the gradient of a window of −∞ to its first element, as PyTorch does', () => {
    const inf = Number.NEGATIVE_INFINITY;
    expect(Array.from(backward(new Float32Array(4).fill(inf), ones(1), [1, 2, 2, 1], win(2, 1, 0)))).toEqual([1, 0, 0, 0]);
    // First row all −∞, second row's first maximum is −∞ too: the window's first element.
    expect(Array.from(backward(Float32Array.from([inf, inf, inf, inf]), ones(1), [1, 2, 2, 1], win(2, 1, 0)))).toEqual([1, 0, 0, 0]);
    // With padding 1 at stride 2 over a 3×3 image of −∞: each window's first real element.
    expect(Array.from(backward(new Float32Array(9).fill(inf), Float32Array.from([1, 2, 3, 4]), [1, 3, 3, 1], win(3, 2, 1)))).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
    // −∞ in the first row, a finite value below: the finite value.
    expect(Array.from(backward(Float32Array.from([inf, inf, inf, -7]), ones(1), [1, 2, 2, 1], win(2, 1, 0)))).toEqual([0, 0, 0, 1]);
  });

  it('gives −∞ and no gradient for a window of padding only (wider padding than the spec allows)', () => {
    // 1×1 window, padding 1 on a 2×2 image: a 4×4 output whose border windows hold no pixel.
    const x = Float32Array.from([3, -1, 2, -4]);
    const inf = Number.NEGATIVE_INFINITY;
    expect(Array.from(forward(x, [1, 2, 2, 1], win(1, 1, 1)))).toEqual([inf, inf, inf, inf, inf, 3, -1, inf, inf, 2, -4, inf, inf, inf, inf, inf]);
    expect(Array.from(backward(x, Float32Array.from({ length: 16 }, (_, i) => i + 1), [1, 2, 2, 1], win(1, 1, 1)))).toEqual([6, 7, 10, 11]);
  });

  const cases: [string, Shape, MaxPoolWindow][] = [
    ['3×3, stride 1, padding 1', [2, 7, 7, 2], win(3, 1, 1)],
    ['3×3, stride 2, padding 1', [1, 8, 7, 3], win(3, 2, 1)],
    ['3×3, stride 2, no padding (last row and column dropped)', [2, 8, 8, 1], win(3, 2, 0)],
    ['3×3, stride 3', [1, 9, 9, 2], win(3, 3, 0)],
    ['2×3, stride [2, 1], padding [1, 0]', [2, 6, 7, 2], win([2, 3], [2, 1], [1, 0])],
  ];

  it.each(cases)('%s: many ties (values in {−2..1}) match the direct loop exactly', (_name, shape, pw) => {
    const r = new SeededRandom('0xa0');
    const x = Float32Array.from({ length: sizeOf(shape) }, () => r.below(4) - 2);
    const ref = naiveMaxPool(x, shape, pw);
    expect(forward(x, shape, pw)).toEqual(ref.out);
    // Integer gradients: sums are exact, so any misrouted one shows.
    const dy = Float32Array.from({ length: ref.out.length }, (_, i) => i + 1);
    expect(backward(x, dy, shape, pw)).toEqual(naiveBackward(x, dy, shape, pw));
  });

  it.each(cases)('%s: with NaNs and −∞ among ties, matches the direct loop exactly', (_name, shape, pw) => {
    const r = new SeededRandom('0xa1');
    const pick = [Number.NaN, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0];
    const x = Float32Array.from({ length: sizeOf(shape) }, () => pick[r.below(pick.length)]!);
    const ref = naiveMaxPool(x, shape, pw);
    // toEqual counts NaN equal to NaN.
    expect(forward(x, shape, pw)).toEqual(ref.out);
    const dy = Float32Array.from({ length: ref.out.length }, (_, i) => i + 1);
    expect(backward(x, dy, shape, pw)).toEqual(naiveBackward(x, dy, shape, pw));
  });

  it.each(cases)('%s: backward matches central differences of Σ r·y (distinct values)', (_name, shape, pw) => {
    // Distinct negatives 0.05 apart: a step of 1e-2 never changes a window's winner, so the quotient
    // is exact up to rounding.
    const order = new SeededRandom('0xa2').permutation(sizeOf(shape));
    const x = Float32Array.from(order, (k) => -0.05 * (k + 1));
    const r = randomValues(sizeOf(maxPoolOutputShape(shape, pw)), '0xa3');
    const dx = backward(x, r, shape, pw);
    const loss = (xx: Float32Array) => dot(forward(xx, shape, pw), r);
    dx.forEach((g, i) => expect(Math.abs(centralDifference(loss, x, i, 1e-2) - g)).toBeLessThan(1e-4));
  });
});
