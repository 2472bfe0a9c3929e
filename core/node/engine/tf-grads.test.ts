import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../data/seeded-random.js';
import { initEngine } from './tf-engine.js';
import { batchNormTrain, convValid, depthwiseValid, maxPoolValid } from './tf-grads.js';

type T4 = tf.Tensor4D;

function randomArray(n: number, seed: string): number[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => r.u32() / 2 ** 31 - 1);
}

interface Case {
  readonly name: string;
  readonly xShape: [number, number, number, number];
  readonly wShape?: [number, number, number, number];
  /** Ours, and the stock tfjs op the cpu backend differentiates for reference. */
  ours(x: T4, w: T4): T4;
  stock(x: T4, w: T4): T4;
}

const cases: Case[] = [
  ...([1, 2] as const).flatMap((s) => [
    { name: `conv 3x3 stride ${s}, rows dropped by floor`, xShape: [2, 6, 7, 3], wShape: [3, 3, 3, 4], ours: (x: T4, w: T4) => convValid(tf, x, w, [s, s], true), stock: (x: T4, w: T4) => tf.conv2d(x, w, s, 'valid') } as Case,
    { name: `conv 1x1 stride ${s}`, xShape: [2, 5, 5, 4], wShape: [1, 1, 4, 2], ours: (x: T4, w: T4) => convValid(tf, x, w, [s, s], true), stock: (x: T4, w: T4) => tf.conv2d(x, w, s, 'valid') } as Case,
    { name: `depthwise 3x3 stride ${s}`, xShape: [2, 7, 6, 3], wShape: [3, 3, 3, 1], ours: (x: T4, w: T4) => depthwiseValid(tf, x, w, [s, s], true), stock: (x: T4, w: T4) => tf.depthwiseConv2d(x, w, s, 'valid') } as Case,
    { name: `depthwise 3x3 ×2 stride ${s}`, xShape: [2, 6, 6, 2], wShape: [3, 3, 2, 2], ours: (x: T4, w: T4) => depthwiseValid(tf, x, w, [s, s], true), stock: (x: T4, w: T4) => tf.depthwiseConv2d(x, w, s, 'valid') } as Case,
    { name: `maxpool 3x3 stride ${s}`, xShape: [2, 7, 7, 3], ours: (x: T4) => maxPoolValid(tf, x, [3, 3], [s, s]), stock: (x: T4) => tf.maxPool(x, 3, s, 'valid') } as Case,
  ]),
];

/** Gradients of Σ R·f(x, w) for a fixed random R, on whatever backend is current. */
async function gradients(c: Case, f: (x: T4, w: T4) => T4): Promise<number[][]> {
  const x = tf.tensor4d(randomArray(c.xShape.reduce((a, b) => a * b), '0x11'), c.xShape);
  const w = tf.tensor4d(randomArray((c.wShape ?? [1, 1, 1, 1]).reduce((a, b) => a * b), '0x22'), c.wShape ?? [1, 1, 1, 1]);
  const outShape = f(x, w).shape;
  const r = tf.tensor(randomArray(outShape.reduce((a, b) => a * b), '0x33'), outShape);
  if (c.wShape === undefined) {
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(f(xx as T4, w), r)))(x);
    return [Array.from(await dx.data()), []];
  }
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(f(xx as T4, ww as T4), r)))([x, w]);
  return [Array.from(await dx!.data()), Array.from(await dw!.data())];
}

