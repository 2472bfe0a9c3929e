import { SeededRandom } from '../../../data/seeded-random.js';

/** Uniform values in [−1, 1) from a seed ("0x" and hex digits) and stream: the same on every run. */
export function randomValues(n: number, seed: string, stream = 0): Float32Array {
  const r = new SeededRandom(seed, stream);
  return Float32Array.from({ length: n }, () => r.u32() / 2 ** 31 - 1);
}

/** Σ a·b, accumulated in float64 so the sum adds no rounding of its own. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** |a − b| over the larger magnitude (and at least `floor`, so values near zero compare absolutely). */
export function relativeGap(a: number, b: number, floor = 1): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/**
 * ∂loss/∂x[i] by central differences. The step is taken as stored (x ± eps rounded to the array's
 * precision), so float32 inputs add no error of their own to the quotient.
 */
export function centralDifference<A extends Float32Array | Float64Array>(loss: (x: A) => number, x: A, i: number, eps: number): number {
  const up = x.slice() as A;
  const down = x.slice() as A;
  up[i] = (x[i] as number) + eps;
  down[i] = (x[i] as number) - eps;
  return (loss(up) - loss(down)) / ((up[i] as number) - (down[i] as number));
}

/**
 * For a linear `forward` and its claimed transpose `backward`: ⟨forward(x), r⟩ and ⟨x, backward(r)⟩
 * for random x and r. They are equal (up to rounding) for every x, r only if backward is the transpose.
 */
export function transposePair(forward: (x: Float32Array) => Float32Array, backward: (r: Float32Array) => Float32Array, inSize: number, outSize: number, seed: string): [number, number] {
  const x = randomValues(inSize, seed, 1);
  const r = randomValues(outSize, seed, 2);
  return [dot(forward(x), r), dot(x, backward(r))];
}
