import { beforeAll, describe, expect, it } from 'vitest';
import { checkSpecValue } from '../../spec/load-spec.js';
import type { SpecNode } from '../../spec/spec-document.js';
import { initEngine, type Engine } from './tf-engine.js';
import { buildTfModel } from './tf-model.js';

let engine: Engine;
beforeAll(async () => {
  engine = await initEngine('wasm');
});

/** Runs input → nodes on one NCHW image with the given parameter values; returns the output, NCHW. */
async function run(shape: number[], pixels: number[], nodes: SpecNode[], values: Record<string, number[]> = {}, training = false): Promise<number[]> {
  const result = checkSpecValue({ format: 'reframe-spec', version: 1, name: 't', nodes: [{ name: 'x', op: 'input', shape }, ...nodes], outputs: [nodes.at(-1)!.name] });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const model = buildTfModel(engine, result.graph, new Map(Object.entries(values).map(([k, v]) => [k, Float32Array.from(v)])));
  const tf = engine.tf;
  const y = model.forward(tf.tensor([...pixels], [1, ...shape]), training);
  const out = Array.from(await y.data());
  model.dispose();
  return out;
}

const range = (n: number, f = (i: number) => i) => Array.from({ length: n }, (_, i) => f(i));

/** Direct NCHW convolution, PyTorch semantics: the reference the engine must match. */
function refConv(x: number[], [c, h, w]: [number, number, number], weight: number[], o: number, k: number, s: number, p: number, g: number): number[] {
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  const cg = c / g;
  const og = o / g;
  const out: number[] = [];
  for (let oc = 0; oc < o; oc++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let acc = 0;
        const group = Math.floor(oc / og);
        for (let ic = 0; ic < cg; ic++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = y * s + ky - p;
              const ix = xx * s + kx - p;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              acc += (weight[((oc * cg + ic) * k + ky) * k + kx] ?? 0) * (x[((group * cg + ic) * h + iy) * w + ix] ?? 0);
            }
        out.push(acc);
      }
  return out;
}

