import { describe, expect, it } from 'vitest';
import { boxPoolBackward, boxPoolForward, boxPoolOutputShape, type BoxPoolWindow } from './box-pool.js';
import { centralDifference, dot, randomValues, relativeGap, sizeOf, transposePair } from './kernel-checks.fixture.js';

type Shape = [number, number, number, number];

/** One window for every channel. */
function uniform(c: number, k: [number, number], pad: [number, number], stride: [number, number], clipped: boolean): BoxPoolWindow {
  const each = (v: number) => Array.from({ length: c }, () => v);
  return { kh: each(k[0]), kw: each(k[1]), ph: each(pad[0]), pw: each(pad[1]), stride, clipped };
}

/** ReFrame's mixed pool: channel c has kernel ks[c] and padding k//2. */
function mixed(ks: number[], stride: number, clipped: boolean): BoxPoolWindow {
  const pad = ks.map((k) => Math.floor(k / 2));
  return { kh: ks, kw: ks, ph: pad, pw: pad, stride: [stride, stride], clipped };
}

/**
 * The reference: PyTorch's avg_pool2d as a direct loop over each channel's own window, counting the
 * pixels it covers. Each channel computes its own output size, and they must agree.
 */
function naiveBoxPool(x: Float32Array, [n, h, w, c]: Shape, win: BoxPoolWindow): { out: Float64Array; shape: Shape } {
  const sizes = Array.from({ length: c }, (_, ch) => [
    Math.floor((h + 2 * win.ph[ch]! - win.kh[ch]!) / win.stride[0]) + 1,
    Math.floor((w + 2 * win.pw[ch]! - win.kw[ch]!) / win.stride[1]) + 1,
  ]);
  const [ho, wo] = sizes[0]!;
  expect(sizes.every(([a, b]) => a === ho && b === wo), 'every channel has the same output size').toBe(true);
  const out = new Float64Array(n * ho! * wo! * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho!; oy++)
      for (let ox = 0; ox < wo!; ox++)
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          let count = 0;
          for (let ky = 0; ky < win.kh[ch]!; ky++)
            for (let kx = 0; kx < win.kw[ch]!; kx++) {
              const iy = oy * win.stride[0] - win.ph[ch]! + ky;
              const ix = ox * win.stride[1] - win.pw[ch]! + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += x[((b * h + iy) * w + ix) * c + ch]!;
              count++;
            }
          out[((b * ho! + oy) * wo! + ox) * c + ch] = sum / (win.clipped ? count : win.kh[ch]! * win.kw[ch]!);
        }
  return { out, shape: [n, ho!, wo!, c] };
}

// Outputs start as NaN, as a reused WebAssembly heap may hold anything: every element must be written.
function forward(x: Float32Array, shape: Shape, win: BoxPoolWindow): Float32Array {
  const out = new Float32Array(sizeOf(boxPoolOutputShape(shape, win))).fill(Number.NaN);
  boxPoolForward(x, shape, win, out);
  return out;
}

function backward(dy: Float32Array, shape: Shape, win: BoxPoolWindow): Float32Array {
  const dx = new Float32Array(sizeOf(shape)).fill(Number.NaN);
  boxPoolBackward(dy, shape, win, dx);
  return dx;
}

interface Case {
  readonly name: string;
  readonly shape: Shape;
  readonly win: BoxPoolWindow;
}

const cases: Case[] = [
  { name: '3×3, padding 1, count_include_pad', shape: [2, 5, 6, 3], win: uniform(3, [3, 3], [1, 1], [1, 1], false) },
  { name: '3×3, padding 1, count_include_pad = false', shape: [2, 5, 6, 3], win: uniform(3, [3, 3], [1, 1], [1, 1], true) },
  // 6 rows: windows at rows 0–2 and 2–4, row 5 dropped; 8 columns: column 7 dropped.
  { name: '3×3 at stride 2, the last row and column dropped by the floor', shape: [1, 6, 8, 2], win: uniform(2, [3, 3], [0, 0], [2, 2], false) },
  { name: '3×3 at stride 2 with padding 1, count_include_pad = false', shape: [2, 7, 6, 2], win: uniform(2, [3, 3], [1, 1], [2, 2], true) },
  { name: 'non-square 2×3 window, padding [1, 0], stride [1, 2]', shape: [1, 5, 7, 2], win: uniform(2, [2, 3], [1, 0], [1, 2], false) },
  { name: 'non-square 5×1 window, padding [2, 0], count_include_pad = false', shape: [2, 6, 4, 3], win: uniform(3, [5, 1], [2, 0], [1, 1], true) },
  { name: 'mixed pool: kernels 3, 5, 7 per channel, padding k//2', shape: [2, 7, 8, 5], win: mixed([3, 5, 7, 3, 5], 1, false) },
  { name: 'mixed pool: kernels 3, 5, 7, count_include_pad = false', shape: [2, 7, 8, 5], win: mixed([3, 5, 7, 3, 5], 1, true) },
  { name: 'mixed pool: kernels 3, 5, 7 at stride 2', shape: [1, 8, 7, 3], win: mixed([7, 5, 3], 2, false) },
  { name: 'mixed pool: kernels 3, 5, 7, 9, 11 at stride 2, count_include_pad = false', shape: [1, 9, 10, 5], win: mixed([3, 5, 7, 9, 11], 2, true) },
];

