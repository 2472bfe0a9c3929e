import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../data/seeded-random.js';
import type { BoxPoolWindow } from './kernels/box-pool.js';
import { centralDifference, dot, randomValues, relativeGap, sizeOf } from './kernels/kernel-checks.fixture.js';
import type { MaxPoolWindow } from './kernels/max-pool.js';
import { initEngine } from './tf-engine.js';
import { batchNormTrainKernel, boxPool, concatChannels, maxPool, splitChannels, usesReframeKernels } from './tf-kernel-ops.js';

type T = tf.Tensor;
type T4 = tf.Tensor4D;
type Shape = [number, number, number, number];

const START = {
  wasm: async () => {
    await initEngine('wasm');
  },
  // The pure-JS backend: the kernels' other home, and the stock ops' reference implementation.
  cpu: async () => {
    await tf.setBackend('cpu');
  },
};

/** The values of f(), computed and released in a tidy scope. */
const valuesOf = (f: () => T): Float32Array => tf.tidy(() => Float32Array.from(f().dataSync()));

function expectClose(actual: () => T, expected: () => T, tolerance: number): void {
  const [a, e] = tf.tidy(() => {
    const [at, et] = [actual(), expected()];
    expect(at.shape).toEqual(et.shape);
    return [Float32Array.from(at.dataSync()), Float32Array.from(et.dataSync())];
  });
  expect(a.length).toBe(e.length);
  // One expectation for the worst element: an expect per element costs more than the ops here.
  // Equal values (infinities, NaNs) differ by 0; a NaN on one side only, by ∞.
  const gap = (i: number) => (a[i] === e[i] || (Number.isNaN(a[i]) && Number.isNaN(e[i])) ? 0 : Math.abs(a[i]! - e[i]!) || Number.POSITIVE_INFINITY);
  let at = 0;
  a.forEach((_, i) => {
    if (gap(i) > gap(at)) at = i;
  });
  expect(gap(at), `element ${at}: ${a[at]} vs ${e[at]}`).toBeLessThanOrEqual(tolerance);
}

/**
 * The gradient tf.grad gives for Σ r·f(x), r random, against central differences of the same op:
 * float32 outputs need a step of 1e-2 and a tolerance of 1e-2 (relative; absolute below `floor`).
 * At most ~48 elements, evenly spread and with the last (the kernels' own tests check every one).
 */
function expectGradientMatchesDifferences(f: (x: T) => T, x: Float32Array, shape: number[], seed: string, floor = 0.1): void {
  const outShape = tf.tidy(() => f(tf.tensor(x, shape)).shape);
  const r = randomValues(sizeOf(outShape), seed);
  const g = tf.tidy(() => {
    const rt = tf.tensor(r, outShape);
    return Float32Array.from(tf.grad((xx: T) => tf.sum(tf.mul(f(xx), rt)))(tf.tensor(x, shape)).dataSync());
  });
  expect(g.some((v) => v !== 0)).toBe(true);
  const loss = (xs: Float32Array) => tf.tidy(() => dot(f(tf.tensor(xs, shape)).dataSync(), r));
  const step = Math.ceil(g.length / 48);
  const checked = [...Array.from({ length: Math.ceil(g.length / step) }, (_, k) => k * step), g.length - 1];
  for (const i of checked) expect(relativeGap(g[i]!, centralDifference(loss, x, i, 1e-2), floor)).toBeLessThan(1e-2);
}

function padded(x: T, pad: readonly [number, number], value: number): T4 {
  return tf.pad(x as T4, [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]], value);
}

/** PyTorch's avg_pool2d from tfjs's: zero padding, then 'valid'; without counting the padding, divided by a pooled mask of ones. */
function stockAvgPool(x: T, k: [number, number], s: [number, number], pad: [number, number], includePad: boolean): T4 {
  const mean = tf.avgPool(padded(x, pad, 0), k, s, 'valid');
  if (includePad) return mean;
  return tf.div(mean, tf.avgPool(padded(tf.onesLike(x), pad, 0), k, s, 'valid'));
}

function uniform(c: number, k: [number, number], pad: [number, number], stride: [number, number], includePad: boolean): BoxPoolWindow {
  const each = (v: number) => Array.from({ length: c }, () => v);
  return { kh: each(k[0]), kw: each(k[1]), ph: each(pad[0]), pw: each(pad[1]), stride, clipped: !includePad };
}

function mixed(ks: number[], stride: number, includePad: boolean): BoxPoolWindow {
  const pad = ks.map((k) => Math.floor(k / 2));
  return { kh: ks, kw: ks, ph: pad, pw: pad, stride: [stride, stride], clipped: !includePad };
}