describe('gradients written as forward ops', () => {
  let reference = new Map<string, number[][]>();

  beforeAll(async () => {
    // The cpu backend has every stock gradient: it is the reference, though far too slow to train with.
    await tf.setBackend('cpu');
    reference = new Map();
    for (const c of cases) reference.set(c.name, await gradients(c, c.stock));
    await initEngine('wasm');
  });
  afterAll(() => tf.disposeVariables());

  it.each(cases.map((c) => [c.name, c] as const))('%s matches the cpu backend', async (_name, c) => {
    const [dx, dw] = await gradients(c, c.ours);
    const [rx, rw] = reference.get(c.name)!;
    dx!.forEach((v, i) => expect(v).toBeCloseTo(rx![i]!, 4));
    dw!.forEach((v, i) => expect(v).toBeCloseTo(rw![i]!, 4));
  });

  it.each(cases.filter((c) => c.wShape !== undefined).map((c) => [c.name, c] as const))('%s matches finite differences', async (_name, c) => {
    const [, dw] = await gradients(c, c.ours);
    const x = tf.tensor4d(randomArray(c.xShape.reduce((a, b) => a * b), '0x11'), c.xShape);
    const wValues = randomArray(c.wShape!.reduce((a, b) => a * b), '0x22');
    const outShape = c.ours(x, tf.tensor4d(wValues, c.wShape!)).shape;
    const r = tf.tensor(randomArray(outShape.reduce((a, b) => a * b), '0x33'), outShape);
    const loss = async (w: number[]) => (await tf.sum(tf.mul(c.ours(x, tf.tensor4d(w, c.wShape!)), r)).data())[0]!;
    const eps = 1e-2;
    for (const i of [0, Math.floor(wValues.length / 2), wValues.length - 1]) {
      const up = [...wValues];
      const down = [...wValues];
      up[i]! += eps;
      down[i]! -= eps;
      const fd = ((await loss(up)) - (await loss(down))) / (2 * eps);
      expect(Math.abs(fd - dw![i]!)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    }
  });

  it('routes the max-pool gradient to the maximum of a window of negatives', async () => {
    const x = tf.tensor4d([-5, -3, -9, -2, -7, -8, -3, -4, -6], [1, 3, 3, 1]);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(maxPoolValid(tf, xx as T4, [3, 3], [1, 1])))(x);
    expect(Array.from(await dx.data())).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });
});

describe('max-pool gradient routing with many ties', () => {
  /** Each window sends its gradient to its last maximum (row-major); PyTorch would pick the first (see maxPoolValid). */
  function reference(x: number[], h: number, w: number, k: number, s: number, dy: number[]): number[] {
    const ho = Math.floor((h - k) / s) + 1;
    const wo = Math.floor((w - k) / s) + 1;
    const dx = new Array<number>(h * w).fill(0);
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++) {
        let best = -Infinity;
        let at = -1;
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const i = (y * s + ky) * w + xx * s + kx;
            if (x[i]! >= best) [best, at] = [x[i]!, i];
          }
        dx[at]! += dy[y * wo + xx]!;
      }
    return dx;
  }

  it.each([
    [7, 1],
    [7, 2],
    [8, 2],
    [9, 3],
  ])('%i×%i input at stride %i, values from {-2..1}', async (size, stride) => {
    const r = new SeededRandom(`0x${size}${stride}`);
    const x = Array.from({ length: size * size }, () => r.below(4) - 2);
    const ho = Math.floor((size - 3) / stride) + 1;
    const dy = Array.from({ length: ho * ho }, (_, i) => i + 1);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(maxPoolValid(tf, xx as T4, [3, 3], [stride, stride]), tf.tensor4d(dy, [1, ho, ho, 1]))));
    const dx = Array.from(await g(tf.tensor4d(x, [1, size, size, 1])).data());
    expect(dx).toEqual(reference(x, size, size, 3, stride, dy));
  });
});

describe('batch norm in training mode', () => {
  const x = () => tf.tensor4d(randomArray(4 * 5 * 5 * 3, '0x44').map((v, i) => v * (1 + (i % 3)) + (i % 3)), [4, 5, 5, 3]);
  const gamma = () => tf.tensor1d([1.5, 0.5, -1]);
  const beta = () => tf.tensor1d([0.1, -0.2, 0.3]);
  const r = () => tf.tensor4d(randomArray(4 * 5 * 5 * 3, '0x55'), [4, 5, 5, 3]);

  async function grads(f: (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor): Promise<number[][]> {
    const weights = r();
    const gs = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xx, g, b), weights)))([x(), gamma(), beta()]);
    return Promise.all(gs.map(async (t) => Array.from(await t.data())));
  }

  it('has the stock gradient, without Tile', async () => {
    await tf.setBackend('cpu');
    const stock = await grads((xx, g, b) => {
      const m = tf.moments(xx, [0, 1, 2]);
      return tf.batchNorm(xx, m.mean, m.variance, b, g, 1e-5);
    });
    await initEngine('wasm');
    const ours = await grads((xx, g, b) => batchNormTrain(tf, xx, g, b, 1e-5));
    ours.forEach((part, k) => part.forEach((v, i) => expect(v).toBeCloseTo(stock[k]![i]!, 3)));
  });
});