describe('box pool (average pooling with a window per channel)', () => {
  it('matches a hand-computed 3×3 image, counting the padding or not', () => {
    // 1..9 in a 3×3 image, 3×3 window, padding 1: the corner window holds 1, 2, 4, 5.
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const incl = forward(x, [1, 3, 3, 1], uniform(1, [3, 3], [1, 1], [1, 1], false));
    expect(incl[0]).toBeCloseTo(12 / 9, 6);
    expect(incl[4]).toBeCloseTo(45 / 9, 6);
    expect(incl[8]).toBeCloseTo((5 + 6 + 8 + 9) / 9, 6);
    const excl = forward(x, [1, 3, 3, 1], uniform(1, [3, 3], [1, 1], [1, 1], true));
    expect(excl[0]).toBeCloseTo(12 / 4, 6);
    expect(excl[1]).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 6) / 6, 6);
    expect(excl[4]).toBeCloseTo(5, 6);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: forward matches a direct loop', (_name, c) => {
    const x = randomValues(sizeOf(c.shape), '0xb0');
    const ref = naiveBoxPool(x, c.shape, c.win);
    expect(boxPoolOutputShape(c.shape, c.win)).toEqual(ref.shape);
    const out = forward(x, c.shape, c.win);
    expect(out.length).toBe(ref.out.length);
    out.forEach((v, i) => expect(Math.abs(v - ref.out[i]!)).toBeLessThan(1e-6));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: backward is the exact transpose of forward', (_name, c) => {
    const outShape = boxPoolOutputShape(c.shape, c.win);
    const [lhs, rhs] = transposePair(
      (x) => forward(x, c.shape, c.win),
      (r) => backward(r, c.shape, c.win),
      sizeOf(c.shape),
      sizeOf(outShape),
      '0xb1',
    );
    expect(relativeGap(lhs, rhs, 1e-3)).toBeLessThan(1e-5);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: backward matches central differences of Σ r·y', (_name, c) => {
    const x = randomValues(sizeOf(c.shape), '0xb2');
    const r = randomValues(sizeOf(boxPoolOutputShape(c.shape, c.win)), '0xb3');
    const dx = backward(r, c.shape, c.win);
    const loss = (xx: Float32Array) => dot(forward(xx, c.shape, c.win), r);
    // The op is linear: the quotient is exact up to the float32 rounding of the outputs.
    dx.forEach((g, i) => expect(Math.abs(centralDifference(loss, x, i, 1e-2) - g)).toBeLessThan(1e-4));
  });

  it('sends no gradient to the row and column a stride-2 window never reaches', () => {
    const shape: Shape = [1, 6, 8, 2];
    const win = uniform(2, [3, 3], [0, 0], [2, 2], false);
    const dx = backward(Float32Array.from({ length: sizeOf(boxPoolOutputShape(shape, win)) }, () => 1), shape, win);
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 8; x++)
        for (let c = 0; c < 2; c++) {
          const g = dx[(y * 8 + x) * 2 + c]!;
          if (y === 5 || x === 7) expect(g).toBe(0);
          // Rows and columns 2 and 4 sit in two windows each way.
          else expect(g).toBeCloseTo(((y === 2 ? 2 : 1) * (x === 2 || x === 4 ? 2 : 1)) / 9, 6);
        }
  });

  it('keeps precision on a large offset (the prefix sums run in float64)', () => {
    const shape: Shape = [1, 16, 16, 1];
    const x = randomValues(256, '0xb4').map((v) => 1000 + v);
    const win = uniform(1, [11, 11], [5, 5], [1, 1], true);
    const ref = naiveBoxPool(x, shape, win);
    forward(x, shape, win).forEach((v, i) => expect(Math.abs(v - ref.out[i]!)).toBeLessThan(1e-4));
  });
});
