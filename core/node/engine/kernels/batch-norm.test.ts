import { describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForward } from './batch-norm.js';
import { centralDifference, dot, randomValues, relativeGap } from './kernel-checks.fixture.js';

const EPS = 1e-5;

/** The reference, in float64: batch mean, biased variance, and y = γ·(x − mean)/√(var + eps) + β. */
function reference(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, c: number, eps: number): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const m = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += x[i * c + ch]!;
    mean[ch] = s / m;
    let q = 0;
    for (let i = 0; i < m; i++) q += (x[i * c + ch]! - mean[ch]!) ** 2;
    variance[ch] = q / m;
  }
  const y = Float64Array.from(x, (v, i) => (gamma[i % c]! * (v - mean[i % c]!)) / Math.sqrt(variance[i % c]! + eps) + beta[i % c]!);
  return { y, mean, variance };
}

/**
 * [M, C] inputs whose channels sit at different offsets and scales, γ with a negative entry. The
 * offsets stay within a few tens of σ: the backward pass receives the mean in float32 (as PyTorch
 * saves it), whose rounding shifts x̂ by ulp(mean)/σ, 3e-4 of the gradient at mean/σ ≈ 1200.
 */
function inputs(m: number, c: number, seed: string) {
  const offsets = [0, 3, -20, 8, 0.5];
  const scales = [1, 0.5, 2, 0.3, 4];
  const x = randomValues(m * c, seed).map((v, i) => offsets[i % c % 5]! + scales[i % c % 5]! * v);
  const gamma = randomValues(c, seed, 1).map((v, i) => (i === 1 ? -1.5 : 1 + v));
  const beta = randomValues(c, seed, 2);
  return { x, gamma, beta };
}

function forward(x: Float32Array, gamma: Float32Array, beta: Float32Array, c: number) {
  // Outputs start as NaN, as a reused WebAssembly heap may hold anything: every element must be written.
  const y = new Float32Array(x.length).fill(Number.NaN);
  const mean = new Float32Array(c).fill(Number.NaN);
  const variance = new Float32Array(c).fill(Number.NaN);
  batchNormForward({ x, gamma, beta, channels: c, eps: EPS }, y, mean, variance);
  return { y, mean, variance };
}

describe('batch norm in training mode', () => {
  it.each([
    [18, 4],
    [50, 5],
    [7, 1],
  ])('forward: [%i, %i] matches the float64 reference (mean, biased variance, y)', (m, c) => {
    const { x, gamma, beta } = inputs(m, c, '0xc0');
    const ref = reference(x, gamma, beta, c, EPS);
    const out = forward(x, gamma, beta, c);
    out.mean.forEach((v, ch) => expect(relativeGap(v, ref.mean[ch]!, 1e-3)).toBeLessThan(1e-6));
    out.variance.forEach((v, ch) => expect(relativeGap(v, ref.variance[ch]!, 1e-6)).toBeLessThan(1e-5));
    out.y.forEach((v, i) => expect(Math.abs(v - ref.y[i]!)).toBeLessThan(2e-6));
  });

  it('keeps the variance accurate under a large mean (mean 1000, σ 0.01)', () => {
    const c = 2;
    const x = randomValues(64 * c, '0xc3').map((v, i) => (i % c === 0 ? 1000 + 0.01 * v : v));
    const gamma = Float32Array.from([2, 1]);
    const beta = Float32Array.from([0.5, 0]);
    const ref = reference(x, gamma, beta, c, EPS);
    const out = forward(x, gamma, beta, c);
    out.variance.forEach((v, ch) => expect(relativeGap(v, ref.variance[ch]!, 1e-12)).toBeLessThan(1e-5));
    out.y.forEach((v, i) => expect(Math.abs(v - ref.y[i]!)).toBeLessThan(2e-6));
  });

  it('divides by M, not M − 1 (the biased variance, as PyTorch normalises)', () => {
    // One channel holding 1, 3: mean 2, biased variance 1.
    const out = forward(Float32Array.from([1, 3]), Float32Array.from([1]), Float32Array.from([0]), 1);
    expect(Array.from(out.mean)).toEqual([2]);
    expect(Array.from(out.variance)).toEqual([1]);
    expect(out.y[0]).toBeCloseTo(-1 / Math.sqrt(1 + EPS), 6);
  });

  it.each([
    [18, 4],
    [12, 5],
  ])('backward: [%i, %i] matches central differences of Σ r·y for x, γ and β', (m, c) => {
    const { x, gamma, beta } = inputs(m, c, '0xc1');
    const r = randomValues(m * c, '0xc2');
    const { mean, variance } = forward(x, gamma, beta, c);
    const dx = new Float32Array(x.length).fill(Number.NaN);
    const dGamma = new Float32Array(c).fill(Number.NaN);
    const dBeta = new Float32Array(c).fill(Number.NaN);
    batchNormBackward({ x, gamma, channels: c, eps: EPS }, r, mean, variance, dx, dGamma, dBeta);
    // Differences of the float64 reference: a step of 1e-6 leaves truncation and rounding far below
    // the float32 gradients' own error.
    const [x64, g64, b64] = [Float64Array.from(x), Float64Array.from(gamma), Float64Array.from(beta)];
    const lossX = (xx: Float64Array) => dot(reference(xx, g64, b64, c, EPS).y, r);
    const lossGamma = (gg: Float64Array) => dot(reference(x64, gg, b64, c, EPS).y, r);
    const lossBeta = (bb: Float64Array) => dot(reference(x64, g64, bb, c, EPS).y, r);
    dx.forEach((g, i) => expect(relativeGap(g, centralDifference(lossX, x64, i, 1e-6))).toBeLessThan(1e-4));
    dGamma.forEach((g, ch) => expect(relativeGap(g, centralDifference(lossGamma, g64, ch, 1e-6))).toBeLessThan(1e-4));
    dBeta.forEach((g, ch) => expect(relativeGap(g, centralDifference(lossBeta, b64, ch, 1e-6))).toBeLessThan(1e-4));
  });
});