describe('the tfjs engine follows the spec semantics', () => {
  it('conv: a hand-computed 3x3 case with symmetric padding 1 at stride 2', async () => {
    // 1×4×4 input 0..15, all-ones 3×3 kernel: each output sums its (padded) window.
    const out = await run([1, 4, 4], range(16), [{ name: 'c', op: 'conv', inputs: ['x'], outChannels: 1, kernel: 3, stride: 2, padding: 1, bias: false }], { 'c.weight': range(9, () => 1) });
    expect(out).toEqual([0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7, 4 + 5 + 8 + 9 + 12 + 13, 5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15]);
  });

  it.each([
    ['dense groups', 1, 4],
    ['depthwise', 4, 4],
    ['depthwise ×2', 4, 8],
    ['grouped', 2, 6],
  ])('conv, %s (groups %i, %i outputs) matches a direct PyTorch-style loop', async (_name, groups, outputs) => {
    const x = range(4 * 5 * 5, (i) => Math.sin(i) * 2);
    const w = range(outputs * (4 / groups) * 9, (i) => Math.cos(i * 0.7));
    const out = await run([4, 5, 5], x, [{ name: 'c', op: 'conv', inputs: ['x'], outChannels: outputs, kernel: 3, stride: 2, padding: 1, groups, bias: true }], {
      'c.weight': w,
      'c.bias': range(outputs, (i) => i * 0.5),
    });
    const ref = refConv(x, [4, 5, 5], w, outputs, 3, 2, 1, groups).map((v, i) => v + Math.floor(i / 9) * 0.5);
    expect(out.length).toBe(ref.length);
    out.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
  });

  it('maxpool pads with −∞ and avgpool counts the padding (count_include_pad) or not', async () => {
    const x = range(9, (i) => -1 - i);
    const max = await run([1, 3, 3], x, [{ name: 'p', op: 'maxpool', inputs: ['x'], kernel: 3, stride: 2, padding: 1 }]);
    // All values are negative: a zero padding would win every window; −∞ never does.
    expect(max).toEqual([-1, -2, -4, -5]);
    const incl = await run([1, 3, 3], range(9, () => 9), [{ name: 'p', op: 'avgpool', inputs: ['x'], kernel: 3, stride: 2, padding: 1 }]);
    expect(incl).toEqual([4, 4, 4, 4]);
    const excl = await run([1, 3, 3], range(9, () => 9), [{ name: 'p', op: 'avgpool', inputs: ['x'], kernel: 3, stride: 2, padding: 1, countIncludePad: false }]);
    excl.forEach((v) => expect(v).toBeCloseTo(9, 5));
  });

  it('mixedpool splits channels (first group takes the remainder) and pads k//2', async () => {
    // 7 channels, kernels [3, 5]: groups of 4 and 3 channels. Constant images show the padding share.
    const x = range(7 * 9, (i) => (Math.floor(i / 9) < 4 ? 9 : 25));
    const out = await run([7, 3, 3], x, [{ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5] }]);
    // Centre pixel: the 3×3 window sees 9 real of 9; the 5×5 window sees 9 real of 25.
    expect(out[4]).toBeCloseTo(9, 5);
    expect(out[4 * 9 + 4]).toBeCloseTo(9, 5);
    // Corner: 4 real of 9, and 9 real of 25.
    expect(out[0]).toBeCloseTo(4, 5);
    expect(out[4 * 9]).toBeCloseTo(9, 5);
  });

  it('mixedpool at stride 2 without counting padding averages real pixels only', async () => {
    const x = range(6 * 25, (i) => 1 + (i % 25));
    const out = await run([6, 5, 5], x, [{ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5], stride: 2, countIncludePad: false }]);
    // Channel 0 (k 3), output (0,0): pixels (0,0),(0,1),(1,0),(1,1) = 1, 2, 6, 7.
    expect(out[0]).toBeCloseTo((1 + 2 + 6 + 7) / 4, 5);
    // Channel 5 (k 5), output (1,1) centred on (2,2): the whole 5×5 image, mean 13.
    expect(out[5 * 9 + 4]).toBeCloseTo(13, 5);
  });

  it('channelshuffle is torch.nn.ChannelShuffle and flatten is C-major', async () => {
    // 6 channels of 1×1 holding their index; groups 2: [0,1,2 | 3,4,5] → 0,3,1,4,2,5.
    const out = await run([6, 1, 1], range(6), [{ name: 's', op: 'channelshuffle', inputs: ['x'], groups: 2 }]);
    expect(out).toEqual([0, 3, 1, 4, 2, 5]);
    const flat = await run([2, 2, 2], range(8), [{ name: 'f', op: 'flatten', inputs: ['x'] }]);
    expect(flat).toEqual(range(8));
  });

  it('dense uses the [out, in] weight, and batchnorm uses running statistics in inference', async () => {
    const out = await run([3], [1, 2, 3], [{ name: 'fc', op: 'dense', inputs: ['x'], outFeatures: 2, bias: true }], { 'fc.weight': [1, 0, 0, 0, 1, 1], 'fc.bias': [10, 20] });
    expect(out).toEqual([11, 25]);
    const bn = await run([2, 1, 1], [3, 5], [{ name: 'b', op: 'batchnorm', inputs: ['x'], eps: 1e-9 }], { 'b.weight': [2, 1], 'b.bias': [1, 0], 'b.running_mean': [1, 1], 'b.running_var': [4, 16] });
    expect(bn[0]).toBeCloseTo((2 * (3 - 1)) / 2 + 1, 5);
    expect(bn[1]).toBeCloseTo((5 - 1) / 4, 5);
  });

  it('regenerates seeded weights from their seed, bit for bit', async () => {
    const seeded = { mode: 'seeded', dist: 'sign', init: 'kaiming', fan: 'fan_in', gain: 1, seed: '0x0123456789abcdef' } as const;
    // 1×1 conv with one input channel of value 1: the outputs are the weights themselves.
    const out = await run([1, 1, 1], [1], [{ name: 'c', op: 'conv', inputs: ['x'], outChannels: 8, kernel: 1, bias: false, params: { weight: seeded } }]);
    // DESIGN.md §5's worked example: signs − + + + − + − −, magnitude f32(σ) with σ = 1/√1.
    expect(out).toEqual([-1, 1, 1, 1, -1, 1, -1, -1]);
  });
});