/** Per channel, the stock avgPool with that channel's own window. */
function stockMixedPool(x: T, ks: number[], stride: number, includePad: boolean): T {
  const c = x.shape[3]!;
  const channels = Array.from({ length: c }, (_, ch) => {
    const k = ks[ch]!;
    const half = Math.floor(k / 2);
    return stockAvgPool(tf.slice(x, [0, 0, 0, ch], [-1, -1, -1, 1]), [k, k], [stride, stride], [half, half], includePad);
  });
  return tf.concat(channels, 3);
}

const avgCases: [string, Shape, [number, number], [number, number], [number, number]][] = [
  ['3×3, padding 1', [2, 6, 7, 3], [3, 3], [1, 1], [1, 1]],
  ['3×3 at stride 2, padding 1, a row dropped by the floor', [2, 6, 7, 2], [3, 3], [2, 2], [1, 1]],
  ['non-square 2×3, stride [1, 2], padding [1, 0]', [1, 5, 7, 2], [2, 3], [1, 2], [1, 0]],
];

const maxCases: [string, Shape, MaxPoolWindow][] = [
  ['3×3, stride 1, padding 1', [2, 5, 6, 2], { kernel: [3, 3], stride: [1, 1], pad: [1, 1] }],
  ['3×3, stride 2, padding 1', [1, 7, 6, 3], { kernel: [3, 3], stride: [2, 2], pad: [1, 1] }],
  ['2×3, stride [2, 1], padding [1, 0]', [2, 6, 5, 2], { kernel: [2, 3], stride: [2, 1], pad: [1, 0] }],
];

describe.each(['wasm', 'cpu'] as const)('the project kernels as tfjs ops on the %s backend', (backend) => {
  beforeAll(async () => {
    await START[backend]();
    expect(tf.getBackend()).toBe(backend);
  });

  it('runs the project kernels on this backend', () => {
    expect(usesReframeKernels(tf)).toBe(true);
  });

  describe('boxPool', () => {
    it.each(avgCases)('%s: matches tf.avgPool on zero-padded input (count_include_pad)', (_name, shape, k, s, pad) => {
      const x = randomValues(sizeOf(shape), '0xe0');
      expectClose(() => boxPool(tf, tf.tensor(x, shape), uniform(shape[3], k, pad, s, true)), () => stockAvgPool(tf.tensor(x, shape), k, s, pad, true), 1e-6);
    });

    it.each(avgCases)('%s: matches tf.avgPool over a pooled mask of ones (count_include_pad = false)', (_name, shape, k, s, pad) => {
      const x = randomValues(sizeOf(shape), '0xe1');
      expectClose(() => boxPool(tf, tf.tensor(x, shape), uniform(shape[3], k, pad, s, false)), () => stockAvgPool(tf.tensor(x, shape), k, s, pad, false), 1e-6);
    });

    it.each([
      [1, true],
      [1, false],
      [2, true],
      [2, false],
    ])('mixed kernels 3, 5, 7 per channel at stride %i (count_include_pad %s): match tf.avgPool channel by channel', (stride, includePad) => {
      const shape: Shape = [2, 7, 8, 5];
      const ks = [3, 5, 7, 3, 5];
      const x = randomValues(sizeOf(shape), '0xe2');
      expectClose(() => boxPool(tf, tf.tensor(x, shape), mixed(ks, stride, includePad)), () => stockMixedPool(tf.tensor(x, shape), ks, stride, includePad), 1e-6);
    });

    it.each(avgCases)('%s: its gradient matches central differences', (_name, shape, k, s, pad) => {
      expectGradientMatchesDifferences((x) => boxPool(tf, x, uniform(shape[3], k, pad, s, false)), randomValues(sizeOf(shape), '0xe3'), shape, '0xe4');
    });

    it('mixed kernels 3, 5, 7 at stride 2: the gradient matches central differences', () => {
      const shape: Shape = [1, 7, 6, 3];
      expectGradientMatchesDifferences((x) => boxPool(tf, x, mixed([3, 5, 7], 2, true)), randomValues(sizeOf(shape), '0xe5'), shape, '0xe6');
    });
  });

  describe('maxPool', () => {
    it.each(maxCases)('%s: matches tf.maxPool on −∞-padded input, on negative values', (_name, shape, w) => {
      const x = randomValues(sizeOf(shape), '0xe7').map((v) => v - 2);
      expectClose(() => maxPool(tf, tf.tensor(x, shape), w), () => tf.maxPool(padded(tf.tensor(x, shape), w.pad, Number.NEGATIVE_INFINITY), [...w.kernel], [...w.stride], 'valid'), 0);
    });

    it.each(maxCases)('%s: the gradient matches central differences (distinct negatives)', (_name, shape, w) => {
      // 0.05 apart: a step of 1e-2 never changes a window's winner.
      const x = Float32Array.from(new SeededRandom('0xe8').permutation(sizeOf(shape)), (k) => -0.05 * (k + 1));
      expectGradientMatchesDifferences((xx) => maxPool(tf, xx, w), x, shape, '0xe9');
    });

    it('sends the gradient of exact ties to the first maximum in row-major order', () => {
      const g = valuesOf(() => tf.grad((x: T) => tf.sum(maxPool(tf, x, { kernel: [2, 2], stride: [1, 1], pad: [0, 0] })))(tf.fill([1, 3, 3, 1], -1)));
      expect(Array.from(g)).toEqual([1, 1, 0, 1, 1, 0, 0, 0, 0]);
    });

    it('sends the gradient to the maximum of a window of negatives', () => {
      const x = tf.tensor4d([-5, -3, -9, -2, -7, -8, -3, -4, -6], [1, 3, 3, 1]);
      const g = valuesOf(() => tf.grad((xx: T) => tf.sum(maxPool(tf, xx, { kernel: [3, 3], stride: [1, 1], pad: [0, 0] })))(x));
      expect(Array.from(g)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0]);
    });
  });

  describe('batchNormTrainKernel', () => {
    const shape: Shape = [2, 3, 3, 4];
    const x = randomValues(sizeOf(shape), '0xea').map((v, i) => v * (1 + (i % 4)) + (i % 4) - 1);
    const gamma = Float32Array.from([1.5, -0.5, 1, 2]);
    const beta = Float32Array.from([0.1, -0.2, 0.3, 0]);
    const ignore = () => undefined;

    it.each([
      ['NHWC', shape],
      ['[N, C]', [18, 4]],
    ])('%s: matches tf.moments and tf.batchNorm', (_name, s) => {
      expectClose(
        () => batchNormTrainKernel(tf, tf.tensor(x, s), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5, ignore),
        () => {
          const xt = tf.tensor(x, s);
          const m = tf.moments(xt, Array.from({ length: s.length - 1 }, (_, i) => i));
          return tf.batchNorm(xt, m.mean, m.variance, tf.tensor1d(beta), tf.tensor1d(gamma), 1e-5);
        },
        1e-5,
      );
    });

    it('hands onStats the batch mean and biased variance, once', () => {
      const seen: Float32Array[][] = [];
      tf.tidy(() => {
        batchNormTrainKernel(tf, tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5, (mean, variance) => {
          seen.push([Float32Array.from(mean.dataSync()), Float32Array.from(variance.dataSync())]);
        });
      });
      expect(seen.length).toBe(1);
      const [mean, variance] = seen[0]!;
      const moments = tf.tidy(() => {
        const m = tf.moments(tf.tensor(x, shape), [0, 1, 2]);
        return [Float32Array.from(m.mean.dataSync()), Float32Array.from(m.variance.dataSync())];
      });
      // And in float64: Σ(x − mean)² / M, M = 18 (biased, not / 17).
      const m = x.length / 4;
      for (let ch = 0; ch < 4; ch++) {
        const xs = Array.from({ length: m }, (_, i) => x[i * 4 + ch]!);
        const mu = xs.reduce((a, b) => a + b, 0) / m;
        const biased = xs.reduce((a, b) => a + (b - mu) ** 2, 0) / m;
        expect(mean![ch]).toBeCloseTo(mu, 5);
        expect(variance![ch]).toBeCloseTo(biased, 5);
        expect(mean![ch]).toBeCloseTo(moments[0]![ch]!, 5);
        expect(variance![ch]).toBeCloseTo(moments[1]![ch]!, 5);
      }
    });

    it('its gradients for x, γ and β match central differences', () => {
      const op = (xx: T, g: T, b: T) => batchNormTrainKernel(tf, xx, g, b, 1e-5, ignore);
      expectGradientMatchesDifferences((xx) => op(xx, tf.tensor1d(gamma), tf.tensor1d(beta)), x, shape, '0xeb');
      expectGradientMatchesDifferences((g) => op(tf.tensor(x, shape), g, tf.tensor1d(beta)), gamma, [4], '0xeb');
      expectGradientMatchesDifferences((b) => op(tf.tensor(x, shape), tf.tensor1d(gamma), b), beta, [4], '0xeb');
    });
  });

  describe('concatChannels and splitChannels', () => {
    const rows = [2, 3, 2];
    const widths = [1, 3, 2];
    const parts = widths.map((w, p) => randomValues(sizeOf(rows) * w, '0xec', p));

    it('concatChannels matches tf.concat for uneven widths, and one part comes back as is', () => {
      const make = () => parts.map((v, p) => tf.tensor(v, [...rows, widths[p]!]));
      expectClose(() => concatChannels(tf, make()), () => tf.concat(make(), -1), 0);
      tf.tidy(() => {
        const one = tf.tensor(parts[0]!, [...rows, 1]);
        expect(concatChannels(tf, [one])).toBe(one);
      });
    });

    it('concatChannels hands each part its own slice of the gradient', () => {
      const r = randomValues(sizeOf(rows) * 6, '0xed');
      const grads = tf.tidy(() => {
        const rt = tf.tensor(r, [...rows, 6]);
        const gs = tf.grads((...ps: T[]) => tf.sum(tf.mul(concatChannels(tf, ps), rt)))(parts.map((v, p) => tf.tensor(v, [...rows, widths[p]!])));
        const want = tf.split(rt, widths, -1);
        return gs.map((g, p) => [Float32Array.from(g.dataSync()), Float32Array.from(want[p]!.dataSync())]);
      });
      grads.forEach(([g, want]) => expect(g).toEqual(want));
    });

    it('splitChannels matches tf.split, and concatChannels puts the parts back', () => {
      const x = randomValues(sizeOf(rows) * 6, '0xee');
      tf.tidy(() => {
        const xt = tf.tensor(x, [...rows, 6]);
        const ours = splitChannels(tf, xt, 3);
        const stock = tf.split(xt, 3, -1);
        expect(ours.length).toBe(3);
        ours.forEach((o, p) => {
          expect(o.shape).toEqual(stock[p]!.shape);
          expect(Float32Array.from(o.dataSync())).toEqual(Float32Array.from(stock[p]!.dataSync()));
        });
        expect(Float32Array.from(concatChannels(tf, ours).dataSync())).toEqual(x);
      });
    });

    it('splitChannels sends each part its gradient, and zeros for a part the loss never uses', () => {
      const x = randomValues(sizeOf(rows) * 6, '0xef');
      const r = randomValues(sizeOf(rows) * 2, '0xf0', 1);
      const [g, want] = tf.tidy(() => {
        const rt = tf.tensor(r, [...rows, 2]);
        // Parts 0 and 2 of 3 enter the loss; part 1 does not.
        const gx = tf.grad((xx: T) => {
          const [a, , c] = splitChannels(tf, xx, 3);
          return tf.add(tf.sum(tf.mul(a!, rt)), tf.sum(tf.mul(c!, tf.mul(rt, 2))));
        })(tf.tensor(x, [...rows, 6]));
        return [Float32Array.from(gx.dataSync()), Float32Array.from(tf.concat([rt, tf.zerosLike(rt), tf.mul(rt, 2)], -1).dataSync())];
      });
      expect(g).toEqual(want);
    });

    it('splitChannels refuses a split into unequal parts, as tf.split does', () => {
      tf.tidy(() => {
        expect(() => splitChannels(tf, tf.zeros([2, 5]), 2)).toThrow(/5 channels do not split into 2 equal parts/);
        expect(() => tf.split(tf.zeros([2, 5]), 2, -1)).toThrow();
      });
    });
  });

  it('leaves no tensor behind, forward or with gradients', () => {
    const ops: ((x: T) => T)[] = [
      (x) => boxPool(tf, x, mixed([3, 5, 7, 3], 2, false)),
      (x) => maxPool(tf, x, { kernel: [3, 3], stride: [2, 2], pad: [1, 1] }),
      (x) => batchNormTrainKernel(tf, x, tf.ones([4]), tf.zeros([4]), 1e-5, () => undefined),
      (x) => concatChannels(tf, splitChannels(tf, x, 2).reverse()),
    ];
    const before = tf.memory().numTensors;
    // Nothing returned from the scopes: tidy keeps what its function returns.
    for (const op of ops) {
      tf.tidy(() => {
        op(tf.randomNormal([2, 5, 5, 4]));
      });
      tf.tidy(() => {
        tf.grad((x: T) => tf.sum(op(x)))(tf.randomNormal([2, 5, 5, 4]));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
